"""Read an FOI disclosure: reference, dates, the request's questions, each answer matched to its
question, the exemptions cited and the outcome. Pure; works on clean text (requester details
are already removed by the cleaner: FOI is applicant-blind).

Layouts: "Request:" with numbered questions then "Response N:" sections (the seed); question /
answer tables ("| 1. question | answer |"); interleaved "Q1 ... A1 ..."; a single "Response:" to
all questions (a refusal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.foi_dates import disclosed_date, received_date
from ingest.metadata import find_foi_reference

FOIA_SECTIONS = {12, 14, 21, 22, 23, 24, 26, 27, 28, 29, 30, 31, 32, 33, 35, 36, 37, 38, 40, 41, 42, 43, 44}
_SECTION = re.compile(r"\b(?:section|s\.?)\s*(\d{1,2})((?:\(\d\))?(?:\([a-z]\))?)(?:\s*(?:and|/|&)\s*(\d{1,2})((?:\(\d\))?))?", re.I)


_Q = re.compile(r"^(?:q(?:uestion)?\s*(\d{1,2})[.:)]?|(\d{1,2})[.)])\s+(\S.*)$", re.I)
# "Response 1:", "Answer 2.", "A3", or a bare "Response:" label (one answer to every question)
_A = re.compile(r"^(?:(?:response|answer|reply)\s*(\d{1,2})?\s*:|(?:response|answer)\s*(?=\d)(\d{1,2})\b\.?|a(?=\d)(\d{1,2})\b[.:)]?)\s*(.*)$", re.I)
_REQUEST_LABEL = re.compile(r"(?:request|question|part)\s+(\d{1,2})\s*[.:]?", re.I)
_BULLET = re.compile(r"^[-\u2022*]\s+(\S.{5,})$")
_TABLE_ROW = re.compile(r"^\|?\s*(?:(\d{1,2})[.)]\s*)?([^|]{8,}?)\s*\|\s*([^|]+?)\s*\|?\s*$")


@dataclass
class FoiQuestion:
    """One question of a request, with the answer matched to it."""

    n: int
    question: str
    answer: str = ""
    exemptions: list[str] = field(default_factory=list)
    start: int = 0  # clean offsets of the question
    answer_start: int = 0


@dataclass
class FoiRecord:
    """What an FOI disclosure says."""

    reference: str | None
    received: str | None
    disclosed: str | None
    questions: list[FoiQuestion]
    exemptions: list[str]
    outcome: str  # disclosed_in_full | disclosed_in_part | refused | not_held | neither_confirm_nor_deny | unknown


def exemptions_in(text: str) -> list[str]:
    """FOIA sections cited in a text, as "s40(2)", "s12", "s23(5)", in order of first mention."""
    found: list[str] = []
    for m in _SECTION.finditer(text):
        for number, sub in ((m.group(1), m.group(2)), (m.group(3), m.group(4))):
            if number and int(number) in FOIA_SECTIONS:
                label = f"s{int(number)}{(sub or '').lower()}"
                if label not in found:
                    found.append(label)
    # "section 12" beside "section 12(1)": the more exact citation says it ("s31" said again as "s31(1)(a)")
    return [e for e in found if not any(f != e and f.startswith(e + "(") for f in found)]


def outcome_of(text: str, exemptions: list[str]) -> str:
    """The request's outcome from the response wording and the exemptions used."""
    t = text.lower()
    # some information given: a part refused or not held makes it a partial disclosure, not a refusal
    gives = re.search(r"\b(?:holds? (?:the |some of the )?information [^.]{0,40}\b(?:apart from|except|other than)|(?:is|are) (?:provided|set out|shown|given) (?:below|overleaf)|please find|"
                      r"(?:provided|disclosed) (?:below|in (?:the )?(?:table|attached))|the (?:figures|information|data) (?:are|is) (?:below|as follows|attached)|"
                      r"i enclose|^information disclosed$|found the following)\b",
                      re.sub(r"\bexplanations?\b[^.]{0,60}\b(?:is|are) (?:given|set out|provided) below", "", t), re.M)  # why it is not held is no disclosure
    # neither confirm nor deny for one part of a request, or for anything beyond what was given: the rest is answered
    ncnd_part = re.search(r"neither confirm nor deny\b[^.]{0,80}\b(?:any other|this part|that part|part \d|the remainder|the rest)\b", t)
    if "neither confirm nor deny" in t and "information requested, as outlined" not in t and not re.search(r"\bthere (are|is|were|was) \d", t) \
            and not (ncnd_part and gives):
        return "neither_confirm_nor_deny"
    if "s12" in [e[:3] for e in exemptions] or "refusal notice" in t or "exceed the appropriate limit" in t:
        return "disclosed_in_part" if gives else "refused"
    if re.search(r"\b(does not|do not) hold\b|\bnot held\b|\bno information (is )?held\b", t) and not re.search(r"\bdoes hold\b", t):
        # a part not held beside another withheld under an exemption (only information held can be exempt): in part
        return "disclosed_in_part" if gives or any(e[:3] in ("s31", "s40", "s38", "s30", "s43") for e in exemptions) else "not_held"
    if exemptions or "neither confirm nor deny" in t or "in part" in t:
        return "disclosed_in_part"
    if re.search(r"\b(does hold|disclosed|please find|as follows|as outlined)\b", t) or re.search(r"\b\d+\b", t):
        return "disclosed_in_full"
    return "unknown"



