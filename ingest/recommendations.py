"""Find every recommendation in a document's recommendation blocks: ref, parts, addressee,
deadline, theme, the response passage, and a proposed status with its quote. Pure.

Shapes handled: "Recommendation 14" on its own line with the text below; numbered items
("1. text", "- 11 text", bold or not) with the text on the same line; an intro line ("By 31
October 2026, forces should:") followed by lettered parts ("- A. ...", "M. ..."); an
addressee stated once above a group ("Police forces should ensure that:").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ingest.chunk import trim
from ingest.metadata import find_dates
from ingest.records import Block, Meta, Recommendation
from ingest.sentences import wrapped
from ingest.rec_fields import BY_DATE, addressee_of, deadline_of, strip_date_clause
from ingest.rec_language import find_language_recommendations, names_topic
from ingest.rec_mentions import apply_history, apply_mentions, apply_rows, cap_parents
from ingest.rec_tables import find_table_recommendations
from ingest.status import Proposal, labelled, propose, read_key, word_status
from ingest.structure import _LEAD_IN, _NUMBERED_ITEM, _REC_LINE, _RESPONSE_HEADING, DIRECTIVE, STATUS_LINE
from ingest.structure import CONTENTS_LINE as _CONTENTS_LINE

_PART = re.compile(r"^(?:[-•]\s*)?(?:(?P<letter>[A-Z])[.)]|\((?P<small>[a-z])\))\s+(?P<text>\S.*)$")
# a line that starts the answer to a recommendation: "Response:", "Force response:", "OPCC comment:", "Status:"
RESPONSE_LABEL = re.compile(r"^[\s*_-]*(?:(?:force|pcc|opcc|opfcc|commissioner'?s?|chief constable'?s?|our|the force'?s?|gmp|[A-Z]{2,6})\s+)?"
                            r"(?:response|comments?|update|progress(?: update)?|position|status|rating|actions? taken|evidence)\s*[:\-\u2013]", re.I)
_INLINE_ANSWER = re.compile(r"\s(?:(?:force |pcc |opcc |our )?(?:response|update|progress|status))\s*:\s*", re.I)
_FIELD = re.compile(r"^(?:[A-Z][\w ]{0,20}:\s*(?:\S.{0,60})?|[A-Z]\w{1,15}:)$")  # "Text:", "Theme: Investigating crime"
_TYPES = {"recommendation": "recommendation", "recommendations": "recommendation", "area for improvement": "area_for_improvement",
          "afi": "area_for_improvement", "cause of concern": "cause_of_concern"}


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Non-blank (start, end) lines of text[start:end], trimmed; blank (or markup-only) lines as (-1, -1) separators."""
    out, pos = [], start
    for line in text[start:end].split("\n"):
        s, e = trim(text, pos, pos + len(line))
        pos += len(line) + 1
        # a line of nothing but markup ("*" left of a bold marker) is as good as blank
        out.append((s, e) if text[s:e].strip(" *-•") else (-1, -1))
    return out


def report_date(meta: Meta) -> str | None:
    """The date of the report a document is or answers (for relative deadlines)."""
    if meta.kind == "inspection_report":
        return meta.date
    if meta.report:
        found = find_dates(meta.report)
        if found:
            return found[-1][1]
    return None


@dataclass
class _Item:
    """One recommendation as its block's lines lay it out, before it is read: the heading's match,
    an intro line ("... should:"), its own paragraph, its lettered parts (with any answer on a
    part's own line), a status printed above its text, and the line index where the item ends."""

    head: str
    match: re.Match[str]
    intro: tuple[int, int] | None = None
    body: tuple[int, int] | None = None
    parts: list[tuple[str, int, int]] = field(default_factory=list)
    own_answers: dict[int, tuple[int, int]] = field(default_factory=dict)
    status_ahead: Proposal | None = None
    end_line: int = 0


