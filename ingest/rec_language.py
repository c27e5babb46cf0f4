"""Recommendations found by their language, wherever they stand: letters, web pages, committee papers,
monitoring portals and report extracts that have no "Recommendation N" blocks.

A line is an item when it is labelled ("Area for improvement", "AFI 1:", "Concern 2 - Privacy"),
cites its number at the end ("... (Recommendation 10)"), says "HMICFRS recommends that ...", or,
inside a part of the document about recommendations, areas for improvement or causes of concern,
asks someone to act ("The force should ...", "Chief constables must ...", or a list under "HM
Prison and Probation Service should:"). Numbering helps with the ref but is not the test. The
printed status nearby is read through the document's key; the response's wording is read only in
documents that answer recommendations (an inspection's own narrative is not a response). Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from ingest.records import Block, Meta, Recommendation
from ingest.status import TRACKER_WORDS, Proposal, keyed_cell, labelled, propose, status_cell, word_status

_KIND_WORDS = [(re.compile(r"\bareas? for improvement\b|\bAFIs?\b", re.I), "area_for_improvement"),
               (re.compile(r"\bcauses? of concern\b|\bconcerns?\b", re.I), "cause_of_concern"),
               (re.compile(r"\brecommend", re.I), "recommendation")]
_CONTEXT = re.compile(r"\brecommendations?\b|\bareas? for improvement\b|\bAFIs?\b|\bcauses? of concern\b", re.I)
_BULLET = re.compile(r"^(?:[-•*▪◦–]\s+(?:(?P<ref2>\d{1,2})[.)]\s+)?|(?P<ref>\d{1,3}(?:\.\d{1,2})?(?:\s?\([a-z]\)|[a-z])?)[.)]?\s+(?=\S)|\((?P<letter>[a-z])\)\s+)")
_LABEL = re.compile(r"^(?P<type>recommendation|area for improvement|afi|cause of concern|concern)(?:\s+(?P<ref>[A-Z]{0,4}[-\s]?\d{1,3}[a-z]?|[A-Z]))?"
                    r"\s*(?:[:.\-\u2013]\s*(?P<text>\S.*)?)?$", re.I)
_TRAILING_REF = re.compile(r"^(?P<text>.{20,}?)\s*\((?P<type>recommendation|area for improvement|afi)\s+(?P<ref>\d{1,3}[a-z]?)\)\.?$", re.I)
_RECOMMENDS = re.compile(r"^(?:HMIC(?:FRS)?|HMI\w*|we|the inspectorate|the inspectors?)\s+recommends?\s+that\s+(?P<text>.+)$", re.I)
_AFTER_COLON = re.compile(r"^.{0,80}?\b(?:should|must)\b(?:\s+\w+){0,2}\s*:\s*(?P<rest>\S.+)$", re.I)
# who must act: a few words naming someone, none of them a verb or pronoun ("Dyfed-Powys Police has advised that ..." is not an actor)
_NOT_ACTOR = r"(?!(?:has|have|had|is|are|was|were|will|would|can|could|may|that|which|who|this|these|those|it|its|there|we|i|our|my|you|they|their|also|not)\b)"
ACTS = re.compile(rf"^(?:(?:by|before) [^,]{{3,40}},\s*|within [\w ]{{3,25}},\s*|if [^,]{{3,80}},\s*)?(?P<who>(?:the |all |every |each )?{_NOT_ACTOR}[A-Za-z][\w'’&-]*"
                   rf"(?: {_NOT_ACTOR}[\w'’&-]+){{0,9}}?)\s+(?:should|must|needs? to|is to|are to|ought to)\b", re.I)
_LEAD_IN = re.compile(r"\b(?:should|must|needs? to)\b[^.]{0,80}:\s*$", re.I)
_FINDING_LEAD = re.compile(r"\b(?:found|concluded|were concerned|was concerned) that (?:the force|the constabulary|[A-Z][\w-]+ (?:police|constabulary)|it)\s*:\s*$", re.I)
_INLINE_RESPONSE = re.compile(r"\s(?P<label>(?:(?:OPCC|OPFCC|PCC|force|commissioner'?s?|our|[A-Z]{2,6})\s+)?(?:response|comments?|update)\s*:)\s", re.I)
_SENTENCE_END = (".", "?", "!", ":", ";")
_VERB = re.compile(r"\b(?:should|must|is|isn[’']t|are|aren[’']t|was|were|has|hasn[’']t|have|haven[’']t|does|doesn[’']t|do|don[’']t|not|needs?|can|cannot|will|"
                   r"within|by)\b|:$", re.I)


def names_topic(rest: str) -> bool:
    """A label's words that only name a topic ("Cause of concern 1: Responding to the public"): short, no
    sentence's end, nothing asked or stated; the item's text is then the line below."""
    return bool(rest) and len(rest) < 60 and not rest.endswith(".") and not _VERB.search(rest)


@dataclass
class _Line:
    text: str
    start: int
    end: int
    heading: bool = False


def logical_lines(text: str, blocks: list[Block]) -> list[_Line]:
    """Non-blank lines, with a line wrapped in a PDF joined to the one it runs on to; headings marked."""
    heads = {b.start for b in blocks if b.kind == "heading"}
    out: list[_Line] = []
    pos = 0
    joinable = False
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        stripped = raw.strip()
        if not stripped:
            joinable = False
            continue
        s = start + (len(raw) - len(raw.lstrip()))
        e = s + len(stripped)
        runs_on = joinable and out and not _BULLET.match(stripped) and not _LABEL.match(stripped) and (
            stripped[:1].islower() or (len(out[-1].text) >= 60 and not out[-1].text.endswith(_SENTENCE_END)))
        if runs_on:
            last = out[-1]
            out[-1] = _Line(text[last.start:e].replace("\n", " "), last.start, e, last.heading)  # same length: offsets hold
        else:
            out.append(_Line(stripped, s, e, s in heads))
        joinable = not stripped.endswith(_SENTENCE_END) and not re.search(r"\(\w+(?: \w+)? \d+\w?\)$", stripped) and "|" not in stripped
    return out


# "... recommended that chief constables should make sure that ..." inside a sentence, up to the sentence's end
_RECOMMENDED_THAT = re.compile(r"\brecommend(?:ed|s)?\s+that\s+(?P<text>(?:the |all )?[A-Za-z][\w'’ -]{1,60}?\s+(?:should|must)\s+[^.]{20,}?\.)(?=\s|$)", re.I)
# the inspectorate's formula met mid-line: "Within six months, chief constables should ...", "By 30 April 2023, forces must ..."
_DEADLINE_ASK = re.compile(r"(?P<text>\b(?:Within (?:\w+ )?(?:days?|weeks?|months?|years?)|By \d{1,2}(?:st|nd|rd|th)? [A-Z][a-z]+ \d{4}|Immediately),\s+(?:the |all )?"
                           r"[A-Za-z][\w'’ -]{1,60}?\s+(?:should|must)\s+[^.]{20,}?\.)(?=\s|$)")
_THAT = re.compile(r"\b(?:is|was|are|were|found|concluded|said|identified)\s+that\s+", re.I)


# what a recommendation asks for: "should make sure", "must review", "should, by March, introduce" (not "should be proud")
ACTION = re.compile(r"\b(?:should|must|needs? to)\s+(?:\w+ly\s+|also\s+|now\s+|,[^,]{0,40},\s*)?(?:make sure|ensure|review|improve|develop|introduce|publish|"
                     r"establish|put|set|consider|work|provide|stop|record|give|carry out|train|reduce|increase|agree|adopt|use|monitor|produce|take|"
                     r"assess|evaluate|check|create|update|strengthen|clarify|share|engage|collect|analyse|identify|implement|include|seek|appoint|"
                     r"do|have|be (?:able|clear|confident|satisfied))\b", re.I)


def _known_actor(text: str) -> bool:
    """The paragraph opens by asking an addressee recommendations are made to ("Chief constables should ...")."""
    from ingest.rec_fields import addressee_of

    return addressee_of(_strip_lead(text), None) is not None and bool(ACTS.match(text)) and bool(ACTION.search(text[:200]))


def _answers(line: str) -> bool:
    """A line that starts the answer to the item above it ("Commissioner's comment: ...", "Force response")."""
    from ingest.recommendations import RESPONSE_LABEL
    from ingest.structure import _RESPONSE_HEADING

    return bool(RESPONSE_LABEL.match(line) or _RESPONSE_HEADING.match(line))


def _row_status(row: str, key: dict[str, str], offset: int) -> tuple[str, str, int, int]:
    """(status, quote, start, end) of the first status word standing in a flattened progress row."""
    known = sorted({*key, *(w for w, _ in TRACKER_WORDS)}, key=len, reverse=True)
    m = re.search(r"\b(" + "|".join(re.escape(w) for w in known) + r")\b", row, re.I)
    if not m:
        return "unknown", "", 0, 0
    status = word_status(m.group(1), key) or "unknown"
    return status, m.group(1), offset + m.start(1), offset + m.end(1)


def _who(text: str, default: str) -> str:
    """Who is asked to act: a known addressee, else the words before "should" ("HM Prison and Probation Service")."""
    from ingest.rec_fields import addressee_of

    known = addressee_of(text, None)
    if known:
        return known
    m = ACTS.match(_strip_lead(text))
    return " ".join(m.group("who").lower().split()) if m else default


def _strip_lead(text: str) -> str:
    """ "Within three months, the constabulary should make sure that:" -> "the constabulary should make sure that:"."""
    return re.sub(r"^(?:(?:by|before) [^,]{3,40},\s*|within [\w ]{3,25},\s*)", "", text.strip(), flags=re.I)


def _kind_from(words: str, default: str) -> str:
    for pattern, kind in _KIND_WORDS:
        if pattern.search(words):
            return kind
    return default


def _is_context(line: _Line) -> str | None:
    """The kind of item a heading or lead-in announces ("Areas for improvement", "... set out three AFIs:"), or None."""
    t = line.text
    short = len(t.split()) <= 12 and not t.endswith(".")
    announces = t.endswith(":") or re.search(r"\b(?:below|as follows|following|listed)\b", t, re.I)
    if _CONTEXT.search(t) and (line.heading or short or announces) and not re.match(r"case stud(?:y|ies)\b", t, re.I):  # one case's story
        return _kind_from(t, "recommendation")
    return None


class _Found(NamedTuple):
    """An item found by its wording: its line, type, ref, text span, the addressee of the list it
    sits in, and a status printed with it."""

    line: int
    kind: str
    ref: str
    start: int
    end: int
    lead_who: str | None = None
    printed: Proposal | None = None
    lead: str = ""  # the lead-in above its list ("By 30 September 2024, the force should make sure that:"): its deadline


@dataclass
class _Scan:
    """Reading a document's lines in order: the kind of item the current heading or lead-in
    announces, the "X should:" list being read, and what has been found."""

    lines: list[_Line]
    key: dict[str, str]
    default_who: str
    answers: bool  # a response (it quotes what it answers)
    other: bool  # a document of kind "other"
    context: str | None = None
    context_at: int = 0  # the line that set the context
    lead: tuple[str, str] | None = None  # (addressee, type) of a "X should:" list
    lead_at: int = -2  # the line of the lead-in, or of the list's latest item
    lead_text: str = ""  # that lead-in's words, when it asks for something (its deadline is its items')
    found: list[_Found] = field(default_factory=list)

    def run(self) -> list[_Found]:
        i = 0
        while i < len(self.lines):
            i = self.step(i) + 1
        return self.found

    def step(self, i: int) -> int:
        """Read line ``i``; returns the last line it used."""
        from ingest.recommendations import DIRECTIVE

        line = self.lines[i]
        t = line.text
        ctx = _is_context(line)
        label = _LABEL.match(t.lstrip("-\u2022* "))
        if line.heading and not ctx and not label:
            # a theme's sub-heading inside a part about one type ("Pre-custody: first point of contact" under "Areas for
            # improvement") keeps its type when the list below it asks for something; any other heading ends the part
            if not (self.context and self._list_below_asks(i)):
                self.context = None
            self.lead = None
        elif ctx and not (label and label.group("text") and len(label.group("text")) >= 20):
            self.context, self.context_at, self.lead = ctx, i, None
            if ctx in ("cause_of_concern", "area_for_improvement") and _FINDING_LEAD.search(t):
                self.lead, self.lead_at, self.lead_text = (self.default_who, ctx), i, ""  # "... two causes of concern. We found that the force:" above the list
            elif _LEAD_IN.search(t) and not label:
                # "The report also identifies the following areas for improvement. HMICFRS says the force should:" above the list
                asked = "recommendation" if ctx == "cause_of_concern" else ctx  # "To address this cause of concern, we recommended that ... should:"
                self.lead, self.lead_at, self.lead_text = (_who(_strip_lead(t.rsplit(". ", 1)[-1]), self.default_who), asked), i, ""
            if not label or label.group("type").lower() in ("recommendation", "concern") and not label.group("ref") and not line.heading:
                return i
        bullet = _BULLET.match(t)
        ref = (bullet.group("ref") or bullet.group("ref2") or bullet.group("letter") or "") if bullet else ""
        body_start = line.start + (bullet.end() if bullet else 0)
        body = t[body_start - line.start:]
        label = _LABEL.match(body)
        if label and label.group("type").lower() == "concern" and self.context != "cause_of_concern":
            label = None
        if label:
            kind = _kind_from(label.group("type"), "recommendation")
            ref = (label.group("ref") or ref or "").strip()
            rest = label.group("text") or ""
            earlier = next((n for n, f in enumerate(self.found) if f.kind == kind and f.ref == ref and ref), None)
            if earlier is not None and not DIRECTIVE.search(rest):
                # a progress row for an item already read ("AFI 1 - demand | Lead | Mar 2016 | Ongoing | ..."): its status, not a new item
                row = Proposal(*_row_status(rest, self.key, body_start + label.start("text")))
                if row.status != "unknown" and self.found[earlier].printed is None:
                    self.found[earlier] = self.found[earlier]._replace(printed=row)
                return i
            if len(rest) >= 20 and not re.match(r"^[A-Z][\w ,'-]{0,60}$", rest) and not names_topic(rest):
                self.found.append(_Found(i, kind, ref, body_start + label.start("text"), line.end))
                return i
            i = self.text_below(i, kind, ref)
            self.context, self.context_at = (self.context, self.context_at) if self.context else (kind, i)
            return i
        self.unlabelled(i, line, body, body_start, ref, bool(bullet))
        return i

    def _list_below_asks(self, i: int) -> bool:
        """The line after heading ``i`` is a bulleted item that asks something of someone ("- The force should ...")."""
        if i + 1 >= len(self.lines):
            return False
        nxt = self.lines[i + 1].text
        bullet = _BULLET.match(nxt)
        return bullet is not None and bool(ACTS.match(nxt[bullet.end():]))

    def text_below(self, i: int, kind: str, ref: str) -> int:
        """A label with its text on the lines below: the first line that asks for something, within
        the entry; a bare status word on the way is its status. Returns the line of the text (or ``i``)."""
        from ingest.recommendations import DIRECTIVE

        printed: Proposal | None = None
        first = True  # the line right below the label (after a bare status word) is its text, asking or not
        for j in range(i + 1, min(i + 16, len(self.lines))):
            nxt = self.lines[j].text
            other = _LABEL.match(nxt)
            if other and (other.group("ref") or other.group("text")) and not _RECOMMENDS.match(nxt):
                break  # the next item's label (a bare "Recommendation", a field's value, is not one)
            word = word_status(nxt, self.key) if len(nxt.split()) <= 3 else None
            line_label = labelled(nxt, self.key) if not word else None  # "Status: awaiting-review"
            if (word or line_label) and printed is None:
                printed = Proposal(word, nxt, self.lines[j].start, self.lines[j].end) if word else \
                    Proposal(line_label.status, line_label.quote, self.lines[j].start + line_label.start, self.lines[j].start + line_label.end)  # type: ignore[union-attr]
                continue
            asks = bool(ACTS.match(nxt.lstrip("-\u2022* ")) or _RECOMMENDS.match(nxt) or DIRECTIVE.search(nxt))
            if len(nxt) >= 30 and not self.lines[j].heading and not nxt.startswith("|") and (first or asks):
                s, e = self.lines[j].start, self.lines[j].end
                rec = _RECOMMENDS.match(nxt)
                if rec:
                    s = self.lines[j].start + rec.start("text")
                    colon = _AFTER_COLON.match(rec.group("text"))
                    if colon:
                        s += colon.start("rest")
                self.found.append(_Found(j, kind, ref, s, e, None, printed))
                return j
            first = False
        return i

    def unlabelled(self, i: int, line: _Line, body: str, body_start: int, ref: str, bullet: bool) -> None:
        """A line with no label: a recommendation by its wording, a list's lead-in or item, or a finding."""
        trailing = _TRAILING_REF.match(body)
        if trailing:
            self.found.append(_Found(i, _kind_from(trailing.group("type"), "recommendation"), trailing.group("ref"), body_start,
                                     body_start + trailing.end("text")))
            return
        rec = _RECOMMENDS.match(body)
        if rec:
            s = body_start + rec.start("text")
            colon = _AFTER_COLON.match(rec.group("text"))
            if colon:
                s += colon.start("rest")
            self.found.append(_Found(i, self.context or "recommendation", ref, s, line.end))
            return
        inside = [m for m in _RECOMMENDED_THAT.finditer(body) if m.start() > 0]
        if inside and not bullet:
            # running text that reports what was recommended: "Among them, the inspectorate recommended that chief constables should ..."
            for m in inside:
                self.found.append(_Found(i, "recommendation", ref, body_start + m.start("text"), body_start + m.end("text")))
            return
        asks = [m for m in _DEADLINE_ASK.finditer(body) if m.start() > 0 or not self.context]  # at a line's start, outside a part about items too
        if asks:
            # a card flattened into a line: "- Living in fear (report) Within six months, chief constables should ... Status: Superseded ..."
            for m in asks:
                after = body[m.end():m.end() + 200]
                said = labelled(after.split(" HMICFRS comment")[0], self.key)
                printed = Proposal(said.status, said.quote, body_start + m.end() + said.start, body_start + m.end() + said.end) if said else None
                self.found.append(_Found(i, "recommendation", ref, body_start + m.start("text"), body_start + m.end("text"), None, printed))  # a deadline marks a recommendation
            return
        context = self.context
        if context in ("cause_of_concern", "area_for_improvement") and _FINDING_LEAD.search(body) and not bullet:
            # "We found that the force:" above a list of failings: each is the finding (a cause of concern) itself
            self.lead, self.lead_at, self.lead_text = (self.default_who, context), i, ""
            return
        if _LEAD_IN.search(body) and (context or re.search(r"\brecommend", body, re.I)):
            # what a cause of concern's lead-in asks for ("Within three months, the force should make sure that:") is a recommendation
            asked = "recommendation" if context in (None, "cause_of_concern") else context
            self.lead, self.lead_at, self.lead_text = (_who(_strip_lead(body), self.default_who), asked), i, body
            return
        lines = self.lines
        if bullet and self.lead and self.lead_at == i - 1:
            self.found.append(_Found(i, self.lead[1], ref, body_start, line.end, self.lead[0], lead=self.lead_text))
            self.lead_at = i  # the list runs on while its items follow one another
        elif context and ACTS.match(body) and len(body) >= 30:
            self.found.append(_Found(i, context, ref, body_start, line.end))
        elif context in ("cause_of_concern", "area_for_improvement") and ref.isdigit() and len(body) >= 60 and lines[self.context_at].heading:
            # a numbered paragraph under an "Areas for improvement" heading states one, as an inspection letter numbers them
            self.found.append(_Found(i, context, ref, body_start, line.end))
        elif self.answers and not self.other and len(body) >= 60 and _known_actor(body):
            # a response quotes what it answers: a paragraph asking chief constables, forces or a named body to act
            self.found.append(_Found(i, "recommendation", ref, body_start, line.end))
        elif context and len(body) >= 60 and i + 1 < len(lines) and _answers(lines[i + 1].text) and not _answers(body):
            # a finding answered on the next line ("The first cause of concern is that ..." / "Commissioner's comment: ...")
            that = _THAT.search(body[:160])
            self.found.append(_Found(i, context, ref, body_start + (that.end() if that else 0), line.end))