def _lines(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line.strip()))
        pos += len(line) + 1
    return out


def parse_foi(text: str, title: str = "") -> FoiRecord:
    """Read a disclosure's clean text."""
    lines = _lines(text)
    questions = _table(lines) or _interleaved(lines) or _request_then_responses(lines) or _numbered_request(lines)
    exemptions = exemptions_in(text)
    for q in questions:
        q.exemptions = exemptions_in(q.answer)
    disclosed = disclosed_date(text)
    return FoiRecord(
        reference=find_foi_reference(text, title),
        received=received_date(text, disclosed),
        disclosed=disclosed,
        questions=questions, exemptions=exemptions, outcome=outcome_of(_response_text(text, questions), exemptions),
    )


def _response_text(text: str, questions: list[FoiQuestion]) -> str:
    answers = " ".join(q.answer for q in questions if q.answer)
    m = re.search(r"\bresponse\b\s*:?", text, re.I)
    general = text[m.end():] if m else text
    # the answers, and what the response says of the whole request ("does not hold the information you have requested")
    return f"{answers} {general[:3000]}" if answers else general


# what a request's question opens with (or a question mark): a table's row of figures ("Northern Area custody suite | 4,210") does not
_ASKS = re.compile(r"\?|^\W*(?:q?\d{1,2}[.):]?\s*)?(?:how|what|which|when|where|who|whether|why|do|does|did|is|are|was|were|has|have|can|could|"
                   r"please|provide|confirm|i would like|the (?:number|total|amount|names?|dates?|details?|costs?|percentage|proportion)|"
                   r"(?:the )?numbers? of|details of|cop(?:y|ies) of|a copy|a list|list|any|all|information)\b", re.I)


def _table(lines: list[tuple[int, str]]) -> list[FoiQuestion]:
    out: list[FoiQuestion] = []
    for pos, line in lines:
        if line.count("|") < 1 or re.fullmatch(r"[|\s:-]+", line):
            continue
        m = _TABLE_ROW.match(line)
        if not m or m.group(2).strip().lower() in ("question", "request", "questions"):
            continue
        q = m.group(2).strip()
        if len(re.findall(r"[A-Za-z]{2,}", q)) < 5 and "?" not in q or not _ASKS.search(q):
            continue  # a field ("Our Ref", "Date"), a column of figures or a row of a table of figures, not a question
        out.append(FoiQuestion(n=int(m.group(1)) if m.group(1) else len(out) + 1, question=q, answer=m.group(3).strip(),
                               start=pos + line.find(q), answer_start=pos + line.rfind(m.group(3).strip())))
    return out if len(out) >= 1 and all(q.answer for q in out) else []