def find_recommendations(text: str, blocks: list[Block], meta: Meta) -> list[Recommendation]:
    """Every recommendation (and lettered part) in a document's recommendation blocks, in order;
    then those found in tracker tables and in running text that overlap none of these."""
    recs: list[Recommendation] = []
    seen: dict[tuple[str, str], int] = {}
    default = "forces" if meta.kind == "inspection_report" else "the force"
    group_addressee: str | None = None
    group_section: str | None = None
    rdate, title, key = report_date(meta), meta.title.lower(), read_key(text)
    for block in blocks:
        if block.kind != "recommendation":
            continue
        if block.section != group_section:
            group_addressee, group_section = None, block.section
        lines = _lines(text, block.start, block.end)
        i, group_addressee = _group_lead_in(text, lines, group_addressee)
        item = _layout(text, lines, i, key)
        if item is None:
            continue
        recs += _read(text, block, item, meta, key, rdate, title, group_addressee or default, seen)
    recs = _merge(recs, find_table_recommendations(text, meta, key))
    recs = _merge(recs, find_language_recommendations(text, blocks, meta, key))
    recs = [r for r in recs if not _NOT_AN_ITEM.match(r.text) and not (len(r.text.split()) <= 3 and word_status(r.text.strip(" ."), key))]
    apply_history(text, recs, key)
    apply_rows(text, recs, key)  # a row keyed by the item's ref, before what running text says of an item it seems to mean
    apply_mentions(text, recs)
    cap_parents(recs)
    return recs


# a committee's own recommendation ("The Panel is recommended to note the report", "To consider whether the press and public
# should be excluded") and a status word alone ("being-progressed") are no inspection's recommendation
_NOT_AN_ITEM = re.compile(r"^\W*(?:\d+[.)]?\s*)?(?:that )?(?:the )?(?:members of the )?(?:panel|committee|board|members)\b.{0,30}?\b(?:is|are) "
                          r"(?:recommended|asked|invited|requested) to\b|^\W*(?:\d+[.)]?\s*)?to (?:consider|note|receive|agree|approve)\b", re.I)


def _line(text: str, lines: list[tuple[int, int]], n: int) -> str:
    return text[lines[n][0]:lines[n][1]]


def _group_lead_in(text: str, lines: list[tuple[int, int]], addressee: str | None) -> tuple[int, str | None]:
    """Skip a block's lead-in lines; an addressee stated once above a group applies to every member
    until the next one. Returns the index of the first line after them (and blank lines)."""
    i = 0
    while i < len(lines) and lines[i][0] >= 0 and _LEAD_IN.search(_line(text, lines, i)) and not _REC_LINE.match(_line(text, lines, i)):
        addressee = addressee_of(_line(text, lines, i), addressee)
        i += 1
    while i < len(lines) and lines[i][0] < 0:
        i += 1
    return i, addressee


def _after_blank(text: str, lines: list[tuple[int, int]], j: int, item: _Item) -> int | None:
    """At a blank line ``j`` inside an item: the line to read next, or None when the item ends here
    (a blank line ends its text unless more lettered parts follow)."""
    if not (item.parts or item.body is not None):
        return j + 1
    k = j
    while k < len(lines) and lines[k][0] < 0:
        k += 1
    if item.parts and k < len(lines) and _PART.match(_line(text, lines, k)):
        return k
    return None


