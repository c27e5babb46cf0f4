"""When an FOI request was received and answered, from the words, tables and threads forces print
them in: a labelled field ("Date responded:", "Response date |"), a log table's column, a
WhatDoTheyKnow thread's messages, an internal review's decision, a letter's own date, a page's
publication date. Pure; works on clean text (ingest.foi reads the rest of a disclosure).
"""

from __future__ import annotations

import re
from datetime import date

from ingest.metadata import MONTHS, WEEKDAY, find_dates
from ingest.web import HOLDING

_RECEIVED = re.compile(r"\b(?:received|date received|request received|date of request|request date|date requested|date (?:logged|opened)|logged on|"
                       r"(?:request|email|letter|application)(?: for information)?,? dated|(?:you )?submitted(?: it)? on|first notified)\b[^\n]{0,30}", re.I)
_DISCLOSED = re.compile(r"\b(?:disclosed|responded|response sent|date of response|response date|date disclosed|replied|date of reply|"
                        r"date (?:closed|completed|sent|issued)|(?:closed|completed|issued) (?:date|on)|"
                        r"date of disclosure|disclosure date|response issued|sent on|reply date|date (?:of )?(?:answer|answered|release|released)|release date|"
                        r"date of decision|decision date)(?!\w)[^\n]{0,30}", re.I)
# the words of _DISCLOSED that say when anything at all was done, not only a response
_ANY_EVENT = re.compile(r"(?:date )?(?:closed|completed|issued|sent)\b", re.I)
# a log table's column headers
_RECEIVED_HEAD = re.compile(r"(?:date )?(?:request )?received(?: date)?|date (?:of request|requested|logged|opened)|request date", re.I)
_DISCLOSED_HEAD = re.compile(r"(?:date (?:of )?)?(?:response|responded|reply|replied|disclosure|disclosed|closed|completed|decision)(?: date| sent)?", re.I)
# a page's own dates: when the response was put on the log, a weaker sign of when it was sent than the response's own date
_PUBLISHED = re.compile(r"\b(?:date (?:published|added)|published on|publication date|version date|published\s*[:|])[^\n]{0,30}", re.I)
# the date a saved page carries for itself, as its reader found it (ingest/web.py): the last resort
_PAGE_DATE = re.compile(r"^page date:[^\n]{0,20}", re.I | re.M)
# an internal review's outcome is dated by the review's decision, not the original response
_REVIEW_DECIDED = re.compile(r"\binternal review\b[^\n.]{0,30}?\b(?:decision|outcome|response)\b\s*(?:date\s*)?(?:[=:|]|was issued on|issued on|dated)[^\n]{0,10}", re.I)
# a letter's date on a line of its own, or labelled ("Date: 02/10/2024", "Dyddiad / Date | 12 November 2024", "Date: 18/02/25")
_DATE_LINE = re.compile(r"^\W*(?:(?:[A-Za-z]+\s*/\s*)?date\s*(?:[:|]\s*){0,2})?" + WEEKDAY + r"(\d{1,2}(?:st|nd|rd|th)?\s+\w+\s+\d{4}|\d{1,2}/\d{1,2}/\d{4})\W*$", re.I | re.M)
_SHORT_YEAR = re.compile(r"^\W*(?:[A-Za-z]+\s*/\s*)?date\s*(?:[:|]\s*){1,2}(\d{1,2})/(\d{1,2})/(\d{2})\W*$", re.I | re.M)


_ANSWERING = re.compile(r"\b(?:section \d{1,2}|exempt|please find|attached|holds? (?:the |some )?information|does not hold|not held|neither confirm nor deny|"
                        r"our response|response)\b", re.I)
_DATED_LINE = re.compile(rf"^[^\S\n]*{WEEKDAY}(\d{{1,2}}(?:st|nd|rd|th)?\s+[A-Za-z]+\s+\d{{4}}|\d{{1,2}}/\d{{1,2}}/\d{{4}})[^\S\n]*\n\s*(?=dear\b)", re.I | re.M)


# a WhatDoTheyKnow page's byline ("Claire Evans made this Freedom of Information request to British Transport Police"),
# and each message's date on a line of its own, below its sender's name
_BYLINE = re.compile(r"\bmade this freedom of information request to (?P<to>[^\n]{3,80}?)\s*$", re.I | re.M)
_DATE_ALONE = re.compile(rf"^[^\S\n]*{WEEKDAY}(\d{{1,2}}(?:st|nd|rd|th)?\s+[A-Za-z]+\s+\d{{4}}|\d{{1,2}}/\d{{1,2}}/\d{{4}})[^\S\n]*$", re.I | re.M)


def _messages(text: str) -> tuple[str, list[tuple[str, str, str]]] | None:
    """A WhatDoTheyKnow thread: the body asked, and its messages in order as (date, sender line, text), or None."""
    byline = _BYLINE.search(text)
    if not byline:
        return None
    marks = list(_DATE_ALONE.finditer(text, byline.end()))
    messages = []
    for k, m in enumerate(marks):
        found = find_dates(m.group(1))
        sender = text[:m.start()].rstrip().rsplit("\n", 1)[-1].strip()
        if found:
            messages.append((found[0][1], sender, text[m.end():marks[k + 1].start() if k + 1 < len(marks) else len(text)]))
    return byline.group("to").strip(), messages


def _thread_request_date(text: str) -> str | None:
    """When a WhatDoTheyKnow request was made: the date of the thread's first message, the requester's."""
    thread = _messages(text)
    return thread[1][0][0] if thread and thread[1] else None