def _interleaved(lines: list[tuple[int, str]]) -> list[FoiQuestion]:
    """Q1 ... A1 ... (an answer follows each question)."""
    out: list[FoiQuestion] = []
    current: FoiQuestion | None = None
    in_answer = False
    for pos, line in lines:
        q = re.match(r"^q(?:uestion)?\s*(\d{1,2})\b[.:)]?\s*(.*)$", line, re.I)
        a = re.match(r"^a(?:nswer)?\s*(\d{1,2})\b[.:)]?\s*(.*)$", line, re.I)
        if q:
            current = FoiQuestion(n=int(q.group(1)), question=q.group(2), start=pos)
            out.append(current)
            in_answer = False
        elif a and current is not None:
            current.answer, current.answer_start, in_answer = a.group(2), pos, True
        elif current is not None and line:
            if in_answer:
                current.answer = f"{current.answer} {line}".strip()
            else:
                current.question = f"{current.question} {line}".strip()
    return out if out and any(q.answer for q in out) else []


_ITEM = re.compile(r"^(?:q(?:uestion)?\s*)?(?P<n>\d{1,2}|[a-h])[.):]\s+(?P<q>\S.{9,})$", re.I)
_ANSWER_STARTS = re.compile(r"^(?:response(?!\s*(?:date|sent|due|deadline)\b)|our response|answer|reply(?!\s*date\b)|the information (?:you requested|requested)|information (?:held|disclosed)|dear\b|"
                            r"i can confirm|we can confirm|please find|thank you for your (?:email|request)\b.*(?:below|following|response))", re.I)


# the lead-in of a list the Act or its boilerplate sets out, never the request's
_LEGAL_LIST = re.compile(r"\bsection \d{1,2}(?:\(\d\))? of (?:the )?(?:FOIA|freedom of information act|act)\b[^\n]*:\s*$|\ba notice which\s*:?\s*$", re.I)


def _numbered_request(lines: list[tuple[int, str]]) -> list[FoiQuestion]:
    """The request's first numbered (or lettered) list, when no answer is matched to each question: its items are the
    questions ("1. The number of ...", "a) How many ..."), a wrapped item's lines joined; the list ends where the answer begins."""
    out: list[FoiQuestion] = []
    subs: dict[int, list[FoiQuestion]] = {}  # "1. Please provide annual totals of:" and the bullets under it, each a question
    labelled: int | None = None  # "Request 2" on a line of its own: the question is the next line
    before = ""  # the last line before this one
    for pos, raw in lines:
        if out and (_ANSWER_STARTS.match(raw) or _A.match(raw)):
            break
        before, previous = raw or before, before
        line = raw.lstrip("\"\u201c'\u2018")  # a request quoted back: '"1. Does the force ...'
        pos += len(raw) - len(line)
        heading = _REQUEST_LABEL.fullmatch(line)
        if heading and int(heading.group(1)) == len(out) + 1:
            labelled = int(heading.group(1))
            continue
        if labelled is not None and line:
            out.append(FoiQuestion(n=labelled, question=line, start=pos))
            labelled = None
            continue
        m = _ITEM.match(line)
        expected = str(len(out) + 1) if not out or out[0].n < 100 else chr(ord("a") + len(out))
        bullet = _BULLET.match(line)
        bullet = bullet if bullet and len(bullet.group(1)) >= 10 else None  # a sub-question under an item: ten characters or more
        if m and not out and _LEGAL_LIST.search(previous):
            continue  # the Act's own list ("Section 17 of FOIA requires ... a notice which: a) states that fact"), no question
        if m and out and out[-1].question.endswith(":") and m.group("n").lower() == chr(ord("a") + len(subs.get(len(out) - 1, []))):
            # "3. Details of:" and the lettered parts under it ("a. the number of staff ..."), each a question
            subs.setdefault(len(out) - 1, []).append(FoiQuestion(n=0, question=m.group("q").strip(), start=pos))
        elif m and (m.group("n").lower() == expected or (not out and m.group("n").lower() in ("1", "a"))):
            label = m.group("n").lower()
            out.append(FoiQuestion(n=int(label) if label.isdigit() else 100 + ord(label) - ord("a"), question=m.group("q").strip(), start=pos))
        elif out and bullet and out[-1].question.endswith(":"):
            subs.setdefault(len(out) - 1, []).append(FoiQuestion(n=0, question=bullet.group(1).strip(), start=pos + line.find(bullet.group(1))))
        elif out and line and not _ITEM.match(line) and len(out[-1].question) < 400 and line[:1].islower():
            out[-1].question = f"{out[-1].question} {line}"
        elif out and line and len(out) >= 2:
            break  # the list is over
    bulleted = _bulleted_request(lines)
    if len(out) < 2 or bulleted and bulleted[0].start < out[0].start:  # a bulleted request above the response's numbered parts
        return bulleted or _quoted_request(lines)
    out = [q for k, item in enumerate(out) for q in subs.get(k, [item])]
    for n, q in enumerate(out, start=1):  # lettered items (and the bullets under an item) are numbered in order
        q.n = n
    return out


