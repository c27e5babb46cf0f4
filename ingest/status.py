"""Propose a recommendation's status from the wording of the response to it, with the exact quote.

Sentence by sentence, phrases map to the docs/ARCHITECTURE.md statuses. A wrong "complete" is the
costly mistake, so the response as a whole takes the *least* advanced status any of its
sentences supports, and a part answered by an ordinal ("the second and third elements
remain ongoing") takes that sentence's status. Pure: text in, (status, quote, offsets) out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.sentences import sentences

STATUSES = ("not_started", "planned", "in_progress", "complete", "superseded", "not_applicable", "unknown")
# least to most advanced, for "when unsure, the less advanced"
PROGRESS = ("unknown", "not_started", "planned", "in_progress", "complete")

_P = lambda *alts: re.compile("|".join(alts), re.I)  # noqa: E731

RULES: list[tuple[str, re.Pattern[str]]] = [
    ("not_applicable", _P(r"\brecommendation is (for|aimed at|addressed to) (the )?(hmcts|home office|npcc|college of policing|probation|cps|crown prosecution|national crime agency|another)",
                          r"\bnot (applicable|relevant) to (the )?(force|dyfed)", r"\bis a matter for (the )?(hmcts|home office|npcc|college)",
                          # "This part is for the College of Policing", "These recommendations are for the Home Office", "addressed to the
                          # Government rather than to Surrey Police": for someone other than the force (or the office) answering
                          r"\b(this|these|the) (recommendations?|parts?|elements?) (is|are) (for|addressed to|aimed at|a matter for) "
                          r"(?!(the )?(force\b|constabulary\b|(?:[a-z-]+ ){1,3}(police|constabulary)\b(?! chiefs)|police\b(?! chiefs)|us\b|chief constables?\b|forces\b|all forces\b))[a-z]",
                          r"\bnot one for (the )?(force|constabulary|[a-z-]+ police)\b",
                          # a recommendation the force declines: "Force response: Not accepted.", "does not accept this recommendation"
                          r"\bresponse\s*:\s*not accepted\b", r"^\W*not accepted\b", r"\b(?:does|do) not accept (?:this|the) recommendation\b")),
    ("superseded", _P(r"\bsuperseded\b", r"\breplaced by (a |the )?(later|new|subsequent) recommendation")),
    ("not_started", _P(r"\bhas been documented and will inform\b", r"\b(are|is) being considered in (the )?future\b", r"\bwill inform future\b",
                       r"\bnot (yet )?(been )?(started|begun|progressed)\b", r"\bhas not been implemented\b", r"\bno (work|action) has (yet )?been\b",
                       r"\bawaiting allocation\b", r"\bno work has (yet )?(started|begun)\b",
                       # a start that waits on something else ("Work will begin once the model is agreed"), nothing to do yet
                       r"\bwill (?:only )?(?:begin|start|commence) (?:once|when|after|until)\b", r"\bno action (?:yet|is yet)\b", r"\b(?:is|are) (?:still )?awaited\b")),
    ("in_progress", _P(r"\bremains? ongoing\b", r"\b(work|activity|benchmarking|a review) (is|are) (already |currently |now )?(underway|ongoing|in progress)\b",
                       r"\bis currently underway\b", r"\bcurrently (reviewing|working|developing|underway)\b", r"\b(we are|are) working on\b",
                       r"\bwill continue to (ensure|develop|work|improve|review|monitor)\b", r"\bin the work queue\b", r"\bis being (progressed|prioritised|developed|reviewed|rolled out)\b",
                       r"\bhave been tasked\b", r"\bhas been tasked\b", r"\bpartially (implemented|complete)", r"\bthere is an action plan\b", r"\bin progress\b",
                       r"\bbeing rolled out\b", r"^\W*under ?way\b", r"\b(is|are) (now |currently )?under ?way\b",
                       r"\bha(s|ve) (fallen|risen|dropped|reduced|improved|increased) from\b", r"\bnot yet (consistent|complete|fully|embedded|achieved)\b",
                       r"\bremains? open\b", r"\b(is|are) (now )?being (tested|trialled|piloted|added|revised|extended|recruited|analysed|reviewed)\b",
                       # any work in hand: "is being written", "are being trained" (not "is being considered": an intention)
                       r"\b(?:is|are) (?:now |currently |still )?being (?!considered\b)[a-z]+(?:ed|en)\b", r"\bshould be realised\b", r"\b(?:delivered|achieved|completed|made|saved) (?:to date|so far)\b",
                       # something put in place, begun or improved, without a claim that the recommendation is met: under way
                       r"\b(?:was|were) (?:introduced|created|launched|set up|established|reissued|rolled out|piloted|trialled)\b",
                       r"\b(?:began|started|commenced) (?:in|on|from)\b", r"\b(?:is|are) being (?:drafted|implemented|embedded|procured)\b",
                       r"\b(?:is|are) still not\b", r"\b(?:is|are)(?: still)? not (?:yet )?(?:always|routinely)\b", r"\bremains? below\b", r"\bha(?:s|ve) (?:fallen|risen|dropped|improved|increased) to\b",
                       # work going on: "is ongoing", "we are still working with", "is being delivered", "is reviewing", "has begun", "reviewed so far"
                       r"\b(?:is|are|remains?) (?:still )?ongoing\b", r"\b(?:am|is|are) (?:still |currently |now )?working (?:with|on|to|through)\b",
                       r"\b(?:is|are) (?:now )?being (?:delivered|run|introduced|used|trained)\b", r"\b(?:is|are) (?:now |currently )?reviewing\b",
                       r"\bha(?:s|ve) (?:now )?begun\b", r"\b\w+ed (?:to date|so far)\b", r"\bremains? in place\b")),
    ("planned", _P(r"\bwill\b", r"\b(?:is|are) planning to\b", r"\bhas been sanctioned\b", r"\bhas been agreed\b", r"\bplans? to\b", r"\bplanned\b", r"\baiming to\b", r"\bintends? to\b",
                   r"\bin future\b", r"\bare looking at\b", r"\bnext 12 months\b",
                   r"\b(?:is|are) considering (?:whether|how|options)\b", r"\bunder consideration\b")),
    ("complete", _P(r"\bembedded practice\b", r"\bha(s|ve) (been )?(fully )?implemented\b", r"\bha(s|ve) embedded\b", r"\bwell embedded\b", r"\bis embedded\b",
                    r"\bare embedded\b", r"\b(are|is) now routinely\b", r"\bha(s|ve) been built into\b", r"\bha(s|ve) been (completed|achieved|delivered)\b",
                    r"\bis (now )?complete\b", r"\bha(s|ve) ensured that\b", r"\bha(s|ve) been developed\b", r"\bis now in place\b", r"\bhas been introduced\b",
                    r"\b(?:we are|i am) satisfied that\b", r"\bconsiders? (?:this|the|that) recommendation (?:to be |as )?(?:complete|met|closed|discharged)\b",
                    r"\bclosure (?:was |has been )?agreed\b", r"\balready (?:standard|routine|established|common) practice\b", r"\bha(?:s|ve) been met\b", r"\bdischarged by\b", r"\b(we )?ha(s|ve) (now )?(closed|discharged)\b", r"\bha(s|ve) (now )?met (these|the|this|all)\b",
                    r"\bauthori[sz]ed (for )?closure\b", r"\bcompleted in all\b", r"\b(is|are) now (a )?(mandatory|routine|standard)\b",
                    r"\b(is|are) now (appointed|recorded|required|reviewed|published)\b", r"\balready (records|publishes|has|have|does|do)\b",
                    # what the force already does ("already shares ... with", "is already offered"), or has done since a year: in place
                    r"\balready [a-z]+s\b(?<!\bis)(?<!\bwas)", r"\b(?:is|are) already [a-z]+ed\b", r"\bha(?:s|ve) [a-z]+ed\b[^.;]{0,120}\bsince (?:19|20)\d\d\b")),
]
_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "sixth": 5}
_ELEMENTS = re.compile(r"\b((?:first|second|third|fourth|fifth|sixth)(?:\s*(?:,|and)\s*(?:first|second|third|fourth|fifth|sixth))*)\s+(elements?|parts?|points?|strands?)\b", re.I)


@dataclass
class Proposal:
    """A proposed status with its evidence: the exact sentence, and where it is in the text given."""

    status: str
    quote: str = ""
    start: int = 0
    end: int = 0


def classify(sentence: str) -> str | None:
    """The status one sentence supports, or None.

    Within a sentence: work under way with next steps ("are currently reviewing ... and will
    share") is in progress; otherwise the less advanced wins ("has embedded ... will" is planned).
    """
    found = {status for status, pattern in RULES if pattern.search(sentence)}
    if not found:
        return None
    for decisive in ("not_applicable", "superseded", "not_started", "in_progress"):
        if decisive in found:
            return decisive
    return min(found, key=PROGRESS.index)


def least(a: Proposal, b: Proposal) -> Proposal:
    """The less advanced of two proposals (not_applicable and superseded only when both are)."""
    rank = lambda p: PROGRESS.index(p.status) if p.status in PROGRESS else len(PROGRESS)  # noqa: E731
    return a if rank(a) <= rank(b) else b


def combine(a: Proposal, b: Proposal) -> Proposal:
    """Two sentences about the same recommendation: work under way outweighs intentions
    ("planned"), otherwise the less advanced wins (a claim of completion next to an
    intention is not taken as complete)."""
    statuses = {a.status, b.status}
    if statuses == {"in_progress", "planned"}:
        return a if a.status == "in_progress" else b
    return least(a, b)


def propose(response: str, parts: int = 0) -> tuple[Proposal, list[Proposal]]:
    """Status of the whole response, and of each of ``parts`` lettered parts (in order).

    A sentence naming elements by ordinal ("the second and third elements") speaks for those
    parts only; every other sentence speaks for all parts not named elsewhere.
    """
    if not response.strip():
        return Proposal("unknown"), [Proposal("unknown") for _ in range(parts)]
    general: Proposal | None = None
    specific: dict[int, Proposal] = {}
    for s, e in sentences(response):
        sentence = response[s:e]
        status = classify(sentence)
        if status is None:
            continue
        p = Proposal(status, sentence, s, e)
        if status == "not_applicable":
            return p, [p for _ in range(parts)]
        named = _ELEMENTS.search(sentence)
        if named and parts:
            for word in re.findall(r"first|second|third|fourth|fifth|sixth", named.group(1), re.I):
                i = _ORDINALS[word.lower()]
                if i < parts:
                    specific[i] = combine(specific[i], p) if i in specific else p
            continue
        general = p if general is None else combine(general, p)
    base = general or Proposal("unknown")
    part_props = [specific.get(i, base) for i in range(parts)]
    overall = base if general else None
    for p in part_props:
        overall = p if overall is None else least(overall, p)
    return overall or base, part_props


# ---- statuses printed by trackers and portals: a word, read through the document's own key ----------
# A tracker prints its status ("Status: Amber", "| Partially achieved |", "Completed"), often with a key
# that says what each word means ("Green - action complete and evidence supplied"). The key is read
# first; a word the key does not define falls back to these, taking the less advanced reading when a
# word is ambiguous (a RAG "green" is "on track" in some trackers and "done" in others: in progress).
TRACKER_WORDS: list[tuple[str, str]] = [
    ("not for the force", "not_applicable"), ("not a force recommendation", "not_applicable"), ("not applicable", "not_applicable"),
    ("n/a", "not_applicable"), ("not yet started", "not_started"), ("not started", "not_started"), ("not yet achieved", "not_started"),
    ("not yet begun", "not_started"), ("not begun", "not_started"), ("partially achieved", "in_progress"), ("not met", "in_progress"), ("partially complete", "in_progress"),
    ("partially met", "in_progress"), ("substantially complete", "in_progress"), ("being-progressed", "in_progress"), ("being progressed", "in_progress"),
    ("awaiting-review", "in_progress"), ("awaiting review", "in_progress"), ("in progress", "in_progress"), ("ongoing", "in_progress"),
    ("proposed for closure", "in_progress"), ("submitted for closure", "in_progress"), ("delayed", "in_progress"), ("at risk", "in_progress"),
    ("off track", "in_progress"),
    ("on track", "in_progress"), ("open", "in_progress"), ("amber", "in_progress"), ("red", "in_progress"), ("green", "in_progress"),
    ("superseded", "superseded"), ("under consideration", "planned"), ("planned", "planned"), ("completed", "complete"), ("complete", "complete"), ("achieved", "complete"),
    ("closed", "complete"), ("discharged", "complete"), ("implemented", "complete"), ("blue", "complete"), ("met", "complete"),
]
_LABEL = re.compile(r"^[\s*_-]*(?:current |overall |progress |rag |force |our |hmicfrs )?(?:status|rating|rag(?: rating| status)?|progress rating|action|assessment)[\s*_]*[:\-\u2013][\s*_]*(?P<label>\S.{0,120}?)[\s*_.]*$", re.I | re.M)
_KEY_HEAD = re.compile(r"\b(?:status|rag|rating)\s+key\b|\bkey to (?:the )?(?:status|ratings?)\b|\bstandard status key\b|"
                       r"\b(?:given|carries|has|shows) one of the following (?:ratings|statuses)\b", re.I)
# a key's row: "Green | Complete ..." (a table's row: its first cell is the word, "Accepted - complete | The Force has ..."),
# or "Green - Complete ..." / "Green: ..." on a line with no table
_KEY_ROW = re.compile(r"^[-•|\s]*(?:(?P<word>[A-Za-z][A-Za-z /-]{1,30}?)\s*\||(?P<word2>[A-Za-z][A-Za-z ,/]{1,30}?)\s*[-\u2013:]\s(?![^\n]*\|[^\n]*\|))"
                      r"\s*(?P<meaning>[A-Za-z].{5,200}?)\s*\|?\s*$", re.M)
_KEY_INLINE = re.compile(r"(?P<word>[A-Z][A-Za-z /-]{1,30}?)\s+[-\u2013]\s+(?P<meaning>[^.\n|]{5,200})\.")


def meaning_status(meaning: str) -> str | None:
    """What a key's explanation of a word means ("work has started but is not finished": in progress)."""
    m = meaning.lower()
    if re.search(r"\bdoes not intend to\b|\bnot accepted\b|\brejected\b|\bwill not be taken forward\b", m):
        return "not_applicable"  # a recommendation the force declines: nothing will be done
    if re.search(r"\bnot (?:yet )?(?:started|begun)\b|\bhas not (?:yet )?(?:started|begun)\b|\bno (?:substantive |real )?work\b|\bawaiting allocation\b", m):
        return "not_started"
    if re.search(r"\bsuperseded\b|\breplaced\b|\bovertaken\b", m):
        return "superseded"
    if re.search(r"\bnot (?:yet )?(?:finished|complete|completed|fully|in place)\b|\bin progress\b|\bon track\b|\bunder ?way\b|\bpartial|\bstarted\b|"
                 r"\bbegun\b|\bongoing\b|\bremains?\b|\bbut some\b|\bslippage\b|\bat risk\b|\bdelayed\b|\bbehind\b|"
                 # the force calls it done, the inspectorate has not yet said so: "complete ...; awaiting HMICFRS review"
                 r"\bawaiting\b|\bpending\b", m):
        return "in_progress"
    if re.search(r"\bclosed\b|\bcomplete\b|\bcompleted\b|\bfinished\b|\bfully implemented\b|\bachieved\b|\bimplemented\b|\b(?:has|have) been delivered\b", m):
        return "complete"
    if re.search(r"\bplanned\b|\bwill\b", m):
        return "planned"
    return None


def read_key(text: str) -> dict[str, str]:
    """The document's status key, word (lower-case) to status, from the lines after "Status key" or a RAG key."""
    key: dict[str, str] = {}
    for head in _KEY_HEAD.finditer(text):
        window = text[head.end():head.end() + 900]
        rows = list(_KEY_ROW.finditer(window[:window.find("\n\n", 200) if "\n\n" in window[200:] else len(window)]))
        rows += list(_KEY_INLINE.finditer(window.split("\n", 1)[0] if window.startswith(":") or window[:2].strip(": ") == "" else window[:400]))
        known = "|".join(re.escape(w) for w, _ in TRACKER_WORDS)
        rows += list(re.finditer(rf"^[-•\s]*(?P<word>{known})\s+(?P<meaning>[A-Za-z].{{5,200}})$", window[:600], re.I | re.M))  # a PDF table: "Green Action complete ..."
        for row in rows:
            word = (row.groupdict().get("word") or row.groupdict().get("word2") or "").strip().lower()
            # a compound word says its status after the dash ("Accepted - not yet started"), over the meaning's wording
            own = meaning_status(word.split(" - ", 1)[1]) if " - " in word else None
            status = own or meaning_status(row.group("meaning"))
            if status and word not in ("status", "meaning", "rating", "key") and len(word.replace(" - ", " ").split()) <= 4:
                key.setdefault(word, status)
    return key


def word_status(label: str, key: dict[str, str] | None = None) -> str | None:
    """The status a printed status word means, through the document's key first ("Amber (behind target)": amber)."""
    whole = " ".join(re.split(r"[(\[;.]", label.lower(), maxsplit=1)[0].split())
    for known, status in (key or {}).items():
        if re.search(r" - |,", known) and (whole == known or whole.startswith(known + " ")):
            return status  # a key's word with a dash or comma of its own: "Accepted - complete", "Closed, superseded"
    words = " ".join(re.split(r"[(\[\u2013;,.]| - ", label.lower(), maxsplit=1)[0].split())
    if not words:
        return None
    for known, status in (key or {}).items():
        if words == known or words.startswith(known + " "):
            return status
    for known, status in TRACKER_WORDS:
        if words == known or words.startswith(known + " "):
            return status
    return None


def labelled(response: str, key: dict[str, str] | None = None) -> Proposal | None:
    """A status the response prints ("Status: Amber", "Rating: Substantially complete"), with that line as the quote."""
    for m in _LABEL.finditer(response):
        status = word_status(m.group("label"), key)
        if status:
            return Proposal(status, response[m.start():m.end()].strip(), m.start(), m.end())
    # a response that opens with a tracker's word ("Completed. The backlog was cleared ...", "Under consideration. ...")
    lead = re.match(r"\s*(?:(?:[A-Z][a-z]+ )?(?:response|update|position)\s*:\s*)?(?P<word>[A-Z][A-Za-z -]{1,30}?)\s*[.;:]\s", response)  # "Force response: Accepted - complete."
    if lead and len(lead.group("word").split()) <= 3:
        status = word_status(lead.group("word"), key)
        if status:
            return Proposal(status, lead.group("word"), lead.start("word"), lead.end("word"))
    # a table flattened into lines (a PDF): the status column's word ends the response ("... in December 2024. On track")
    tail = re.search(r"(?:[.!?]\s+|\n)(?P<word>[A-Z][A-Za-z \n-]{1,30}?)\s*$", response)  # a wrapped cell: "Being\nprogressed"
    if tail:
        status = word_status(tail.group("word"), key)
        if status and len(tail.group("word").split()) <= 3:
            return Proposal(status, tail.group("word"), tail.start("word"), tail.end("word"))
    # a flattened row's cells: owner, due date, the key's word, the update ("Head of Crime 31/03/2023 Blue Rationale ...")
    return keyed_cell(response, 0, len(response), key or {})


_RAG = ("red", "amber", "green", "blue")


def keyed_cell(text: str, start: int, end: int, key: dict[str, str]) -> Proposal | None:
    """A status cell of a table flattened into running text (a PDF), in ``text[start:end]``: a word of the
    document's own key, capitalised as a cell is, after a date (the target-date column: "31/03/2022 Amber -
    Delayed ...") or with its key's label ("Blue - Complete"). Only a document with a key has such cells."""
    if not key:
        return None
    words = [w for w in key if re.fullmatch(r"[a-z]+", w)] + [w for w in _RAG if w not in key]  # a colour the key leaves unexplained
    alt = "|".join(re.escape(v) for w in sorted(words, key=len, reverse=True) for v in (w.capitalize(), w.upper()))
    label = r"\s+[-\u2013]\s+[A-Z][\w-]*(?:\s[a-z][\w-]*)?"
    cell = re.compile(rf"\d\s+(?P<a>{alt})\b(?:{label})?|\b(?P<b>{alt}){label}")
    m = cell.search(text, start, end)
    if m is None:
        return None
    group = "a" if m.group("a") else "b"
    word = m.group(group).lower()
    status = key.get(word) or word_status(word) or "unknown"
    return Proposal(status, text[m.start(group):m.end()].strip(), m.start(group), m.end())


def status_cell(text: str, start: int, end: int, key: dict[str, str]) -> Proposal | None:
    """The first of a row's cells in ``text[start:end]`` ("| 3 | 01 Oct 2023 | Closed - Complete | 100") that is a status word."""
    pos = start
    for piece in text[start:end].split("|"):
        word = piece.strip()
        status = word_status(word, key) if word else None
        if status:
            at = text.index(word, pos)
            return Proposal(status, word, at, at + len(word))
        pos += len(piece) + 1
    return None
