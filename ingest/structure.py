"""Find a document's structure in clean text: headings, recommendation blocks and paragraphs.

A recommendation block runs from its "Recommendation N" (or numbered item) line, with the
addressee lead-in just above it ("Police forces should ensure that:"), to the next
recommendation, heading or separator, so that a recommendation and the response to it stay
together. FOI disclosures have no recommendations: their numbered lines are questions.
"""

from __future__ import annotations

import re

from ingest.status import labelled
from ingest.records import Block, Clean, Source

_REC_LINE = re.compile(
    r"^(?:-\s*)?(?P<type>recommendations?|area for improvement|afi|cause of concern)\s+(?P<ref>\d{1,3}|[A-Z])\b[.:)]?\s*(?P<rest>.*)$",
    re.I,
)
_PROSE_AFTER_REF = re.compile(r"^(?:is|was|has|have|had|will|would|remains?|and|or|to|of|in|on|at|for|are|were|which|that|as)\b")
_NUMBERED_ITEM = re.compile(r"^(?:[-•]\s*)?(?P<ref>\d{1,2})(?:[.)]|\s)\s*(?P<rest>[A-Z(\"“'].{25,})$")
# a printed status or rating with its value ("Status: Complete", "RAG: Amber"): part of the answer above it, never a heading
STATUS_LINE = re.compile(r"^[\s*_-]*(?:current |overall |progress |rag |force )?(?:status|rating|rag(?: rating| status)?|progress rating)[\s*_]*[:\-\u2013]\s*\S", re.I)
_RESPONSE_HEADING = re.compile(r"^[\s*#]*(?:(?:the )?(?:force|pcc|opcc|opfcc|commissioner|chief constable|constabulary|police|our|[A-Z]{2,6})(?:'?s)?\s+)?"
                               r"(?:response|comments?|update|progress(?: update)?|position|actions?(?: taken)?)[\s*]*:?\s*$", re.I)
# a labelled date or reference ("Date published: 03 March 2022", "FOI reference: 16717"): a fact about the document, not a heading
_META_LINE = re.compile(r"^[\w /()-]{0,30}\b(?:date|ref|reference|received|published|responded|disclosed|request)\b[\w /()-]{0,20}:\s*\S*\d", re.I)
_LEAD_IN = re.compile(r"\b(should|must|will)\b.*:\s*$", re.I)
_CLOSING = re.compile(r"^(in conclusion|in summary|to conclude|finally,|i am grateful|i would like to thank|i welcome the|the comprehensive response|overall,)", re.I)
_HEADING_STOP = re.compile(r"[.,;!?]$")
_SENTENCE_WORDS = re.compile(r"\b(should|must|is|are|was|were|has|have|will|can|we|i)\b", re.I)