def _bulleted_request(lines: list[tuple[int, str]]) -> list[FoiQuestion]:
    """A request's bulleted list under the line that introduces it ("... please could you tell me:"), when it
    has no numbered one: each bullet a question, numbered in order; the list ends at its first other line."""
    out: list[FoiQuestion] = []
    intro = False
    for pos, line in lines:
        bullet = _BULLET.match(line)
        if intro and bullet:
            out.append(FoiQuestion(n=len(out) + 1, question=bullet.group(1).strip(), start=pos + line.find(bullet.group(1))))
            continue
        if out:
            break
        if _ANSWER_STARTS.match(line) and not re.match(r"dear\b", line, re.I) or _A.match(line):  # "Dear ..." opens a request as well as a reply
            return []
        intro = line.endswith(":") or bool(_ASKS_FOR.search(line))
    return out if len(out) >= 2 else []


def _quoted_request(lines: list[tuple[int, str]]) -> list[FoiQuestion]:
    """A request of one question, quoted back under the line that introduces it ("You asked for:" / '"copies of all ...'), or none."""
    for k, (_, line) in enumerate(lines[:-1]):
        if re.search(r"\b(?:you (?:asked|have asked) for|you requested|your request (?:was|reads|read))\s*:$", line, re.I):
            nxt_pos, nxt = lines[k + 1]
            if nxt[:1] in "\"\u201c" and len(nxt) >= 20:
                return [FoiQuestion(n=1, question=nxt.strip("\"\u201c\u201d "), start=nxt_pos + 1)]
    return []


# a line that asks for information ("Under the Act, I would like some information about ..."): a request's lead-in
_ASKS_FOR = re.compile(r"\b(?:i would like|i (?:am )?request(?:ing)?|(?:please|could you|can you)(?: please)?(?: could you)? (?:provide|tell|supply|send|give))\b", re.I)


def _request_then_responses(lines: list[tuple[int, str]]) -> list[FoiQuestion]:
    """ "Request:" with numbered questions, then "Response N:" sections or one "Response:"."""
    questions: list[FoiQuestion] = []
    answers: dict[int, tuple[int, list[str]]] = {}
    state, current_q, current_a = "pre", None, None
    for pos, line in lines:
        if re.fullmatch(r"request\s*:?", line, re.I):
            state = "request"
            continue
        if state == "request" and questions and re.fullmatch(r"(?:our )?(?:response|answer|reply)\s*:?", line, re.I):
            state, current_a = "response", 0  # a bare "Response" heading: one response to every question
            answers.setdefault(0, (pos, []))
            continue
        a = _A.match(line)
        if a:
            state = "response"
            n = int(a.group(1) or a.group(2) or a.group(3) or 0)
            current_a = n
            answers.setdefault(n, (pos, []))
            rest = a.group(4).strip()
            if rest:
                answers[n][1].append(rest)
            continue
        if state == "request":
            q = _Q.match(line)
            bullet = _BULLET.match(line)
            if q:
                current_q = FoiQuestion(n=int(q.group(1) or q.group(2)), question=q.group(3).strip(), start=pos)
                questions.append(current_q)
            elif bullet:  # a bulleted request: each bullet a question, numbered in order
                current_q = FoiQuestion(n=len(questions) + 1, question=bullet.group(1).strip(), start=pos + bullet.start(1))
                questions.append(current_q)
            elif current_q is not None and line and not line.endswith(":"):
                current_q.question = f"{current_q.question} {line}".strip()
        elif state == "response" and line and current_a is not None:
            answers[current_a][1].append(line)
    for item in questions:
        if item.n in answers:
            item.answer_start, item.answer = answers[item.n][0], " ".join(answers[item.n][1])
        elif 0 in answers:  # one response to every question
            item.answer_start, item.answer = answers[0][0], " ".join(answers[0][1])
    return questions
