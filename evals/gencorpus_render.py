"""How the generated corpus (evals.gencorpus) is written out: blocks of headings, paragraphs and lines as
one-paragraph-a-line text or Markdown, or wrapped into PDF pages of 350-450 words with a running
header and a page-number footer (no wrapped line starting like a structural line)."""

from __future__ import annotations

import random
import re
import textwrap
from pathlib import Path

from evals.pdfwrite import text_stream, write_pdf

WORDS_PER_PAGE = (350, 450)  # a PDF page of text, as the issue asks
Block = tuple[str, str]  # (kind, text): h heading, p paragraph, l line, b blank


def to_text(blocks: list[Block], markdown: bool) -> str:
    """One paragraph a line (as the real .txt corpus), headings marked in Markdown."""
    out: list[str] = []
    for kind, text in blocks:
        if kind == "h":
            out += ["", f"## {text}" if markdown else text, ""]
        elif kind == "p":
            out += [text, ""]
        elif kind == "l":
            out.append(f"**{text}**" if markdown and re.match(r"(Recommendation|Area for improvement) \d+$", text) else text)
        else:
            out.append("")
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip() + "\n"


_UNSAFE_START = re.compile(r"^(?:\d|[-•]|[A-Z][.)]\s|(?:recommendations?|area for improvement|afi|cause of concern)\s+\w|q\d|a\d|response\s*\d*:|request)", re.I)


def wrap(text: str, width: int = 92) -> list[str]:
    """Wrap a paragraph into PDF lines; no line may start like a structural line (a number, a ref)."""
    lines = textwrap.wrap(text, width) or [""]
    fixed = [lines[0]]
    for line in lines[1:]:
        while _UNSAFE_START.match(line) and " " in line:
            head, line = line.split(" ", 1)
            fixed[-1] = f"{fixed[-1]} {head}"
        if _UNSAFE_START.match(line):
            fixed[-1] = f"{fixed[-1]} {line}"
            continue
        fixed.append(line)
    return fixed


def paginate(blocks: list[Block], rng: random.Random, header: str) -> list[list[str]]:
    """PDF pages of 350-450 words each, with a running header and a page-number footer."""
    lines: list[str] = []
    for kind, text in blocks:
        if kind == "h":
            lines += ["", text, ""]
        elif kind == "p":
            lines += wrap(text) + [""]
        elif kind == "l":
            lines += wrap(text)
        else:
            lines.append("")
    pages: list[list[str]] = []
    current: list[str] = []
    count, target = 0, rng.randint(*WORDS_PER_PAGE)
    for line in lines:
        current.append(line)
        count += len(line.split())
        if count >= target:
            pages.append(current)
            current, count, target = [], 0, rng.randint(*WORDS_PER_PAGE)
    if any(x.strip() for x in current):
        pages.append(current)
    total = len(pages)
    top = [header, ""] if header and total >= 3 else []  # a running header only where the cleaner can see it repeat
    return [top + page + ["", f"Page {i} of {total}"] for i, page in enumerate(pages, start=1)]


def make_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A PDF with one page per list of lines (10 pt text; a blank line must extract as one)."""
    return write_pdf(path, [text_stream([line or " " for line in lines], errors="replace") for lines in pages])