def _thread_reply_date(text: str) -> str | None:
    """In a correspondence thread, the date of the first message after the request that answers it (an
    automatic acknowledgement, a chaser or a request to clarify does not). On a WhatDoTheyKnow page the
    answer is a message from the body asked; elsewhere each message opens with its date on a line of
    its own, then "Dear ..."."""
    thread = _messages(text)
    if thread:
        body_asked = thread[0].lower()
        for when, sender, said in thread[1][1:]:
            # from the body asked ("Freedom of Information, Nottinghamshire Police" is from Nottinghamshire Police), and no receipt, holding reply or request to clarify
            if body_asked in sender.lower() and not HOLDING.search(said[:1500]) and _ANSWERING.search(said):
                return when
    marks = list(_DATED_LINE.finditer(text))
    if len(marks) < 2:
        return None
    for k, m in enumerate(marks[1:], start=1):
        body = text[m.end():marks[k + 1].start() if k + 1 < len(marks) else len(text)]
        found = find_dates(m.group(1))
        if found and not re.search(r"acknowledg", body, re.I) and _ANSWERING.search(body):
            return found[0][1]
    return None


def _letter_date(text: str) -> str | None:
    """The date a response letter is dated: a line holding a date alone ("14 August 2024",
    "Date: 02/10/2024") near the top, where letters print it, else at the foot, below the signature."""
    short = _SHORT_YEAR.search(text[:2500])
    m = _DATE_LINE.search(text[:2500])
    if short and (not m or short.start() < m.start()):
        day, month, year = (int(g) for g in short.groups())
        try:
            return date(2000 + year, month, day).isoformat()
        except ValueError:
            return None
    # a letter signed off with its date below the signature, where some forces print it
    m = m or _DATE_LINE.search(text, max(0, len(text) - 1500))
    if not m:
        return None
    found = find_dates(m.group(1))
    return found[0][1] if found else None


def _date_after(pattern: re.Pattern[str], text: str, day: bool = False, label: bool = False) -> str | None:
    """The first date within a match of ``pattern`` (or just after it); with ``day``, only a date that names
    its day ("received since ... March 2014" is no request's date); with ``label``, a word that could say
    when anything was done ("completed on", "sent on", "closed on") only where it labels its line ("Date
    completed: ..."), not inside a sentence of the answer ("the review ... was completed on 11th March 2011")."""
    for m in pattern.finditer(text):
        if label and _ANY_EVENT.match(m.group(0)) and len(text[text.rfind("\n", 0, m.start()) + 1:m.start()].split()) > 3:
            continue
        found = [f for f in find_dates(text[m.start():m.end() + 25]) if not day or re.search(r"\d{1,2}\D+\d{1,2}|\b\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]|[A-Za-z]\s+\d{1,2}(?:st|nd|rd|th)?,", f[2])]
        if found:
            return found[0][1]
    return None


_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(" + "|".join(MONTHS) + r")\b(?!\s*,?\s*\d{4})", re.I)


def _received_without_year(text: str, disclosed: str | None) -> str | None:
    """"received on 4th February" with no year: the year of the response's date, or the one before when that
    month comes later in the year than the response (a request of December answered in January)."""
    if not disclosed:
        return None
    for m in _RECEIVED.finditer(text):
        day = _DAY_MONTH.search(text, m.start(), m.end() + 25)
        if not day:
            continue
        answered = date.fromisoformat(disclosed)
        month = MONTHS[day.group(2).lower()]
        year = answered.year - (1 if (month, int(day.group(1))) > (answered.month, answered.day) else 0)
        try:
            return date(year, month, int(day.group(1))).isoformat()
        except ValueError:
            return None
    return None


def _column_date(pattern: re.Pattern[str], text: str) -> str | None:
    """A date in a log table's column whose header ``pattern`` names ("| Reference | Date received | Date of
    response |" over "| FOI2018/03793 | 12/07/2018 | 09/08/2018 |"): the first row's cell under that header."""
    rows = [line.strip() for line in text.split("\n")]
    for i, row in enumerate(rows):
        if not row.startswith("|"):
            continue
        cells = [c.strip() for c in row.strip("|").split("|")]
        col = next((k for k, c in enumerate(cells) if c and len(c) <= 40 and pattern.fullmatch(c)), None)
        if col is None:
            continue
        below = next((r for r in rows[i + 1:i + 3] if r.startswith("|") and not re.fullmatch(r"[|\s:-]+", r)), None)
        values = [c.strip() for c in below.strip("|").split("|")] if below else []
        found = find_dates(values[col]) if col < len(values) else []
        if found:
            return found[0][1]
    return None


def disclosed_date(text: str) -> str | None:
    """When the response was sent: an internal review's decision, a labelled response date, a log table's
    column, a thread's answering message, a publication date, the letter's own date, a saved page's date."""
    found = (_date_after(_REVIEW_DECIDED, text) or _date_after(_DISCLOSED, text, label=True) or _column_date(_DISCLOSED_HEAD, text)
             or _thread_reply_date(text) or _date_after(_PUBLISHED, text) or _letter_date(text))
    if found:
        return found
    # a saved page's own date says when it was saved or last changed: a response's date only when it comes after the request's
    page = _date_after(_PAGE_DATE, text)
    asked = _date_after(_RECEIVED, text, day=True)
    return page if page and (not asked or page > asked) else None


def received_date(text: str, disclosed: str | None) -> str | None:
    """When the request was received: a labelled date naming its day, a log table's column, "received on 4th
    February" in the year of the reply, the first message of a thread."""
    return (_date_after(_RECEIVED, text, day=True) or _column_date(_RECEIVED_HEAD, text) or _received_without_year(text, disclosed)
            or _thread_request_date(text))
