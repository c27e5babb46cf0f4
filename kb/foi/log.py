"""The FOI request log: requests as they arrive, and the dated events that move their clock.

A request is logged once (reference, received date, the request's text, the officer) and never
changed; everything after is an append-only event (clarification asked and received, fee notice
and payment, public-interest extension, officer assigned, responded, internal review requested and
decided, withdrawn). Where a request stands (its status, due date, days left or overdue, whether it
was answered in time) is worked out from its events each time, so nothing is lost and nothing can
disagree with the log.

The clock (section 10 FOIA; England and Wales bank holidays): 20 working days from receipt; a
clarification restarts it from the day the reply arrives (s.1(3)); the days between a fee notice
and its payment do not count (s.10(2)); a public-interest extension allows 20 working days more.
An internal review is due 20 working days after it is asked for.

No requester's name or contact details are ever stored: e-mail addresses, telephone numbers,
postcodes and the sign-off are taken out of the request text before it is saved.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from ingest.foi import exemptions_in
from kb.errors import FOILogError, NotFoundError, StaleLogError
from kb.foi.records import PUBLIC_INTEREST_EXTRA, WORKING_DAYS, add_working_days, working_days_between
from kb.labels import FOI_STATUS_LABELS, OUTCOME_LABELS
from kb.store import foi_rows
from kb.store.db import Store, now

EVENT_KINDS = {
    "clarification_asked": "Clarification asked (the clock stops)",
    "clarification_received": "Clarification received (the clock restarts)",
    "fee_notice": "Fee notice sent (the clock stops)",
    "fee_paid": "Fee paid (the clock runs again)",
    "extension": "Public-interest extension claimed",
    "assigned": "Assigned to an officer",
    "responded": "Responded",
    "review_requested": "Internal review requested",
    "review_decided": "Internal review decided",
    "withdrawn": "Withdrawn by the requester",
}
REVIEW_OUTCOMES = ("upheld", "partly_upheld", "overturned")
OPEN = ("open", "awaiting_clarification", "awaiting_fee", "extended")
REVIEW_DAYS = 20




@dataclass(frozen=True)
class Event:
    """One dated step in a request's life."""

    kind: str
    on_date: str
    note: str = ""
    outcome: str | None = None
    exemptions: list[str] = field(default_factory=list)
    by: str = ""
    at: str = ""

    @property
    def label(self) -> str:
        """The step in plain English."""
        return EVENT_KINDS.get(self.kind, self.kind)