def _layout(text: str, lines: list[tuple[int, int]], i: int, key: Any) -> _Item | None:
    """How the item starting at line ``i`` is laid out (None when that line heads no item)."""
    if i >= len(lines):
        return None
    s0, e0 = lines[i]
    head = text[s0:e0]
    m = _REC_LINE.match(head) or _NUMBERED_ITEM.match(head)
    if not m or head.count(" | ") >= 2:
        return None  # (a table's row is read by its columns: ingest/rec_tables.py)
    rest = m.group("rest").strip().strip("*").strip()
    # "Cause of concern 1: Responding to the public" names a topic; the item's text is the paragraph below
    topic = names_topic(rest) and i + 1 < len(lines) and lines[i + 1][0] >= 0
    item = _Item(head=head, match=m, body=(s0 + m.start("rest"), e0) if rest and not topic else None)
    if rest.endswith(":") and i + 1 < len(lines) and lines[i + 1][0] >= 0 and _PART.match(_line(text, lines, i + 1)):
        item.body, item.intro = None, (s0 + m.start("rest"), e0)  # "Recommendation 1: Within six months, the force should:" above its parts
    j = _run_on(text, lines, i + 1, item)
    while j < len(lines):
        s, e = lines[j]
        if s < 0:
            after = _after_blank(text, lines, j, item)
            if after is None:
                break
            j = after
            continue
        line = text[s:e]
        part = _PART.match(line)
        if part and item.body is None:
            cut = _INLINE_ANSWER.search(line, part.start("text"))
            if cut:  # "(a) a problem profile ... Response: Complete. ...": the part ends where its own answer begins
                item.own_answers[len(item.parts)] = (s + cut.end(), e)
            item.parts.append((part.group("letter") or part.group("small"), s + part.start("text"), s + cut.start() if cut else e))
        elif item.parts:
            break  # the response begins
        elif item.body is None and item.intro is None and (STATUS_LINE.match(line) or _FIELD.match(line)):
            # a portal entry's status and field labels ("Status: Completed", "Theme: ...", "Text:") before its text
            ahead = labelled(line, key) if STATUS_LINE.match(line) else None
            if ahead and item.status_ahead is None:
                item.status_ahead = Proposal(ahead.status, ahead.quote, s + ahead.start, s + ahead.end)
        elif item.body is None and item.intro is None and line.endswith(":"):
            item.intro = (s, e)
        elif item.body is None:
            item.body = (s, e)
            if item.intro is None and not rest:
                j = _paragraph_end(text, lines, j)  # a recommendation's own paragraph ends at a blank line
                item.body = (s, lines[j][1])
                j += 1
                break
        else:
            break
        j += 1
    item.end_line = j
    if item.parts and not item.own_answers and len(item.parts) == 1:
        j = _each_part_answered(text, lines, item, j)
    if item.body is not None and not item.parts:
        # lettered parts after the recommendation's paragraph, each answered below it ("(a) ...", "Response: Complete. ...")
        later = _answered_parts(text, lines, j)
        if len(later) >= 2:
            item.parts = [(letter, ps, pe) for letter, ps, pe, _ in later]
            item.own_answers = {n: answer for n, (_, _, _, answer) in enumerate(later) if answer}
    return item


def _each_part_answered(text: str, lines: list[tuple[int, int]], item: _Item, j: int) -> int:
    """An intro's lettered parts, each answered below it ("should:" / "(a) ..." / "Update: ..." / "(b) ..."):
    the parts and their own answers go on ``item``; returns the line the item's reading goes on from."""
    first_part = next(k for k, (ls, le) in enumerate(lines) if ls <= item.parts[0][1] <= le)
    later = _answered_parts(text, lines, first_part)
    if len(later) >= 2 and all(answer for _, _, _, answer in later[:-1]):
        item.parts = [(letter, ps, pe) for letter, ps, pe, _ in later]
        item.own_answers = {n: answer for n, (_, _, _, answer) in enumerate(later) if answer}
        item.end_line = j = max(j, next((k for k, (ls, _) in enumerate(lines) if ls >= later[-1][2]), j))
    return j


def _run_on(text: str, lines: list[tuple[int, int]], j: int, item: _Item) -> int:
    """Extend the item's text to the lower-case lines a PDF wrapped it onto; returns the next line to read.
    In a flattened table the response may follow on such a line ("... injuries to people. Body-worn video
    review ..."): the text ends at that sentence's end."""
    while item.body is not None and j < len(lines) and lines[j][0] >= 0 and text[lines[j][0]:lines[j][0] + 1].islower() and wrapped(text, item.body, lines[j]):
        stop = re.search(r"[.!?](?=\s+[A-Z])", text[lines[j][0]:lines[j][1]])
        item.body = (item.body[0], lines[j][0] + stop.end() if stop else lines[j][1])
        j += 1
        if stop:
            break
    return j


def _paragraph_end(text: str, lines: list[tuple[int, int]], j: int) -> int:
    """The last line of the paragraph starting at line ``j``: it runs to a blank line, a lettered
    part, a bullet, or a response label or heading."""
    while j + 1 < len(lines) and lines[j + 1][0] >= 0:
        following = _line(text, lines, j + 1)
        if _PART.match(following) or following.startswith(("-", "\u2022")) or RESPONSE_LABEL.match(following) or _RESPONSE_HEADING.match(following):
            break
        j += 1
    return j


