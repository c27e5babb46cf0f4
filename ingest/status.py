"""Propose a recommendation's status from the wording of the response to it, with the exact quote.

Sentence by sentence, phrases map to the DESIGN.md statuses. A wrong "complete" is the
costly mistake, so the response as a whole takes the *least* advanced status any of its
sentences supports, and a part answered by an ordinal ("the second and third elements
remain ongoing") takes that sentence's status. Pure: text in, (status, quote, offsets) out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.sentences import sentences

STATUSES = ("not_started", "planned", "in_progress", "complete", "superseded", "not_applicable", "unknown")
# least to most advanced, for "when unsure, the less advanced"
PROGRESS = ("unknown", "not_started", "planned", "in_progress", "complete")

_P = lambda *alts: re.compile("|".join(alts), re.I)  # noqa: E731

RULES: list[tuple[str, re.Pattern[str]]] = [
    ("not_applicable", _P(r"\brecommendation is (for|aimed at|addressed to) (the )?(hmcts|home office|npcc|college of policing|probation|cps|crown prosecution|national crime agency|another)",
                          r"\bnot (applicable|relevant) to (the )?(force|dyfed)", r"\bis a matter for (the )?(hmcts|home office|npcc|college)")),
    ("superseded", _P(r"\bsuperseded\b", r"\breplaced by (a |the )?(later|new|subsequent) recommendation")),
    ("not_started", _P(r"\bhas been documented and will inform\b", r"\b(are|is) being considered in (the )?future\b", r"\bwill inform future\b",
                       r"\bnot (yet )?(been )?(started|begun|progressed)\b", r"\bhas not been implemented\b", r"\bno (work|action) has (yet )?been\b",
                       r"\bawaiting allocation\b")),
    ("in_progress", _P(r"\bremains? ongoing\b", r"\b(work|activity|benchmarking|a review) (is|are) (already |currently |now )?(underway|ongoing|in progress)\b",
                       r"\bis currently underway\b", r"\bcurrently (reviewing|working|developing|underway)\b", r"\b(we are|are) working on\b",
                       r"\bwill continue to (ensure|develop|work|improve|review|monitor)\b", r"\bin the work queue\b", r"\bis being (progressed|prioritised|developed|reviewed|rolled out)\b",
                       r"\bhave been tasked\b", r"\bhas been tasked\b", r"\bpartially (implemented|complete)", r"\bthere is an action plan\b", r"\bin progress\b",
                       r"\bbeing rolled out\b", r"\bshould be realised\b")),
    ("planned", _P(r"\bwill\b", r"\bhas been sanctioned\b", r"\bhas been agreed\b", r"\bplans? to\b", r"\bplanned\b", r"\baiming to\b", r"\bintends? to\b",
                   r"\bin future\b", r"\bare looking at\b", r"\bnext 12 months\b")),
    ("complete", _P(r"\bembedded practice\b", r"\bha(s|ve) (been )?(fully )?implemented\b", r"\bha(s|ve) embedded\b", r"\bwell embedded\b", r"\bis embedded\b",
                    r"\bare embedded\b", r"\b(are|is) now routinely\b", r"\bha(s|ve) been built into\b", r"\bha(s|ve) been (completed|achieved|delivered)\b",
                    r"\bis (now )?complete\b", r"\bha(s|ve) ensured that\b", r"\bha(s|ve) been developed\b", r"\bis now in place\b", r"\bhas been introduced\b")),
]
_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "sixth": 5}
_ELEMENTS = re.compile(r"\b((?:first|second|third|fourth|fifth|sixth)(?:\s*(?:,|and)\s*(?:first|second|third|fourth|fifth|sixth))*)\s+(elements?|parts?|points?|strands?)\b", re.I)


@dataclass
class Proposal:
    """A proposed status with its evidence: the exact sentence, and where it is in the text given."""

    status: str
    quote: str = ""
    start: int = 0
    end: int = 0


def classify(sentence: str) -> str | None:
    """The status one sentence supports, or None.

    Within a sentence: work under way with next steps ("are currently reviewing ... and will
    share") is in progress; otherwise the less advanced wins ("has embedded ... will" is planned).
    """
    found = {status for status, pattern in RULES if pattern.search(sentence)}
    if not found:
        return None
    for decisive in ("not_applicable", "superseded", "not_started", "in_progress"):
        if decisive in found:
            return decisive
    return min(found, key=PROGRESS.index)


def least(a: Proposal, b: Proposal) -> Proposal:
    """The less advanced of two proposals (not_applicable and superseded only when both are)."""
    rank = lambda p: PROGRESS.index(p.status) if p.status in PROGRESS else len(PROGRESS)  # noqa: E731
    return a if rank(a) <= rank(b) else b


def combine(a: Proposal, b: Proposal) -> Proposal:
    """Two sentences about the same recommendation: work under way outweighs intentions
    ("planned"), otherwise the less advanced wins (a claim of completion next to an
    intention is not taken as complete)."""
    statuses = {a.status, b.status}
    if statuses == {"in_progress", "planned"}:
        return a if a.status == "in_progress" else b
    return least(a, b)


def propose(response: str, parts: int = 0) -> tuple[Proposal, list[Proposal]]:
    """Status of the whole response, and of each of ``parts`` lettered parts (in order).

    A sentence naming elements by ordinal ("the second and third elements") speaks for those
    parts only; every other sentence speaks for all parts not named elsewhere.
    """
    if not response.strip():
        return Proposal("unknown"), [Proposal("unknown") for _ in range(parts)]
    general: Proposal | None = None
    specific: dict[int, Proposal] = {}
    for s, e in sentences(response):
        sentence = response[s:e]
        status = classify(sentence)
        if status is None:
            continue
        p = Proposal(status, sentence, s, e)
        if status == "not_applicable":
            return p, [p for _ in range(parts)]
        named = _ELEMENTS.search(sentence)
        if named and parts:
            for word in re.findall(r"first|second|third|fourth|fifth|sixth", named.group(1), re.I):
                i = _ORDINALS[word.lower()]
                if i < parts:
                    specific[i] = combine(specific[i], p) if i in specific else p
            continue
        general = p if general is None else combine(general, p)
    base = general or Proposal("unknown")
    part_props = [specific.get(i, base) for i in range(parts)]
    overall = base if general else None
    for p in part_props:
        overall = p if overall is None else least(overall, p)
    return overall or base, part_props