@dataclass
class Request:
    """A logged request and where it stands today."""

    ref: str
    received: str
    request: str
    officer: str | None
    status: str
    status_label: str
    clock_starts: str
    due: str  # the date that applies now: with the public-interest extension once claimed
    due_without_extension: str
    extended: bool
    clock_stopped_since: str | None
    working_days_left: int | None  # negative: overdue; None: closed, or the clock is stopped
    days_label: str
    responded: str | None = None
    outcome: str | None = None
    outcome_label: str | None = None
    exemptions: list[str] = field(default_factory=list)
    in_time: bool | None = None  # answered by the due date that applied (with any extension)
    within_20_days: bool | None = None
    review_due: str | None = None
    review_outcome: str | None = None
    precedents: list[dict[str, Any]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # requester details taken out of the text
    events: list[Event] = field(default_factory=list)
    disclosure: str | None = None  # the document the response became, once responded

    @property
    def is_open(self) -> bool:
        """Still to be answered (or withdrawn)."""
        return self.status in OPEN

    @property
    def overdue(self) -> bool:
        """Open and past its due date."""
        return self.is_open and self.working_days_left is not None and self.working_days_left < 0

    def to_json(self) -> dict[str, Any]:
        """JSON-ready, with the events and the derived flags."""
        out = asdict(self)
        out["events"] = [{**asdict(e), "label": e.label} for e in self.events]
        out["open"], out["overdue"] = self.is_open, self.overdue
        return out


# --- requester details ------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(\+44\s?|0)(\d[\s-]?){9,10}(?!\d)")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
_SIGN_OFF = re.compile(r"(?im)^\s*(yours (sincerely|faithfully|truly)|kind regards|best regards|many thanks|regards|thank you)\b.*\Z", re.S)
_ADDRESSED = re.compile(r"(?im)^\s*(from|name|address|tel(ephone)?|phone|mobile|e-?mail)\s*:.*$")


def scrub(text: str) -> tuple[str, list[str]]:
    """The request text without its requester's details, and what kinds were taken out."""
    removed: list[str] = []
    for pattern, what, repl in ((_SIGN_OFF, "the sign-off and name", ""), (_ADDRESSED, "a contact line", "[contact details removed]"),
                                (_EMAIL, "an e-mail address", "[e-mail removed]"), (_PHONE, "a telephone number", "[number removed]"),
                                (_POSTCODE, "a postcode", "[postcode removed]")):
        text, n = pattern.subn(repl, text)
        if n:
            removed.append(what)
    return text.strip(), removed


# --- working out where a request stands --------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def standing(ref: str, received: str, text: str, officer: str | None, events: list[Event], today: date,
             precedents: list[dict[str, Any]] | None = None, removed: list[str] | None = None) -> Request:
    """A request's status, clock and outcome from its events (oldest first)."""
    start, paused, stopped, extended, status = date.fromisoformat(received), 0, None, False, "open"
    responded = outcome = review_due = review_outcome = None
    exemptions: list[str] = []
    for e in events:
        on = date.fromisoformat(e.on_date)
        if e.kind == "clarification_asked":
            stopped, status = on, "awaiting_clarification"
        elif e.kind == "clarification_received":
            start, paused, stopped, status = on, 0, None, "extended" if extended else "open"
        elif e.kind == "fee_notice":
            stopped, status = on, "awaiting_fee"
        elif e.kind == "fee_paid" and stopped is not None:
            paused += max(working_days_between(stopped, on), 0)
            stopped, status = None, "extended" if extended else "open"
        elif e.kind == "extension":
            extended, status = True, "extended"
        elif e.kind == "assigned":
            officer = e.note or officer
        elif e.kind == "responded":
            responded, outcome, exemptions, status = e.on_date, e.outcome, list(e.exemptions), "responded"
        elif e.kind == "review_requested":
            review_due, status = add_working_days(on, REVIEW_DAYS).isoformat(), "under_review"
        elif e.kind == "review_decided":
            review_outcome, status = e.outcome, "review_decided"
        elif e.kind == "withdrawn":
            status = "withdrawn"
    plain_due = add_working_days(start, WORKING_DAYS + paused)
    due = add_working_days(start, WORKING_DAYS + PUBLIC_INTEREST_EXTRA + paused) if extended else plain_due
    left: int | None = None
    if status in OPEN and stopped is None:
        left = working_days_between(today, due)
        days = (f"{_plural(left, 'working day')} left" if left > 0 else "due today" if left == 0 else f"overdue by {_plural(-left, 'working day')}")
    elif stopped is not None and status in OPEN:
        days = f"clock stopped since {stopped.isoformat()}"
    elif status == "under_review" and review_due:
        r_left = working_days_between(today, date.fromisoformat(review_due))
        days = f"review due {review_due} ({_plural(r_left, 'working day')} left)" if r_left >= 0 else f"review overdue by {_plural(-r_left, 'working day')}"
    else:
        days = {"responded": f"responded {responded}", "review_decided": f"review decided: {(review_outcome or '').replace('_', ' ')}",
                "withdrawn": "withdrawn"}.get(status, status)
    answered = date.fromisoformat(responded) if responded else None
    return Request(ref=ref, received=received, request=text, officer=officer, status=status, status_label=FOI_STATUS_LABELS[status],
                   clock_starts=start.isoformat(), due=due.isoformat(), due_without_extension=plain_due.isoformat(), extended=extended,
                   clock_stopped_since=stopped.isoformat() if stopped else None, working_days_left=left, days_label=days, responded=responded,
                   outcome=outcome, outcome_label=OUTCOME_LABELS.get(outcome or "", None) if outcome else None, exemptions=exemptions,
                   in_time=None if answered is None else answered <= due, within_20_days=None if answered is None else answered <= plain_due,
                   review_due=review_due, review_outcome=review_outcome, precedents=precedents or [], removed=removed or [], events=events)


def _allowed(current: Request, kind: str) -> str | None:
    """Why an event cannot come next (None: it can)."""
    s = current.status
    if s == "withdrawn":
        return "the request was withdrawn: nothing more can happen to it"
    if s == "review_decided":
        return "the internal review is decided: the requester's next step is the Information Commissioner, outside this log"
    if kind == "clarification_received" and s != "awaiting_clarification":
        return "no clarification was asked for (log clarification_asked first)"
    if kind == "fee_paid" and s != "awaiting_fee":
        return "no fee notice was sent (log fee_notice first)"
    if kind in ("clarification_asked", "fee_notice", "extension", "responded", "withdrawn") and s not in OPEN:
        return f"the request is {current.status_label.lower()}, not open"
    if kind in ("clarification_asked", "fee_notice", "extension") and current.clock_stopped_since:
        return f"the clock is already stopped (since {current.clock_stopped_since})"
    if kind == "extension" and current.extended:
        return "the public-interest extension was already claimed"
    if kind == "review_requested" and s != "responded":
        return "an internal review follows a response: log responded first"
    if kind == "review_decided" and s != "under_review":
        return "no internal review was requested (log review_requested first)"
    return None


def exemption_codes(values: list[str] | str | None) -> list[str]:
    """Exemptions as typed ("s40(2), 31", "section 12") as the codes disclosures use ("s40(2)", "s31", "s12")."""
    if isinstance(values, str):
        values = re.split(r"[,;]", values)
    codes: list[str] = []
    for v in values or []:
        v = v.strip()
        if not v:
            continue
        found = exemptions_in("section " + re.sub(r"^(s(ection)?\.?\s*)", "", v, flags=re.I))
        if not found:
            raise FOILogError(f"'{v}' is not an FOIA section: write it as s40(2), s31 or section 12")
        codes += [c for c in found if c not in codes]
    return codes


