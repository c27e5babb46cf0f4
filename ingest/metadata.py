"""What a document is: kind, title, dates, force, FOI reference and the report a response answers.

All rules read the clean text; none needs a model. Dates are returned as ISO strings; a date
printed as a month ("April 2026") is the 1st of that month, with the printed form kept.
"""

from __future__ import annotations

import re
from datetime import date

from ingest.kind import classify
from ingest.marking import MARKING_LINE
from ingest.records import Meta

MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"])}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9

_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?,?\s+(\d{{4}})\b", re.I)
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,\s+(\d{{4}})\b", re.I)
_NUMERIC = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+(\d{{4}})\b", re.I)

FORCES = [
    "Avon and Somerset", "Bedfordshire", "British Transport", "Cambridgeshire", "Cheshire", "City of London", "Cleveland", "Cumbria",
    "Derbyshire", "Devon and Cornwall", "Dorset", "Durham", "Dyfed-Powys", "Essex", "Gloucestershire",
    "Greater Manchester", "Gwent", "Hampshire", "Hertfordshire", "Humberside", "Kent", "Lancashire",
    "Leicestershire", "Lincolnshire", "Merseyside", "Metropolitan", "Norfolk", "North Wales", "North Yorkshire",
    "Northamptonshire", "Northumbria", "Nottinghamshire", "South Wales", "South Yorkshire", "Staffordshire",
    "Suffolk", "Surrey", "Sussex", "Thames Valley", "Warwickshire", "West Mercia", "West Midlands",
    "West Yorkshire", "Wiltshire",
]
_FORCE = re.compile(r"\b(" + "|".join(re.escape(f).replace(r"\-", "[- ]") for f in FORCES) + r")\b", re.I)

_FOI_REF = re.compile(
    r"(?:FOI\s*(?:request\s*)?(?:ref(?:erence)?|no\.?|number)|REFERENCE\s*(?:NO|NUMBER)\.?|Our\s+ref(?:erence)?|Request\s+(?:ref(?:erence)?|no\.?|number))\s*[:.]?\s*"
    r"([A-Z]{0,6}[-/ ]?\d[\w/-]*\d)",
    re.I,
)


