"""Who a recommendation asks to act, and by when: the addressee ("chief constables", "Police Scotland")
and the deadline ("By 31 October 2026", "within six months" of the report's date), from its wording. Pure."""

from __future__ import annotations

import re
from datetime import date, timedelta

from ingest.metadata import find_dates
from ingest.rec_language import ACTION, ACTS

# a named force ("Dyfed-Powys Police"): words joined by spaces only, since a hyphen is already part of a
# word; letting a hyphen also join words made the match take exponential time on "a-b-c-d-..."
_ACTOR = re.compile(
    r"^(?:if [^,]{3,80},\s*)?(?P<who>the probation service, police forces and prisons|police forces|forces|chief constables|chief officers|"
    r"the force|[A-Z][\w'-]+(?: [A-Z][\w'-]+)* police|hmcts|officers|the npcc(?: lead)?|the home office|the college of policing|"
    r"the probation service|pccs|police and crime commissioners|the national crime agency|the cps)\s+(?:should|must|need to|are to)\b",
    re.I,
)
# what stands before the one asked to act: a deadline ("By 31 July 2023,", "Within six months,", "Immediately,") or who said so ("HMICFRS says")
_LEADS = re.compile(r"^(?:(?:by|before) \d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]+\s+\d{4},?\s*|(?:within|in the next) (?:\w+ )?(?:days?|weeks?|months?|years?),?\s+|immediately,?\s+|"
                    r"(?:HMIC(?:FRS)?|HMI\w*|the inspectorate|the report|it) (?:says|said|recommends|recommended|found)(?: that)?,?\s+)+", re.I)
_NOT_SOMEONE = re.compile(r"(?:any|each|every|this|these|those|some|such|a|an|all|future|further|more|work|action)\b", re.I)  # "Any future engagement should ..."
_PASSIVE_BY = re.compile(r"\bshould be \w+ by (?P<who>the force|forces|[A-Z][\w-]+ police|hmcts)\b", re.I)
BY_DATE = re.compile(r"\bby (\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]+\s+\d{4})", re.I)
_RELATIVE = re.compile(r"\b(within (?P<n>\d+|one|two|three|four|six|nine|twelve|eighteen) (?P<unit>weeks?|months?|years?))\b(?!\s+of\b)|\b(?P<now>immediately)\b", re.I)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "nine": 9, "twelve": 12, "eighteen": 18}


def addressee_of(text: str, default: str | None) -> str | None:
    """Who must act, lower-case, from "X should ..." (or "... should be done by X"); else the default."""
    first = _LEADS.sub("", text.strip(" -•").split(". ")[0])
    m = _ACTOR.match(first)
    if m:
        return " ".join(m.group("who").lower().split())
    m = _PASSIVE_BY.search(first)
    if m:
        return m.group("who").lower()
    # anyone else named as the one to act: "Police Scotland should ensure", "The constabulary needs to make sure"
    m = ACTS.match(first)
    if m and ACTION.search(first[:m.end() + 40]) and len(m.group("who").split()) <= 6 and not _NOT_SOMEONE.match(m.group("who")):
        return " ".join(m.group("who").lower().split())
    return default


def deadline_of(text: str, report_date: str | None) -> tuple[str | None, str | None]:
    """(ISO deadline, as printed) from "By 31 October 2026", or a relative one resolved against the report's date."""
    m = BY_DATE.search(text)
    if m:
        found = find_dates(m.group(1))
        if found:
            return found[0][1], m.group(0)
    m = _RELATIVE.search(text)
    if m:
        printed = m.group(0)
        if not report_date:
            return None, printed
        base = date.fromisoformat(report_date)
        if m.group("now"):
            return base.isoformat(), printed
        # casefold: under re.I "ſix" matches "six" but does not lower-case to it
        n = int(m.group("n")) if m.group("n").isdigit() else _NUMBERS[m.group("n").casefold()]
        unit = m.group("unit").casefold()
        try:
            if unit.startswith("week"):
                return (base + timedelta(weeks=n)).isoformat(), printed
            months = n * (12 if unit.startswith("year") else 1)
            y, mo = divmod(base.month - 1 + months, 12)
            day = min(base.day, 28)
            return date(base.year + y, mo + 1, day).isoformat(), printed
        except (OverflowError, ValueError):  # "within 99999 weeks", or past the year 9999: no real date
            return None, printed
    return None, None


def strip_date_clause(text: str) -> str:
    """ "By 31 October 2026, forces should" -> "forces should" (so the actor leads the sentence): the leads
    ``addressee_of`` passes over (a deadline, "HMICFRS says")."""
    return _LEADS.sub("", text.strip(" -•*"))