def find_language_recommendations(text: str, blocks: list[Block], meta: Meta, key: dict[str, str]) -> list[Recommendation]:
    """Every recommendation, area for improvement and cause of concern found by its wording, in order."""
    lines = logical_lines(text, blocks)
    answers = meta.kind in ("pcc_response", "force_response", "other")
    default_who = "forces" if meta.kind == "inspection_report" else "the force"
    found = _Scan(lines, key, default_who, answers, meta.kind == "other").run()
    return _recommendations(text, lines, found, meta, key, answers, default_who)


def _sentence_before(text: str, start: int, end: int) -> int:
    """Where the last sentence that ends before ``end`` (and after ``start``) ends; ``end`` when none does."""
    stop = max(text.rfind(". ", start, end), text.rfind(".\n", start, end))
    return stop + 1 if stop > start else end


def _recommendations(text: str, lines: list[_Line], found: list[_Found], meta: Meta, key: dict[str, str], answers: bool,
                     default_who: str) -> list[Recommendation]:
    """The items found, each with its own text (up to an inline response), the response below it
    (to the next item or heading) and its status; too short ones, lead-ins and contents lines dropped."""
    from ingest.rec_fields import BY_DATE, deadline_of
    from ingest.recommendations import _CONTENTS_LINE, report_date

    rdate = report_date(meta)
    out: list[Recommendation] = []
    seen: dict[tuple[str, str], int] = {}
    for n, (idx, kind, ref, s, e, lead_who, printed, lead) in enumerate(found):
        inline = _INLINE_RESPONSE.search(text, s, e)
        # a tracker row flattened into one paragraph: its text, owner, target date, then the key's status cell and the update
        cell = None if inline or printed else keyed_cell(text, s, e, key)
        own_end = inline.start() if inline else (_sentence_before(text, s, cell.start) if cell else e)
        bar = -1 if inline or printed or cell else text.find(" | ", s, own_end)
        if bar != -1:  # a table row read as one line: the item is the first cell; a cell holding a status word is its status
            cell, own_end = status_cell(text, bar, e, key), bar
        while own_end > s and text[own_end - 1] in " .;":
            own_end -= 1
        own = " ".join(text[s:own_end].split())
        if len(own) < 20 or own.endswith(":") or _CONTENTS_LINE.search(own[:200]):
            continue  # too short to be one, a lead-in, or a contents line ("Police powers 10")
        stop = lines[found[n + 1].line].start if n + 1 < len(found) else min(len(text), e + 1500)
        nxt_head = next((ln.start for ln in lines[idx + 1:] if ln.heading and ln.start < stop), stop)
        r_start = inline.end() if inline else (cell.start if cell else e)
        response = text[r_start:nxt_head].strip() if r_start < nxt_head else ""
        r_start = text.find(response, r_start) if response else r_start
        proposal = printed or cell or labelled(response, key) or (propose(response)[0] if answers and response else Proposal("unknown"))
        if proposal is not printed and proposal is not cell and proposal.status != "unknown":
            proposal = Proposal(proposal.status, proposal.quote, r_start + proposal.start, r_start + proposal.end)
        deadline, deadline_text = deadline_of(own, rdate)
        if not deadline_text and lead:  # "By 30 September 2024, the force should make sure that:" above the list
            deadline, deadline_text = deadline_of(lead, rdate)
            deadline = deadline if BY_DATE.search(lead) else None  # "within six months" of a report: its date is not the item's
        seen[(kind, ref)] = seen.get((kind, ref), 0) + 1
        out.append(Recommendation(
            ref=ref, ordinal=seen[(kind, ref)], type=kind, text=own, start=s, end=own_end, addressee=lead_who or _who(own, default_who),
            deadline=deadline, deadline_text=deadline_text, report=meta.report or meta.title, response=response, response_start=r_start,
            response_end=r_start + len(response), status=proposal.status, status_quote=proposal.quote, status_start=proposal.start, status_end=proposal.end,
        ))
    return out