def to_iso(day: int, month: int, year: int) -> str | None:
    """An ISO date, or None when the numbers are not a real date."""
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def find_dates(text: str) -> list[tuple[int, str, str]]:
    """Every date in the text as (offset, iso, as printed), UK day-first for numeric dates."""
    found: list[tuple[int, str, str]] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str], iso: str | None) -> None:
        if any(s <= m.start() < e for s, e in taken):
            return
        taken.append((m.start(), m.end()))  # an impossible date ("31 Feb") is not re-read as "Feb 2024"
        if iso:
            found.append((m.start(), iso, m.group(0)))

    for m in _DAY_MONTH_YEAR.finditer(text):
        add(m, to_iso(int(m.group(1)), _month(m.group(2)), int(m.group(3))))
    for m in _MONTH_DAY_YEAR.finditer(text):
        add(m, to_iso(int(m.group(2)), _month(m.group(1)), int(m.group(3))))
    for m in _ISO.finditer(text):
        add(m, to_iso(int(m.group(3)), int(m.group(2)), int(m.group(1))))
    for m in _NUMERIC.finditer(text):
        add(m, to_iso(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    for m in _MONTH_YEAR.finditer(text):
        add(m, to_iso(1, _month(m.group(1)), int(m.group(2))))
    return sorted(found)


def _month(name: str) -> int:
    key = name.casefold().rstrip(".")
    return MONTHS.get(key) or MONTHS[key[:3]]


def find_title(text: str) -> str:
    """The document's title: its opening heading block, joined across line breaks."""
    return title_and_masthead(text)[0]


def title_and_masthead(text: str) -> tuple[str, list[str]]:
    """The title, and the masthead lines passed over above it (an organisation's name, a menu, an address):
    never the title, but who published the document (the kind reads them)."""
    lines = [ln.strip() for ln in text.split("\n")]
    masthead: list[str] = []
    for i, line in enumerate(lines):
        if not line or len(line) < 4 or _is_date_line(line) or _PAPER_FURNITURE.match(line) or MARKING_LINE.match(line) or _DATED.match(line) \
                or re.fullmatch(r"\[[^\]]{1,40}\]", line):  # a letter's "Date ..." / "Our ref ..." line, a redaction placeholder
            continue
        if _letterhead(line) or _MEETING.match(line) and _next_is_date_then_heading(lines, i):
            # a masthead line, or a committee paper's header ("POLICE AND CRIME PANEL" / "8 NOVEMBER 2019") above the paper's own title
            masthead.append(line)
            continue
        parts = [line]
        # a title broken over lines ("... response to" / "A Joint Thematic ..."): join while it reads on
        j = i + 1
        if j + 1 < len(lines) and not lines[j] and line.endswith((":", " to")):
            j += 1  # "... response to:" then a blank line, then the report's name
        while j < len(lines) and lines[j] and len(" ".join(parts)) < 250 and not _letterhead(lines[j]) and not _PAPER_FURNITURE.match(lines[j]) \
                and not _DATED.match(lines[j]) and not _SECTION_NAME.fullmatch(lines[j]) and not _BYLINE.search(lines[j]) and not _LETTER_BODY.match(lines[j]) and (
            parts[-1].endswith((":", "to", "of", "and", "&", "on", "-", "–")) or (lines[j][:1].islower())
            or (j == i + 1 and len(parts[-1]) < 120 and not parts[-1].endswith((".", "?", "!")) and len(lines[j]) < 160 and not lines[j].endswith("."))
        ):
            parts.append(lines[j])
            j += 1
        title = re.sub(r"^(?:re|subject)\s*:\s*", "", re.sub(r"\s+", " ", " ".join(parts)).strip().rstrip("."), flags=re.I)  # a letter's subject line
        if _letterhead(title) or len(parts) == 1 and len(title.split()) == 1 and _letterhead(f"{title} {lines[i + 1] if i + 1 < len(lines) else ''}"):
            masthead.append(title)  # "Exeter" above "EX2 7RP": the pieces of an address
            continue
        if len(title) > 300:
            title = title[:297].rsplit(" ", 1)[0] + "..."
        return title, masthead
    return "", masthead


# a committee paper's furniture above its title: "AGENDA ITEM 19", "Agenda No: 7", "Report to the Independent Audit Committee",
# "Freedom of Information Classification: Open"
_PAPER_FURNITURE = re.compile(r"^(?:agenda\s+(?:item|no\.?)\s*:?\s*\d+\w?|item\s+\d+\w?|report to (?:the )?[\w ,&'-]{0,80}(?:committee|panel|board)|"
                              r"(?:freedom of information|foi)\s+classification\s*:.*|"
                              # a paper's or a letter's labelled details: "Date: Friday 24 November 2023, 10.00 am", "Venue: ...", "Direct dial: ..."
                              r"(?:date|time|venue|location|agenda item|meeting date|tel(?:ephone)?(?:\. no| no)?|direct dial|e-?mail|fax|web ?site|mobile|enquiries to|"
                              r"please ask for|contact|to|from|letter information|cc|sent(?: on)?|date sent|published)\s*[.:].*|letter information)\W*$", re.I)
WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"  # an optional day name before a date ("Tuesday 12 March 2024")
_DATED = re.compile(r"^(?:our ref(?:erence)?|your ref(?:erence)?|ref(?:erence)?(?: no\.?)?)\b\s*[:.]?(?:\s.*)?$|^dated?\s*(?:[:|]|(?=" + WEEKDAY + r"\d))|"
                    r"^date (?:of )?[a-z ]{2,25}\s*[:|]|"  # "Date of request: ...", "Date responded | ...": a labelled field  # "Date 2 October 2024", "Our ref ...": a letter's details
                    r"^[a-z][\w '/-]{1,40}:\s*\|", re.I)  # a letter's details as a table row: "Address Correspondence to: | Steven Morris"
# a WhatDoTheyKnow request's byline below its title ("Claire Evans made this Freedom of Information request to ..."), never part of it
_BYLINE = re.compile(r"\bmade this (?:freedom of information |foi )?request\b", re.I)
# a letter's first words below its heading ("I write further to your request ..."), never part of it
_LETTER_BODY = re.compile(r"^(?:i|we)\s+(?:write|am|are|have|refer|acknowledge|can|would|note)\b|^(?:thank you|dear|further to|following (?:your|receipt))\b", re.I)
# the first section's heading below a title, never part of it
_SECTION_NAME = re.compile(r"(?:\d+\.?\s*)?(?:introduction|background|summary|executive summary|purpose(?: of (?:the |this )?(?:report|paper))?|contents|foreword)\W*", re.I)
# a line of a Welsh-language banner or bilingual masthead ("Swyddfa Comisiynydd Heddlu a Throseddu Gwent")
_WELSH = re.compile(r"\b(?:swyddfa|comisiynydd|heddlu|throseddu|croeso|gwasanaeth|llywodraeth|cymraeg|hafan|cysylltu)\b", re.I)
_MEETING = re.compile(r"^[\w ,&'-]{0,80}\b(?:police and crime panel|police, fire and crime panel|committee|board)\W*$", re.I)


# a letterhead or masthead above the title: an organisation's name alone, a unit's, an address line, a person and their post
_ORG_LINE = re.compile(
    r"^[!#*\s]*(?:the )?(?:office of the )?(?:[\w&',.-]+ ){0,8}?(?:police(?: service)?(?: hq| headquarters)?|constabulary|information rights(?: and disclosure)?|police (?:and|&) crime commissioner(?: for [\w ,&-]+)?|"
    r"(?:police,? )?fire (?:and|&) (?:rescue and )?crime commissioner(?: for [\w ,&-]+)?|commissioner(?: for [\w ,&-]+)?|"
    r"inspectorate of [\w&,' -]+|unit|department|directorate|services|headquarters|local government association|office of the chief constable|"
    r"legal services|disclosure unit|(?:metropolitan |borough |county |city |district )*council(?:\s*[-\u2013]\s*host authority)?)[\s*]*$", re.I)
_PERSON_LINE = re.compile(r"^(?i:(?:the )?rt\.? hon\.? |dear |mr\.? |mrs\.? |ms\.? |mx\.? |miss |dr\.? |sir )|\b(?:MP|QPM|OBE|MBE|CBE)$|^[A-Z][a-z]+ [A-Z][a-z]+(?: [A-Z][a-z]+)?$")
_NAV_LINE = re.compile(r"(?:\[[^\]]*\]\([^)]*\).*){2,}|\bskip to (?:the )?(?:main )?content\b|\btext size\b|\bleave this site\b|\bquick(?:ly)? exit\b|"
                       r"\b(?:accept|reject) (?:all )?cookies\b|\bcookie (?:settings|preferences)\b|^(?:[^|·>]{1,25}(?:\s[|·>]\s)){1,}[^|·>]{1,40}$|^(?:\*\s+[^*]{1,30}){2,}$|"
                       r"^(?:committee\(s\)|dated|our ref|your ref|author|copy to|cc)\s*:|^dear\b|^search\b.{0,20}$|^(?:sign|log) (?:in|on)(?: or (?:sign|register) up)?$|^follow\s?\d+ followers?$", re.I)


_ADDRESS_LINE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b|^po box\b|^\d+[a-z]? [\w ]{2,30} (?:street|road|lane|avenue|way|place|square)\b|"
                           r"^[A-Z][a-z]+(?: [A-Z][a-z]+)?,? (?:Oxfordshire|Kent|Surrey|Essex|Devon|Wiltshire|Sussex|Yorkshire|Hampshire|Somerset)$", re.I)
_NAV_WORDS = re.compile(r"\b(?:home|about(?: us)?|contact(?: us)?|news|search|report(?: it)?|advice|jobs|careers|your area|accessing information|our work|"
                        r"publications|monitoring|menu|quick exit|english|cymraeg|sign in|log in)\b", re.I)


def _nav_words(line: str) -> bool:
    """A menu run together ("Home Report it Contact us News Advice"): most of the line is menu words."""
    words = len(line.split())
    covered = sum(len(m.group(0).split()) for m in _NAV_WORDS.finditer(line))
    return words <= 14 and covered >= max(2, 0.7 * words)


def _letterhead(line: str) -> bool:
    """A masthead line that is never a document's title (see the patterns above)."""
    if re.match(r"^[*\u2022-]\s+\S", line.strip()) and len(line.split()) <= 6:
        return True  # a menu's item ("* Home"), never a title
    bare = line.strip(" #*!")
    if _WELSH.search(bare) and not re.search(r"\b(?:response|report|inspection|request|statement)\b", bare, re.I):
        return True
    org = _ORG_LINE.match(bare) and not re.search(r"\b(?:response|report|inspection|review|update|statement)\b|\b(?:to|of|and|on):?$", bare, re.I)
    # "01483 630007", "T 0300 123 1231 Textphone 0161 618 8524": a letterhead's numbers
    phone = re.fullmatch(r"(?:(?:t|f|tel(?:ephone)?|fax|textphone|minicom|phone|mobile)?\s*[.:]?\s*\+?\(?\d[\d ()-]{7,}\d\s*)+", bare, re.I)
    # a letter's labelled details: "Contact Name: Tim Mahony", "Tel. Extension: 44557", "Direct Dial No: 01273 404334"
    detail = re.fullmatch(r"(?:[A-Za-z.]+\s){0,2}(?:name|extension|dial(?: no\.?)?|no\.?|number|officer|e-?mail|fax)\s*:\s*[^:]{1,60}", bare, re.I) \
        and not re.search(r"\b(?:subject|re|title|request|report|inspection|response)\b", bare, re.I)
    # a letter's addressee, named with their post: "Ian Hopkins, Chief Constable of Greater Manchester police force"
    addressee = re.match(r"(?:[A-Z][a-z'-]+ ){1,2}[A-Z][a-z'-]+,\s+(?:[\w'&-]+\s+){0,4}(?i:director|chief|commissioner|manager|lead|chair|ceo|commander|head|officer|"
                         r"constable|secretary|minister|executive)\b", bare) and not re.search(r"\b(?:response|report|inspection|review|update|statement|plan)\b", bare, re.I)
    return bool(org or phone or detail or addressee or _NAV_LINE.search(bare) or (_PERSON_LINE.search(bare) and len(bare.split()) <= 8)
                or (_ADDRESS_LINE.search(bare) and len(bare.split()) <= 10) or _nav_words(bare))


def _next_is_date_then_heading(lines: list[str], i: int) -> bool:
    """The line after line i (skipping blanks) is a date, and a title-like line follows it."""
    rest = [ln for ln in lines[i + 1:i + 10] if ln]
    k = 0
    while k < len(rest) and not _is_date_line(rest[k]) and _PAPER_FURNITURE.match(rest[k]):
        k += 1  # "Date: Friday 24 November 2023, 10.00 am", "Venue: ...": the meeting's details
    if k == 0 and not (rest and _is_date_line(rest[0])):
        return False
    while k < len(rest) and (_is_date_line(rest[k]) or _PAPER_FURNITURE.match(rest[k])):
        k += 1
    title = rest[k] if k < len(rest) else ""
    return len(title) >= 8 and not title.endswith(".") and len(title) < 300


def _sentence_like(title: str) -> bool:
    """A "title" that is really a line of the letter: long, or ending as a sentence or a label does."""
    return len(title) > 120 or title.rstrip().endswith((".", "?", ":", ",")) or bool(re.match(r"(?i)(dear|thank you|under the|your request|please)\b", title))


def _is_date_line(line: str) -> bool:
    found = find_dates(line)
    return bool(found) and len(line) <= len(found[0][2]) + 4


def find_report(title: str) -> str | None:
    """The report a response answers, named after "response to" in its title."""
    m = re.search(r"\bresponse\s+to\s*:?\s*(.+)$", title, re.I)
    if not m:
        return None
    report = m.group(1).strip(" .:")
    return report or None


# A reference as forces print them: "392/2026", "1068-2023", "197 - 25", "HQ/PA/002118/22",
# "DC/FOI 931/24", "01.FOI.22.023166", "2024 – 311 / WE8846", "RFI 2024-1183", "24047"
_SEG = r"(?:\s?[/.\u2013-]\s?[A-Z]{0,5}\d[\dA-Z]*|_\d[\dA-Z]*|[/.][A-Z]{1,5}(?=[/.]\d))"  # "9518_15" too
_REF_TOKEN = rf"((?:[A-Z]{{1,6}}[/. -]?){{0,3}}\d[\dA-Z]*{_SEG}{{0,5}})"
_REF_LABEL = re.compile(
    r"(?:enquiry|foi|rfi|request|case|our|disclosure|freedom of information(?: request)?)\s*(?:ref(?:erence)?(?:\s*(?:no|number)\b)?|no\.?|number|#)\b\.?\s*[:|#.]?\s*(?:\|\s*)?"
    r"|\b(?:ref(?:erence)?(?: no\.?| number)?)\s*[:|#]\s*(?:\|\s*)?"
    # a reply's heading naming its request by number: "Freedom of Information: Right to know request 1009-11"
    r"|\b(?:freedom of information|foi|right to know)\b[^\n.]{0,30}?\brequest\s+(?=(?:[A-Z]{1,6}[/. -]?){0,3}\d)", re.I)
_TITLE_REF = re.compile(rf"(?<![\w/])(?:[A-Z]{{1,6}}[/. ]?){{0,3}}\d[\dA-Z]*{_SEG}{{1,5}}(?![\w/])")  # with a separator: not a bare year


def find_foi_reference(text: str, title: str) -> str | None:
    """The FOI reference as printed: after a label in the opening ("Our Ref", "Enquiry Reference:",
    "FOI request number", "Ref:"), else one in the title ("FOI 197/25 Claire's Law", "... - 96/18")."""
    head = text[:4000]
    for m in _REF_LABEL.finditer(head):
        value = re.match(_REF_TOKEN, head[m.end():m.end() + 60])
        if value and re.search(r"\d{2}", value.group(1)):
            return value.group(1).strip(" ./-\u2013")
    labelled = _FOI_REF.search(head)
    if labelled:
        return labelled.group(1).strip()
    t = _TITLE_REF.search(title)
    return t.group(0).strip(" ./-\u2013") if t else None


# a force named as a proper noun (capitalised as listed): "metropolitan areas" names no force
_NAMED_FORCE = re.compile(r"\b(" + "|".join(re.escape(f).replace(r"\-", "[- ]") for f in FORCES) + r")\b")


def named_forces(text: str) -> list[str]:
    """The police forces a text names (as in FORCES, capitalised), each once, in order."""
    out: list[str] = []
    for m in _NAMED_FORCE.finditer(text):
        name = next(f for f in FORCES if f.replace("-", " ") == m.group(1).replace("-", " "))
        if name not in out:
            out.append(name)
    return out


def find_force(text: str) -> str | None:
    """The police force named most often in the document, with "Police" appended."""
    counts: dict[str, int] = {}
    for m in _FORCE.finditer(text):
        name = next(f for f in FORCES if f.lower().replace("-", " ") == m.group(1).lower().replace("-", " "))
        counts[name] = counts.get(name, 0) + 1
    if not counts:
        return None
    best = max(counts, key=lambda k: counts[k])
    return "Metropolitan Police Service" if best == "Metropolitan" else f"{best} Police"


_ABOUT_REQUEST = re.compile(r"\brequest\b|\bfoi\b|\brfi\b|\b\d{1,6}[/-]\d{2,4}\b", re.I)  # a reference, not a telephone number
# a response letter's own heading line: "Freedom of Information Act 2000 - Request FOI 259", "FOI REQUEST 25-037",
# "Freedom of Information Request 24/04/0615", "Request under the Freedom of Information Act 2000 (FOIA)"
_FOI_HEADING = re.compile(r"^(?:freedom of information(?: act(?: 2000)?)?\s*(?:[-\u2013:]\s*)?(?:request|response)\b|"
                          r"request under the freedom of information act\b|foi\s+request\b)", re.I)


def _foi_heading(text: str) -> str | None:
    """The first line near the top that heads a response letter as the answer to a request, or None."""
    for line in text.split("\n")[:60]:
        line = line.strip().strip("#*").strip()
        if 10 <= len(line) <= 120 and _FOI_HEADING.match(line):
            return line
    return None


def foi_title(text: str, ref: str | None) -> str | None:
    """A readable FOI title: the reference and what the request is about."""
    m = re.search(r"\brequest\b\s*:?\s*(.{10,600}?)(?:\n|$)", text, re.I)
    if not m:
        return (ref if ref.upper().startswith("FOI") else f"FOI {ref}") if ref else None
    request = m.group(1)
    about = re.search(r"\b(?:regarding|relating to|in relation to|concerning|about|on)\s+(.{8,160}?)(?=\s+-\s+|[.,;:?]|\s+within\b|\s+specifically\b|$)", request, re.I)
    topic = (about.group(1) if about else request[:120]).strip()
    topic = topic[:1].upper() + topic[1:]
    label = ref if ref and ref.upper().startswith("FOI") else f"FOI {ref}"
    return f"{label}: {topic}" if ref else topic


# a document's own date by its label: a response's, a letter's "Dated", a paper's "Date of meeting"
_OWN_DATE = re.compile(r"^[^\S\n]*(?:[|#*-][^\S\n]*)*(?:date of (?:response|reply|letter|meeting|report|publication)|response date|date responded|dated)[^\S\n]*[:|][^\n]{0,40}", re.I | re.M)
# a month and year standing alone on a cover page, or labelled as published
_COVER_MONTH = re.compile(r"^[^\S\n]*(?:published(?: on)?:?[^\S\n]*)?(" + _MONTH_YEAR.pattern + r")[^\S\n]*$", re.I | re.M)


def _main_date(text: str, title: str, kind: str) -> tuple[str | None, str | None]:
    """The document's own date: disclosure date for FOI, a dated heading, else the title's month."""
    if kind == "foi_disclosure":
        m = re.search(r"(disclosed|responded|response date|date of response|sent)\D{0,20}", text, re.I)
        if m:
            after = find_dates(text[m.end():m.end() + 40])
            if after:
                return after[0][1], after[0][2]
    head = text[:600]
    labelled = _OWN_DATE.search(text[:1500])  # "Date of response | 2 May 2023" over "Published by HMICFRS | 8 March 2023"
    if labelled:
        found = find_dates(labelled.group(0))
        if found:
            return found[0][1], found[0][2]
    for _, iso, printed in find_dates(head):
        if not re.fullmatch(_MONTH_YEAR.pattern, printed, re.I) or printed.lower() in title.lower():
            return iso, printed
    cover = _COVER_MONTH.search(head)  # a cover page's "March 2024" on a line of its own, "Published: February 2020"
    if cover:
        return find_dates(cover.group(1))[0][1], cover.group(1)
    in_title = find_dates(title)
    if in_title:
        return in_title[-1][1], in_title[-1][2]
    page = re.search(r"^Page date: (\d{4}-\d{2}-\d{2})$", text, re.M)  # a saved page's own date, as its reader found it (ingest/web.py)
    if page:
        return page.group(1), page.group(1)
    return None, None


def first_title(text: str, name: str = "") -> str:
    """The document's own title, or its file name made readable. A request thread whose first heading-like line is
    a sentence (a site's banner: "WhatDoTheyKnow is run by a small charity ...") takes the line above its byline."""
    title = find_title(text)
    if not title or _sentence_like(title):
        title = _thread_title(text) or title
    return title or re.sub(r"[_-]+", " ", name.rsplit(".", 1)[0]).strip()


def _thread_title(text: str) -> str | None:
    """The request title of a WhatDoTheyKnow page: the line just above "... made this Freedom of Information request to ..."."""
    m = _BYLINE.search(text[:4000])
    above = [ln.strip(" #*") for ln in text[:text.rfind("\n", 0, m.start()) + 1].split("\n") if ln.strip()] if m else []
    return above[-1] if above and 8 <= len(above[-1]) <= 200 and not _letterhead(above[-1]) and not _sentence_like(above[-1]) else None



def extract_meta(text: str, name: str = "") -> Meta:
    """All metadata of a document from its clean text (and file name as a fallback title)."""
    title = first_title(text, name)
    verdict = classify(text, title)
    kind = verdict.kind
    ref = find_foi_reference(text, title) if kind == "foi_disclosure" else None
    if kind == "foi_disclosure" and not _ABOUT_REQUEST.search(title) and not _BYLINE.search(text[:2000]):  # a WhatDoTheyKnow page's heading is the request's title
        title = _foi_heading(text) or title  # a letter's heading over its letterhead ("Direct Line: ...", a name, an address)
    if kind == "foi_disclosure" and _sentence_like(title):  # a page's own heading ("FOI 552/25", "Stalking") is kept
        title = foi_title(text, ref) or title
    iso, printed = _main_date(text, title, kind)
    return Meta(
        kind=kind,
        title=title,
        date=iso,
        date_text=printed,
        force=find_force(text),
        foi_reference=ref,
        report=find_report(title) if kind in ("pcc_response", "force_response") else None,
        dates=sorted({d for _, d, _ in find_dates(text)}),
        kind_confidence=verdict.confidence,
        kind_reasons=verdict.reasons,
    )
