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
from ingest.status import PROGRESS, Proposal, classify, labelled, word_status

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
            chosen = [r for r in recs if r.status == "unknown" and r.type == kind and not r.parent
                      and (every or (r.ref or "").replace(" ", "").lower() in named)] if named or every else []
            if not chosen and status in ("complete", "in_progress", "superseded"):
                chosen = _just_listed(sentence, s, words, kind, recs) or _about(sentence, kind, recs) or _this(sentence, s, kind, recs)
            for r in chosen:
                r.status, r.status_quote, r.status_start, r.status_end = status, sentence, s, e


# "we are satisfied that the force has met these three recommendations": the items of that type listed just before
# "its three recommendations" (those after the cause of concern just named), "the four immediate recommendations" and "the
# four recommendations with a deadline of 30 September 2024" (those whose deadline says so)
_THESE = (r"\b(?P<which>these|those|the other|the remaining|its|the)\s+(?P<n>two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+"
          r"(?P<adj>(?:[a-z]+\s+){0,2}?)")
_DEADLINE_OF = re.compile(r"^\s+with (?:a|the) (?:deadline|target date) of\s+(?P<dl>(?:\d{1,2}(?:st|nd|rd|th)?\s+)?[A-Za-z]+\s+\d{4})", re.I)
# "we have closed the cause of concern about investigating crime": the one item of that type whose text holds the topic
_ABOUT = {"cause_of_concern": r"cause of concern", "recommendation": r"recommendation", "area_for_improvement": r"area for improvement"}
_WORD = re.compile(r"[a-z]{4,}")


def _just_listed(sentence: str, at: int, words: str, kind: str, recs: list[Recommendation]) -> list[Recommendation]:
    """The n items of a type, still without a status, that end nearest before the sentence naming "these n" (or "its n",
    or "the n immediate ...", "the n ... with a deadline of ...": those whose deadline fits)."""
    m = re.search(rf"{_THESE}{words}\b", sentence, re.I)
    if not m:
        return []
    n = _COUNTS.get(m.group("n").lower()) or int(m.group("n"))
    which, adj = m.group("which").lower(), m.group("adj").strip().lower()
    dl = _DEADLINE_OF.match(sentence[m.end():])
    if which == "the" and not adj and not dl:
        return []  # "the three recommendations": every item of the type, or no one's (the group rule)
    before = [r for r in recs if r.type == kind and not r.parent and r.end <= at and r.status == "unknown"]
    if which == "its" and kind != "cause_of_concern":  # "this cause of concern and its three recommendations": those after it
        head = max((r.start for r in recs if r.type == "cause_of_concern" and r.end <= at), default=-1)
        before = [r for r in before if r.start > head]
    if adj:
        before = [r for r in before if adj[:6] in f"{r.deadline_text or ''} {r.text}".lower()]
    if dl:
        want = set(re.findall(r"\w+", dl.group("dl").lower()))
        before = [r for r in before if want <= set(re.findall(r"\w+", (r.deadline_text or "").lower()))]
    return before[-n:] if len(before) >= n else []


def _this(sentence: str, at: int, kind: str, recs: list[Recommendation]) -> list[Recommendation]:
    """"We have closed this cause of concern": the nearest item of that type before the sentence, when it has no status yet."""
    if not re.search(rf"\bthis {_ABOUT[kind]}\b", sentence, re.I):
        return []
    before = [r for r in recs if r.type == kind and not r.parent and r.end <= at]
    return before[-1:] if before and before[-1].status == "unknown" else []


def _stems(text: str) -> set[str]:
    """Words of four letters or more, cut to their first six ("investigating", "investigations": "invest")."""
    return {w[:6] for w in _WORD.findall(text.lower())}


def _about(sentence: str, kind: str, recs: list[Recommendation]) -> list[Recommendation]:
    """The single item of a type, still without a status, whose text holds most of the words of "the <type> about <topic>"."""
    m = re.search(rf"\b(?:the|this) {_ABOUT[kind]} (?:about|on|relating to|concerning|into) (?P<topic>[^,.;]+)", sentence, re.I)
    topic = _stems(m.group("topic")) if m else set()
    if len(topic) < 2:
        return []
    fits = [r for r in recs if r.type == kind and r.status == "unknown" and len(topic & _stems(r.text)) >= 0.5 * len(topic)]
    return fits if len(fits) == 1 else []


# a tracker table flattened from a PDF: under a header naming its ref and status columns ("Ref  Recommendation  Owner ...
# Status"), each row opens with its ref ("CoC 1 Calls for ...", "1a Answer ...") and ends with its status ("... Being progressed")
# (or an inspectorate's summary: "Recommendation  Our assessment" over "1. Engagement strategy Met - closed")
_TABLE_HEAD = re.compile(r"^(?:(?:ref(?:erence)?|no\.?|#)\b[^\n]{0,150}\b(?:status|rag|assessment)|recommendations?\s+(?:our )?assessment)\b[^\n]{0,40}$", re.I | re.M)
_ROW_START = re.compile(r"^(?P<ref>(?:CoC|AFI|Rec|R)?\s?\d{1,2}(?:\.\d{1,2})?[a-z]?|\d{1,2}\([a-z]\))\.?\s+(?=[A-Z])", re.M)
# a row's status as its last words ("... Not met - remains open"), when nothing labels it
_ROW_END = re.compile(r"\b(?P<word>(?:not |partially )?met|closed|open|complete[d]?|in progress|ongoing|not started)(?:\s*[-\u2013]\s*[a-z ]{2,20})?\s*$", re.I)
_ROW_LABELS = {"cause_of_concern": ("CoC {r}", "CoC{r}"), "area_for_improvement": ("AFI {r}", "AFI{r}"), "recommendation": ("R{r}", "Rec {r}", "{r}")}


