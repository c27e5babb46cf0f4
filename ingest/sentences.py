"""Split text into sentences (and bullet lines), keeping offsets: for status evidence and cited answers."""

from __future__ import annotations

import re

# a sentence ends at . ! ? (not inside "e.g." or a number) or at a line break
_SENTENCE = re.compile(r"(?:[^.!?\n]|\.(?=\w)|(?<=\b[a-z])\.(?=[a-z]\.)|(?<=e\.g)\.|(?<=i\.e)\.)+(?:[.!?]+[\"'”’)]?|$)", re.M)


_ENDS = re.compile(r"[.!?:;][\"'”’)]?$")
_ITEM = re.compile(r"[-•*▪●]|\(?[a-z0-9]{1,3}[.)]\s|[A-Z][A-Za-z ]{0,40}:")
WRAPPED = 50  # a line at least this long that ends mid-sentence was wrapped (a heading or list item is shorter)


def wrapped(text: str, prev: tuple[int, int], nxt: tuple[int, int]) -> bool:
    """The line break between two spans only wraps one sentence (a PDF's or e-mail's line width): the
    first stops without a sentence's end and the next goes on in lower case, or the first is a long
    line broken mid-sentence; never a blank line, nor a next line that starts a list item."""
    gap = text[prev[1]:nxt[0]]
    if gap.count("\n") != 1 or gap.strip() or _ENDS.search(text[prev[0]:prev[1]]):
        return False
    line = text[nxt[0]:nxt[1]]
    if _ITEM.match(line):
        return False
    return line[:1].islower() or (prev[1] - prev[0] >= WRAPPED and text[prev[1] - 1].isalpha())


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence or bullet line, trimmed of bullets and spaces; a sentence that a
    line break only wraps is one sentence."""
    out: list[tuple[int, int]] = []
    for m in _SENTENCE.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s] in " -•\t":
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s <= 3:
            continue
        if out and wrapped(text, out[-1], (s, e)):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out