def _read(text: str, block: Block, item: _Item, meta: Meta, key: Any, rdate: str | None, title: str, group_addressee: str,
          seen: dict[tuple[str, str], int]) -> list[Recommendation]:
    """The recommendation an item states and its lettered parts, with addressee, deadline, theme,
    the response below it and the status each is at ([] for a numbered line that asks nothing)."""
    intro, body, parts = item.intro, item.body, item.parts
    spans = [x for x in ([intro] if intro else []) + ([body] if body else []) + [(ps, pe) for _, ps, pe in parts] if x]
    if not spans:
        return []
    rec_start, rec_end = min(s for s, _ in spans), max(e for _, e in spans)
    own = " ".join(" ".join(text[s:e].strip(" *") for s, e in spans).split())
    if parts and intro:
        own = " ".join(text[intro[0]:intro[1]].split()) + " " + " ".join(f"{letter}. {' '.join(text[ps:pe].split())}" for letter, ps, pe in parts)
    response_start = rec_end
    while response_start < block.end and text[response_start].isspace():
        response_start += 1
    response = text[response_start:block.end].rstrip()
    lead = text[intro[0]:intro[1]] if intro else own
    addressee = addressee_of(strip_date_clause(lead), group_addressee)
    deadline, deadline_text = deadline_of(lead, rdate)
    theme = "" if block.section and (block.section.lower() in title or title.startswith(block.section.lower())) else block.section
    if not _REC_LINE.match(item.head) and not DIRECTIVE.search(own):
        return []  # a numbered line that asks nothing of anyone ("2. HOW THE REVIEW WAS DONE") is not a recommendation
    if _CONTENTS_LINE.search(own[:200]):  # a contents list's numbered line ("Scope .......... 4"), not a recommendation
        return []
    overall, part_props = _statuses(text, item, response, response_start, key)
    printed_type = item.match.groupdict().get("type")
    kind = _TYPES.get(printed_type.lower(), "recommendation") if printed_type else _section_type(block.section)
    ref = item.match.group("ref")
    seen[(kind, ref)] = seen.get((kind, ref), 0) + 1
    parent = Recommendation(
        ref=ref, ordinal=seen[(kind, ref)], type=kind, text=own, start=rec_start, end=rec_end, addressee=addressee,
        deadline=deadline, deadline_text=deadline_text, theme=theme, report=meta.report or meta.title, response=response,
        response_start=response_start, response_end=response_start + len(response), status=overall.status,
        status_quote=overall.quote, status_start=response_start + overall.start if overall.quote or not item.own_answers else 0,
        status_end=response_start + overall.end if overall.quote or not item.own_answers else 0,
    )
    out = [parent]
    part_kind = "recommendation" if kind == "cause_of_concern" else kind  # what is asked under a cause of concern is a recommendation
    for (letter, ps, pe), prop in zip(parts, part_props):
        part_text = " ".join(text[ps:pe].strip(" *").split())
        # a part's own deadline is an absolute date; "within one month" inside a part is a standard, not a deadline
        own_deadline = deadline_of(part_text, rdate) if BY_DATE.search(part_text) else (None, None)
        seen[(kind, letter)] = seen.get((kind, letter), 0) + 1
        out.append(Recommendation(
            ref=letter, ordinal=seen[(kind, letter)], type=part_kind, text=part_text, start=ps, end=pe, parent=ref,
            addressee=addressee_of(strip_date_clause(part_text), addressee) if not intro else addressee,
            deadline=own_deadline[0] or deadline, deadline_text=own_deadline[1] or deadline_text, theme=theme,
            report=parent.report, response=response, response_start=parent.response_start, response_end=parent.response_end,
            status=prop.status, status_quote=prop.quote, status_start=response_start + prop.start, status_end=response_start + prop.end,
        ))
    if not intro and parts:
        # no intro line: the parent's addressee and deadline come from its (first) part
        parent.addressee = out[1].addressee
        parent.deadline = parent.deadline or out[1].deadline
        parent.deadline_text = parent.deadline_text or out[1].deadline_text
    return out


