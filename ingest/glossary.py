"""The corpus's own glossary: acronyms and what they stand for, from "Expansion (ACRONYM)" and
"ACRONYM (Expansion)" pairs. Pure; the letter matching is Schwartz & Hearst's (2003) algorithm.
"""

from __future__ import annotations

import re

_PAREN = re.compile(r"\(([^()]{2,120})\)")
_ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9&-]{1,11}$")
_WORD_BEFORE = re.compile(r"([A-Za-z0-9&/-]{2,40})\s*$")


def is_acronym(token: str) -> bool:
    """Two or more capitals, short, no spaces: MAPPA, S-DASH, RSOs, MARACs."""
    return bool(_ACRONYM.match(token)) and sum(c.isupper() for c in token) >= 2 and len(token) <= 12


def singular(acronym: str) -> str:
    """RSOs -> RSO, MARACs -> MARAC (a lower-case plural s after capitals)."""
    return acronym[:-1] if len(acronym) > 2 and acronym.endswith("s") and acronym[-2].isupper() else acronym


def long_form(short: str, text: str) -> str | None:
    """The shortest end of ``text`` whose letters spell ``short`` in order, the first at a word start."""
    s, t = len(short) - 1, len(text) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while t >= 0 and (text[t].lower() != c or (s == 0 and t > 0 and text[t - 1].isalnum())):
            t -= 1
        if t < 0:
            return None
        t -= 1
        s -= 1
    start = text.rfind(" ", 0, t + 1) + 1
    found = text[start:].strip(" ,;:")
    words = found.split()
    letters = sum(ch.isalnum() for ch in short)
    if not words or len(words) > min(letters + 5, letters * 2) or found.lower() == short.lower():
        return None
    return " ".join(words)


def find_pairs(text: str) -> list[tuple[str, str]]:
    """(acronym, expansion) pairs in order of first appearance, both forms."""
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()

    def add(acronym: str, expansion: str) -> None:
        acronym = singular(acronym)
        expansion = expansion.strip(" .,;:")
        if acronym.upper() not in seen and expansion and expansion[0].isalpha():
            seen.add(acronym.upper())
            pairs.append((acronym, expansion))

    for m in _PAREN.finditer(text):
        inside = m.group(1).strip()
        before = text[max(0, m.start() - 200):m.start()]
        line_start = before.rfind("\n")
        before = before[line_start + 1:]
        if is_acronym(inside):
            # "Multi-Agency Public Protection Arrangements (MAPPA)"
            window = " ".join(before.split()[-(len(inside) + 5):])
            found = long_form(singular(inside), window)
            if found:
                add(inside, found)
            continue
        w = _WORD_BEFORE.search(before)
        if not w:
            continue
        for token in w.group(1).split("/"):
            # "KIRAT (Kent Internet Risk Assessment Tool)": the expansion must start where the letters do
            if is_acronym(token):
                found = long_form(singular(token), inside)
                if found and found == " ".join(inside.split()):
                    add(token, found)
    return pairs
