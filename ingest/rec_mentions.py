"""Statuses a document states elsewhere about its recommendations, by number or all together.

Letters and panel papers often list the causes of concern in one place and say what became of them in
another: "HMICFRS has discharged causes of concern 2, 3, 4 and 5", "Cause of concern 1 remains open",
"both causes of concern remain open". A recommendation whose own response says nothing (status
``unknown``) takes the status of such a sentence, with that sentence as its evidence. Only a sentence
outside every recommendation's own text counts, and only one that names the item's type. Pure.
"""

from __future__ import annotations

import re

from ingest.records import Recommendation
from ingest.sentences import sentences
from ingest.status import classify

_TYPE_WORDS = {
    "cause_of_concern": r"causes? of concern",
    "recommendation": r"recommendations?",
    "area_for_improvement": r"(?:areas? for improvement|AFIs?)",
}
_REF = r"(?:[A-Z]{0,4}\s?)?\d{1,2}(?:\.\d{1,2})?"
_LIST = rf"{_REF}(?:\s*(?:,|and|&|to)\s*{_REF})*"
_COUNTS = {"both": 2, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
# "both causes of concern", "all five recommendations", "the three areas for improvement": a group named with its size
_ALL = r"\b(?:(?P<both>both)|(?:all|the|all the|all of the) (?P<n>two|three|four|five|six|seven|eight|nine|ten|\d{1,2}))\s+"


def _numbers(listed: str) -> set[str]:
    """The refs a list names: "2, 3, 4 and 5" -> {2, 3, 4, 5}; "1 to 3" -> {1, 2, 3}."""
    refs = re.findall(_REF, listed)
    out = {r.replace(" ", "").lower() for r in refs}
    span = re.fullmatch(r"\s*(\d{1,2})\s*to\s*(\d{1,2})\s*", listed)
    if span and int(span.group(1)) < int(span.group(2)) <= 60:
        out |= {str(n) for n in range(int(span.group(1)), int(span.group(2)) + 1)}
    return out


def apply_mentions(text: str, recs: list[Recommendation]) -> None:
    """Give each recommendation with no status of its own the status a sentence elsewhere states for it."""
    if not any(r.status == "unknown" for r in recs):
        return
    own = [(r.start, r.end) for r in recs]
    for s, e in sentences(text):
        if any(a <= s < b or a < e <= b for a, b in own):
            continue
        sentence = text[s:e]
        status = classify(sentence)
        if status is None or status == "not_applicable":
            continue
        for kind, words in _TYPE_WORDS.items():
            named = {ref for m in re.finditer(rf"\b{words}\s+(?P<list>{_LIST})\b", sentence, re.I) for ref in _numbers(m.group("list"))}
            # "all recommendations will be tracked" is no one's status: a group statement counts only when it reports progress
            group = re.search(rf"{_ALL}{words}\b", sentence, re.I) if status in ("complete", "in_progress", "superseded") else None
            size = (_COUNTS.get((group.group("both") or group.group("n")).lower()) or int(group.group("n"))) if group else 0
            # a group counts only when it is every item of that type the document holds (not "these three" of nine)
            every = bool(group) and size == sum(1 for r in recs if r.type == kind and not r.parent)
            if not named and not every:
                continue
            for r in recs:
                if r.status != "unknown" or r.type != kind or r.parent:
                    continue
                if every or (r.ref or "").replace(" ", "").lower() in named:
                    r.status, r.status_quote, r.status_start, r.status_end = status, sentence, s, e