def _statuses(text: str, item: _Item, response: str, response_start: int, key: Any) -> tuple[Proposal, list[Proposal]]:
    """The status of a recommendation and of each of its parts, with offsets into the response.

    A status the document prints ("Status: Amber") outranks one read from the wording; one printed
    above the text (a portal's) comes next. A part answered on its own line takes that answer, and
    then the whole is as far on as its parts: done when all are, under way when any has started."""
    overall, part_props = propose(response, len(item.parts))
    printed = labelled(response, key)
    if printed:
        overall, part_props = printed, [printed for _ in item.parts]
    elif item.status_ahead:  # its offsets are already the clean text's
        ahead = item.status_ahead
        overall = Proposal(ahead.status, ahead.quote, ahead.start - response_start, ahead.end - response_start)
        part_props = [overall for _ in item.parts]
    for n, (a_start, a_end) in item.own_answers.items():
        answer = text[a_start:a_end]
        lead_word = re.match(r"\s*([A-Z][\w -]{1,30}?)\s*[.;:]", answer)
        word = word_status(lead_word.group(1), key) if lead_word else None  # "Response: Complete. ..."
        said = labelled(answer, key) or (Proposal(word, lead_word.group(1), lead_word.start(1), lead_word.end(1)) if word and lead_word else None) \
            or propose(answer)[0]
        if said.status != "unknown":
            part_props[n] = Proposal(said.status, said.quote, a_start + said.start - response_start, a_start + said.end - response_start)
    if item.own_answers:
        done = [p.status for p in part_props]
        if all(x == "complete" for x in done):
            overall = part_props[0]
        elif any(x in ("complete", "in_progress") for x in done):
            overall = next(p for p in part_props if p.status == "in_progress") if "in_progress" in done else Proposal("in_progress")
    return overall, part_props


def _merge(first: list[Recommendation], more: list[Recommendation]) -> list[Recommendation]:
    """The first reading's items, and those of another reading that overlap none of them, in document order."""
    spans = [(r.start, r.end) for r in first]
    extra = [r for r in more if not any(s < r.end and r.start < e for s, e in spans)]
    if not extra:
        return first
    merged = sorted(first + extra, key=lambda r: r.start)
    seen: dict[tuple[str, str], int] = {}
    for r in merged:  # ordinals count each (type, ref) in document order, across readings
        seen[(r.type, r.ref)] = seen.get((r.type, r.ref), 0) + 1
        r.ordinal = seen[(r.type, r.ref)]
    return merged


def _answered_parts(text: str, lines: list[tuple[int, int]], j: int) -> list[tuple[str, int, int, tuple[int, int] | None]]:
    """(letter, start, end, its own answer's span) of each lettered part from line j on, where each part is
    followed by its answer; stops at the first line that is neither a part nor an answer to one."""
    found: list[tuple[str, int, int, tuple[int, int] | None]] = []
    for s, e in lines[j:]:
        if s < 0:
            continue
        line = text[s:e]
        part = _PART.match(line)
        if part:
            cut = _INLINE_ANSWER.search(line, part.start("text"))
            found.append((part.group("letter") or part.group("small"), s + part.start("text"), s + cut.start() if cut else e,
                          (s + cut.end(), e) if cut else None))
        elif found and (RESPONSE_LABEL.match(line) or found[-1][3] is not None):
            letter, ps, pe, answer = found[-1]
            a_start = answer[0] if answer else s + (RESPONSE_LABEL.match(line).end() if RESPONSE_LABEL.match(line) else 0)  # type: ignore[union-attr]
            found[-1] = (letter, ps, pe, (a_start, e))
        else:
            break
    return found


def _section_type(section: str | None) -> str:
    """The type a section's heading gives the unlabelled items under it: "Areas for improvement" (and no
    "recommendations") makes areas for improvement; "Causes of concern" alone, causes of concern."""
    words = (section or "").lower()
    if re.search(r"\brecommend", words):
        return "recommendation"
    if re.search(r"\bareas? for improvement\b|\bafis?\b", words):
        return "area_for_improvement"
    if re.search(r"\bcauses? of concern\b", words) and not re.search(r"\bareas? for improvement\b", words):
        return "cause_of_concern"
    return "recommendation"