def _line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line of text, without the newline."""
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def source_marks(clean: Clean, source: Source, start: int, end: int) -> str:
    """How a clean line was marked up in the source: '#' heading, '*' wholly bold, '' plain."""
    if start >= end:
        return ""
    s, _ = clean.to_source(start, end)
    line_start = source.text.rfind("\n", 0, s) + 1
    line_end = source.text.find("\n", s)
    raw = source.text[line_start:line_end if line_end != -1 else len(source.text)].strip()
    if raw.startswith("#"):
        return "#"
    if re.fullmatch(r"(?:[-•]\s*)?\*\*.+\*\*:?", raw):
        return "*"
    return ""


def is_heading(line: str, mark: str) -> bool:
    """A short title-like line: marked as a heading, in capitals, or a short unpunctuated phrase."""
    words = line.split()
    if not words or len(words) > 12 or len(line) > 90:
        return False
    if _REC_LINE.match(line) or re.match(r"^[-•]|^\d|^[A-Z][.)]\s", line):
        return False
    if _HEADING_STOP.search(line) or "should" in line.lower() or STATUS_LINE.match(line) or _META_LINE.match(line):
        return False
    if mark == "#":
        return True
    letters = [c for c in line if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) > 3:
        return True
    if mark == "*" and len(words) <= 10:
        return True
    return len(words) <= 8 and line[0].isupper() and not _SENTENCE_WORDS.search(line) or bool(re.fullmatch(r"(Request|Response\s*\d*|Question\s*\d*|Answer\s*\d*)\s*:", line, re.I))


def _boundaries(clean: Clean, source: Source) -> set[int]:
    """Clean offsets where a removed separator line stood: nothing spans those."""
    cuts: set[int] = set()
    for r in clean.removed:
        if r.reason == "separator" and r.text.strip("-_=*") == "" and len(r.text) >= 3:
            # first clean char after the removed line
            lo, hi = 0, len(clean.offsets)
            while lo < hi:
                mid = (lo + hi) // 2
                if clean.offsets[mid] < r.end:
                    lo = mid + 1
                else:
                    hi = mid
            cuts.add(lo)
    return cuts


def _rec_ref(line: str, spans: list[tuple[int, int]], idx: int, text: str) -> str | None:
    """The reference of a recommendation that starts on this line ("Recommendation 3", "3."), or None."""
    rec = _REC_LINE.match(line)
    if rec and (len(rec.group("rest")) > 200 or _PROSE_AFTER_REF.match(rec.group("rest"))):
        return None  # prose that starts with the word "Recommendation" ("Recommendation 2 is therefore partly complete")
    if rec:
        return rec.group("ref")
    numbered = _NUMBERED_ITEM.match(line)
    if numbered and _asks(line, spans, idx, text):  # a numbered heading or paragraph ("2. HOW THE REVIEW WAS DONE") asks nothing
        return numbered.group("ref")
    return None


def _add_heading(blocks: list[Block], text: str, start: int, end: int, line: str) -> str:
    """Add a heading block (a heading broken over lines joins the one above); returns the section it starts."""
    prev_heading = text[blocks[-1].start:blocks[-1].end].rstrip() if blocks and blocks[-1].kind == "heading" else ""
    if prev_heading and not prev_heading.endswith(":") and not line.endswith(":") and text[blocks[-1].end:start].count("\n") == 1:
        blocks[-1].end = end
        blocks[-1].section = " ".join(text[blocks[-1].start:end].split()).rstrip(":").strip()
        return blocks[-1].section
    section = line.rstrip(":").strip()
    blocks.append(Block("heading", start, end, section=section))
    return section


def _lead_in_paragraph(blocks: list[Block], text: str) -> bool:
    """True when the last block is a one-line paragraph that leads in to a list ("Police forces should ensure that:")."""
    if not blocks or blocks[-1].kind != "paragraph":
        return False
    said = text[blocks[-1].start:blocks[-1].end].strip()
    return bool(_LEAD_IN.search(said)) and "\n" not in said


def find_blocks(clean: Clean, source: Source, kind: str) -> list[Block]:
    """Split clean text into heading, recommendation and paragraph blocks, in order."""
    text = clean.text
    blocks: list[Block] = []
    section, last_end = "", 0
    recs_allowed = kind != "foi_disclosure"
    cuts = _boundaries(clean, source)
    current: Block | None = None
    para_start: int | None = None

    def close_para(end: int) -> None:
        nonlocal para_start
        if para_start is not None and text[para_start:end].strip():
            blocks.append(Block("paragraph", para_start, end, section=section))
        para_start = None

    def close_rec(end: int) -> None:
        nonlocal current
        if current is not None:
            current.end = end
            blocks.append(current)
            current = None

    def close(end: int) -> None:
        close_rec(end)
        close_para(end)

    spans = _line_spans(text)
    for idx, (start, end) in enumerate(spans):
        line = text[start:end].strip()
        if any(last_end < c <= start for c in cuts):
            close(last_end)
        if not line:
            if current is None:
                close_para(last_end)
            continue
        if current is not None and _CLOSING.match(line) and text[last_end:start].count("\n") >= 2:
            close_rec(last_end)  # a closing remark after the last recommendation is not its response
        ref = _rec_ref(line, spans, idx, text) if recs_allowed else None
        if ref is not None:
            block_start = start
            lead = _trailing_lead_in(text, current.start, start) if current is not None else None
            if lead is not None:  # an addressee lead-in just above ("Police forces should ensure that:") joins the block
                block_start = last_end = lead
            elif current is None and para_start is None and _lead_in_paragraph(blocks, text):
                block_start = blocks.pop().start
            close(last_end)
            current = Block("recommendation", block_start, end, section=section, ref=ref)
        elif current is not None and (_RESPONSE_HEADING.match(line) or labelled(line)):
            pass  # "Force response", "Commissioner's comments", "Action: Completed": the answer to the recommendation above, inside its block
        elif is_heading(line, source_marks(clean, source, start, end)) and not _continues(spans, idx, text):
            close(last_end)
            section = _add_heading(blocks, text, start, end, line)
        elif current is None and para_start is None:
            para_start = start
        last_end = end
    close(last_end)
    if kind == "foi_disclosure":
        _link_answers(blocks, text)
    return blocks


_QUESTION = re.compile(r"^(?:q(?:uestion)?\s*)?(\d{1,2})[.):]\s+(.+)", re.I)
_ANSWER = re.compile(r"^(?:response|answer|a)\s*(\d{1,2})\b", re.I)


def _link_answers(blocks: list[Block], text: str) -> None:
    """Give each "Response N" paragraph the text of question N, so an answer can be found by its question."""
    questions: dict[str, str] = {}
    for b in blocks:
        if b.kind == "paragraph":
            m = _QUESTION.match(text[b.start:b.end].strip())
            if m and m.group(1) not in questions:
                questions[m.group(1)] = " ".join(m.group(2).split())[:300]
    for b in blocks:
        m = _ANSWER.match(b.section)
        if b.kind == "paragraph" and m and m.group(1) in questions:
            b.context = questions[m.group(1)]


# words that ask someone to act, and a contents list's dot leaders or trailing page number (shared with ingest.recommendations)
DIRECTIVE = re.compile(r"\b(?:should|must|needs? to|ought to|recommends?|is to|are to|ensure)\b", re.I)
CONTENTS_LINE = re.compile(r"(?:\.\s?){5,}|\u2026{2,}|\.{2,}\s*\d{1,3}\s*$")


def _asks(line: str, spans: list[tuple[int, int]], idx: int, text: str) -> bool:
    """A numbered line that asks someone to act (in it or the line it runs on to), and is no contents line."""
    if CONTENTS_LINE.search(line):
        return False
    following = text[spans[idx + 1][0]:spans[idx + 1][1]] if idx + 1 < len(spans) else ""
    return bool(DIRECTIVE.search(line) or (not line.rstrip().endswith((".", ":")) and DIRECTIVE.search(following)))


def _trailing_lead_in(text: str, block_start: int, line_start: int) -> int | None:
    """Start of a standalone lead-in line ending a block just before a new recommendation."""
    body = text[block_start:line_start].rstrip()
    cut = body.rfind("\n")
    if cut == -1:
        return None
    last = body[cut + 1:].strip()
    if _LEAD_IN.search(last) and body[:cut].endswith("\n"):
        return block_start + cut + 1
    return None


def _continues(spans: list[tuple[int, int]], idx: int, text: str) -> bool:
    """True when a short line is the start of a sentence that runs on to the next line."""
    if idx + 1 >= len(spans):
        return False
    nxt = text[spans[idx + 1][0]:spans[idx + 1][1]].strip()
    return bool(nxt) and nxt[:1].islower()
