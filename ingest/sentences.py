"""Split text into sentences (and bullet lines), keeping offsets: for status evidence and cited answers."""

from __future__ import annotations

import re

# a sentence ends at . ! ? (not inside "e.g." or a number) or at a line break
_SENTENCE = re.compile(r"(?:[^.!?\n]|\.(?=\w)|(?<=\b[a-z])\.(?=[a-z]\.)|(?<=e\.g)\.|(?<=i\.e)\.)+(?:[.!?]+[\"'”’)]?|$)", re.M)


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence or bullet line, trimmed of bullets and spaces."""
    out = []
    for m in _SENTENCE.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s] in " -•\t":
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s > 3:
            out.append((s, e))
    return out
