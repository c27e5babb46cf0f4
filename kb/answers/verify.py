"""The verifier for written answers: every sentence must cite a source, and what it cites must
support it. Pure, given a similarity function.

A sentence is kept only when it carries [n] markers for sources that exist, every span it puts in
double quotes appears verbatim in a cited source, and (for a paraphrase) it is close enough in
meaning to some sentence of a cited source. Everything else is dropped, with the reason, so nothing
unsupported is ever shown as cited.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

_MARK = re.compile(r"\[(\d{1,2})\]")
_QUOTED = re.compile(r"[\"\u201c]([^\"\u201d]{6,})[\"\u201d]")
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+(?:\s*\[\d{1,2}\])*)?")
PARAPHRASE_MIN = 0.6  # cosine similarity a paraphrase needs with a sentence of its cited source


@dataclass
class Checked:
    """The verifier's verdict on a written answer."""

    kept: list[tuple[str, list[int]]] = field(default_factory=list)  # (sentence without markers, cited source numbers)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (sentence, why)


def _norm(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").replace("\u2018", "'").split()).lower()


def split(answer: str) -> list[str]:
    """Sentences of an answer, each with the citation markers that follow it."""
    return [s.strip() for s in _SENTENCE.findall(answer.replace("\n", " ")) if s.strip(" .")]


def check(answer: str, sources: list[str], similarity: Callable[[str, list[str]], float]) -> Checked:
    """Keep the supported sentences of ``answer``; ``similarity(sentence, source_texts)`` is the best cosine."""
    out = Checked()
    for sentence in split(answer):
        cited = [int(n) for n in _MARK.findall(sentence)]
        plain = re.sub(r"\s*\[\d{1,2}\]", "", sentence).strip()
        if not plain:
            continue
        if not cited:
            out.dropped.append((plain, "no citation"))
            continue
        if any(n < 1 or n > len(sources) for n in cited):
            out.dropped.append((plain, f"cites a source that does not exist ({', '.join(f'[{n}]' for n in cited)})"))
            continue
        texts = [sources[n - 1] for n in cited]
        quotes = _QUOTED.findall(plain)
        if quotes:
            missing = [q for q in quotes if not any(_norm(q) in _norm(t) for t in texts)]
            if missing:
                out.dropped.append((plain, f"quotes words not in the cited source: \u201c{missing[0][:80]}\u201d"))
                continue
        elif similarity(plain, texts) < PARAPHRASE_MIN:
            out.dropped.append((plain, "not supported by the cited source"))
            continue
        out.kept.append((plain, cited))
    return out