def _row_labels(r: Recommendation, number: str | None) -> set[str]:
    """How a tracker's ref column may print an item: "CoC 1", "AFI 2", "1a" or "1(a)" for part a of 1, "R3".
    ``number``: the numbered item a lettered one comes under."""
    ref = (r.ref or "").strip()
    parent = r.parent or (number if re.fullmatch(r"[a-z]", ref) else None)
    if not ref:
        return set()
    if parent:
        return {f"{parent}{ref}", f"{parent}({ref})", f"{parent}.{ref}"}
    if re.fullmatch(r"[A-Za-z]+\s?\d.*", ref):  # printed with its own label already ("AFI 2")
        return {ref}
    return {f.format(r=ref) for f in _ROW_LABELS.get(r.type, ("{r}",))}


def _rows(text: str, own: list[tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """Each row of the flattened tables, by its ref: (start, end) in the text."""
    rows: dict[str, tuple[int, int]] = {}
    for head in _TABLE_HEAD.finditer(text):
        table_end = text.find("\n\n", head.end())
        table_end = len(text) if table_end == -1 else table_end
        starts = [m for m in _ROW_START.finditer(text, head.end(), table_end) if not any(a <= m.start() < b for a, b in own)]
        for n, m in enumerate(starts):
            end = min(starts[n + 1].start() if n + 1 < len(starts) else table_end, m.start() + 700)
            rows.setdefault(" ".join(m.group("ref").split()), (m.start(), end))
    return rows


def apply_rows(text: str, recs: list[Recommendation], key: dict[str, str]) -> None:
    """Give each item with no status of its own the status its row in a tracker table elsewhere prints at its end."""
    if not any(r.status == "unknown" for r in recs):
        return
    rows = _rows(text, [(r.start, r.end) for r in recs])
    if len(rows) < 2:
        return
    number: str | None = None
    for r in recs:
        if re.fullmatch(r"\d{1,2}", (r.ref or "").strip()):
            number = r.ref.strip()  # type: ignore[union-attr]
        if r.status != "unknown":
            continue
        row = next((rows[label] for label in _row_labels(r, number) if label in rows), None)
        said = (labelled(text[row[0]:row[1]].rstrip(), key) or _row_end(text, row[0], row[1], key)) if row else None
        if row and said and said.status != "unknown":
            r.status, r.status_quote, r.status_start, r.status_end = said.status, said.quote, row[0] + said.start, row[0] + said.end



# a register's dated history under each item: "[on]9th February 2017 [status]awaiting-review[/status][/on] ... [status]complete[/status]"
_HISTORY_STATUS = re.compile(r"\[status\]\s*(?P<word>[^\[\]\n]{2,40}?)\s*\[/status\]", re.I)


def apply_history(text: str, recs: list[Recommendation], key: dict[str, str]) -> None:
    """An item followed by a register's dated history of statuses takes the latest of them (printed, so it
    stands over what the wording of a comment suggests)."""
    ordered = sorted(recs, key=lambda r: r.start)
    for n, r in enumerate(ordered):
        end = ordered[n + 1].start if n + 1 < len(ordered) else len(text)
        marks = list(_HISTORY_STATUS.finditer(text, r.end, end))
        status = word_status(marks[-1].group("word"), key) if marks else None
        if status:
            m = marks[-1]
            r.status, r.status_quote, r.status_start, r.status_end = status, m.group("word"), m.start("word"), m.end("word")


def _row_end(text: str, start: int, end: int, key: dict[str, str]) -> Proposal | None:
    """The status a one-line row prints at its end ("1. Engagement strategy Met - closed"), or None."""
    row = text[start:end].split("\n", 1)[0].rstrip()  # the row's own line (the table's last row runs on to what follows it)
    m = _ROW_END.search(row)
    status = word_status(m.group(0), key) if m else None
    return Proposal(status, m.group(0).strip(), start + m.start(), start + m.end()) if m and status else None


def cap_parents(recs: list[Recommendation]) -> None:
    """A cause of concern is not complete while a recommendation under it is not: read from a tracker, its
    heading can take the first row's "CLOSED" while the next rows are still amber. It then takes the status of
    the least advanced of them (in progress when some are done), with that row's evidence. Pure."""
    for i, parent in enumerate(recs):
        if parent.type != "cause_of_concern" or parent.status != "complete":
            continue
        children = []
        for r in recs[i + 1:]:
            if r.type != "recommendation" or r.start < parent.start:
                break
            children.append(r)
        open_ = [c for c in children if c.status in PROGRESS[1:] and c.status != "complete"]  # an unknown row says nothing
        if not open_:
            continue
        least = min(open_, key=lambda c: PROGRESS.index(c.status))
        done_some = any(c.status == "complete" for c in children)
        parent.status = "in_progress" if done_some and least.status != "in_progress" else least.status
        parent.status_quote, parent.status_start, parent.status_end = least.status_quote, least.status_start, least.status_end