class FOILog:
    """Reading and adding to the log (all its SQL)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, ref: str, received: str, text: str, officer: str | None, by: str, precedents: list[dict[str, Any]],
            today: date | None = None) -> Request:
        """Log a new request; its reference must be new. Requester details are taken out of the text first."""
        ref = " ".join((ref or "").split())
        if not ref:
            raise FOILogError("give the request's reference (--ref), e.g. FOI 2026/0412")
        got = _date(received, "the received date", today)
        cleaned, removed = scrub(text or "")
        if not cleaned:
            raise FOILogError("the request has no text: paste it, or give the file it is in")
        with self.store.transaction() as tx:
            if foi_rows.request_exists(tx, ref):
                raise FOILogError(f"{ref} is already in the log (see: kb foi log --json); references are never reused")
            foi_rows.add_request(tx, ref, got, cleaned, (officer or "").strip() or None, precedents, removed, by, now())
        return self.get(ref, today)

    def event(self, ref: str, kind: str, on_date: str, by: str, note: str = "", outcome: str | None = None,
              exemptions: list[str] | str | None = None, expected_events: int | None = None, today: date | None = None) -> Request:
        """Add one dated event; refused when it cannot come next, or when someone added one since ``expected_events`` were read."""
        if kind not in EVENT_KINDS:
            raise FOILogError(f"unknown event '{kind}': choose one of {', '.join(EVENT_KINDS)}")
        codes = exemption_codes(exemptions)
        if kind == "responded":
            outcome = outcome or ("disclosed_in_part" if codes else None)
            if outcome not in OUTCOME_LABELS or outcome == "unknown":
                raise FOILogError(f"say what the response was (--outcome): one of {', '.join(o for o in OUTCOME_LABELS if o != 'unknown')}")
        elif kind == "review_decided":
            if outcome not in REVIEW_OUTCOMES:
                raise FOILogError(f"say what the review decided (--outcome): one of {', '.join(REVIEW_OUTCOMES)}")
        elif outcome or codes:
            raise FOILogError("an outcome and exemptions belong to a response (responded) or a review (review_decided)")
        if kind == "assigned" and not (note or "").strip():
            raise FOILogError("name the officer it is assigned to (--note NAME)")
        with self.store.transaction() as tx:
            current = self._standing(tx, ref, today)
            if expected_events is not None and len(current.events) != expected_events:
                raise StaleLogError(f"{ref} has had {len(current.events) - expected_events} event(s) added since you read it: reload and try again")
            on = _date(on_date, "the event's date", today)
            if on < current.received:
                raise FOILogError(f"the event's date {on} is before the request was received ({current.received})")
            if current.events and on < current.events[-1].on_date:
                raise FOILogError(f"the event's date {on} is before the last event ({current.events[-1].label}, {current.events[-1].on_date})")
            why = _allowed(current, kind)
            if why:
                raise FOILogError(f"cannot log '{EVENT_KINDS[kind].lower()}' for {current.ref}: {why}")
            foi_rows.add_event(tx, current.ref, kind, on, (note or "").strip(), outcome, codes, by, now())
        return self.get(current.ref, today)

    def get(self, ref: str, today: date | None = None) -> Request:
        """One request as it stands."""
        return self._standing(self.store.db, ref, today)

    def requests(self, open_only: bool = False, today: date | None = None) -> list[Request]:
        """Every logged request (open ones first, soonest due first; then the rest, newest first)."""
        refs = foi_rows.request_refs(self.store.db)
        found = [self.get(ref, today) for ref in refs]
        if open_only:
            found = [r for r in found if r.is_open]
        return sorted(found, key=lambda r: (not r.is_open, r.due if r.is_open else "", "" if r.is_open else _neg(r.received)))

    def _standing(self, db: sqlite3.Connection, ref: str, today: date | None) -> Request:
        row = foi_rows.request(db, (ref or "").strip())
        if row is None:
            raise NotFoundError(f"no request '{ref}' in the FOI log (see: kb foi log)")
        events = [Event(kind=e["kind"], on_date=e["on_date"], note=e["note"], outcome=e["outcome"], exemptions=json.loads(e["exemptions"]),
                        by=e["by"], at=e["at"])
                  for e in foi_rows.events(db, row["ref"])]
        return standing(row["ref"], row["received"], row["request"], row["officer"], events, today or date.today(),
                        json.loads(row["precedents"]), json.loads(row["removed"]))


def _neg(iso: str) -> str:
    """A sort key that puts later ISO dates first."""
    return "".join(chr(0x7A - ord(c) + 0x30) if c.isdigit() else c for c in iso)


def _date(value: str | None, what: str, today: date | None) -> str:
    try:
        d = date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise FOILogError(f"{what} must be written YYYY-MM-DD; got '{value or ''}'") from None
    if d > (today or date.today()):
        raise FOILogError(f"{what} {d} is in the future")
    return d.isoformat()
