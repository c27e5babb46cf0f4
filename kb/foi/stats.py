"""FOI statistics for a period, as public authorities publish them, and the disclosure-log export.

Statistics count the requests *received* in the period: how many, how many answered, how many in
time (by the due date that applied, with any public-interest extension) and within 20 working
days, the share in time, and counts by outcome and by exemption. The disclosure log lists answered
requests: reference, date, request, outcome, exemptions. It is applicant-blind: the log never
holds a requester's name or contact details, and neither does anything written from it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kb.errors import InputError
from kb.foi.log import Request
from kb.labels import OUTCOME_LABELS, outcome_label
from kb.files import write_csv


@dataclass
class Stats:
    """FOI performance for a period."""

    date_from: str
    date_to: str
    received: int
    answered: int
    answered_in_time: int
    answered_within_20_days: int
    share_in_time: float | None  # of those answered; None when none were
    open: int
    open_overdue: int
    withdrawn: int
    reviews_requested: int
    by_outcome: dict[str, int] = field(default_factory=dict)
    by_exemption: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)

    def table(self) -> list[tuple[str, str]]:
        """The figures as (measure, value) rows, in the order a published table gives them."""
        share = "-" if self.share_in_time is None else f"{self.share_in_time:.0%}"
        rows = [("Requests received", str(self.received)), ("Answered", str(self.answered)),
                ("Answered in time (with any extension)", str(self.answered_in_time)),
                ("Answered within 20 working days", str(self.answered_within_20_days)), ("Share answered in time", share),
                ("Still open", str(self.open)), ("Open and overdue", str(self.open_overdue)), ("Withdrawn", str(self.withdrawn)),
                ("Internal reviews requested", str(self.reviews_requested))]
        rows += [(f"Outcome: {outcome_label(k)}", str(v)) for k, v in self.by_outcome.items()]
        rows += [(f"Exemption: {k}", str(v)) for k, v in self.by_exemption.items()]
        return rows


def period(date_from: str | None, date_to: str | None, today: date | None = None) -> tuple[date, date]:
    """A period's first and last days (default: the year to date)."""
    today = today or date.today()
    try:
        start = date.fromisoformat(date_from) if date_from else date(today.year, 1, 1)
        end = date.fromisoformat(date_to) if date_to else today
    except ValueError:
        raise InputError("the period's dates are written YYYY-MM-DD (--from 2026-04-01 --to 2026-06-30)") from None
    if end < start:
        raise InputError(f"the period ends ({end}) before it starts ({start})")
    return start, end


def stats(requests: list[Request], start: date, end: date) -> Stats:
    """The figures for the requests received from ``start`` to ``end`` (both included)."""
    chosen = [r for r in requests if start.isoformat() <= r.received <= end.isoformat()]
    answered = [r for r in chosen if r.responded]
    outcomes = Counter(r.outcome or "unknown" for r in answered)
    exemptions = Counter(code for r in answered for code in r.exemptions)
    in_time = sum(1 for r in answered if r.in_time)
    return Stats(date_from=start.isoformat(), date_to=end.isoformat(), received=len(chosen), answered=len(answered), answered_in_time=in_time,
                 answered_within_20_days=sum(1 for r in answered if r.within_20_days),
                 share_in_time=round(in_time / len(answered), 3) if answered else None,
                 open=sum(1 for r in chosen if r.is_open), open_overdue=sum(1 for r in chosen if r.overdue),
                 withdrawn=sum(1 for r in chosen if r.status == "withdrawn"),
                 reviews_requested=sum(1 for r in chosen if any(e.kind == "review_requested" for e in r.events)),
                 by_outcome={k: outcomes[k] for k in OUTCOME_LABELS if outcomes[k]},
                 by_exemption=dict(sorted(exemptions.items(), key=lambda kv: (-kv[1], kv[0]))))


def _write_csv(path: str | Path, header: list[str], rows: list[list[Any]]) -> Path:
    target = Path(path)
    if target.suffix.lower() != ".csv":
        raise InputError(f"write to a .csv file; got '{target.name}'")
    return write_csv(target, header, rows)


def write_stats_csv(s: Stats, path: str | Path) -> Path:
    """The statistics as a two-column CSV (measure, value) with the period in the first rows."""
    return _write_csv(path, ["measure", "value"], [["Period from", s.date_from], ["Period to", s.date_to], *[list(r) for r in s.table()]])


DISCLOSURE_COLUMNS = ["reference", "date", "request", "outcome", "exemptions"]


def disclosure_rows(requests: list[Request]) -> list[list[Any]]:
    """The disclosure log: answered requests, newest first, with no requester details (none are held)."""
    answered = sorted((r for r in requests if r.responded), key=lambda r: (r.responded or "", r.ref), reverse=True)
    return [[r.ref, r.responded, " ".join(r.request.split()), outcome_label(r.outcome), ", ".join(r.exemptions) or "none"] for r in answered]


def write_disclosure_log(requests: list[Request], path: str | Path) -> int:
    """Write the disclosure log to CSV; returns the number of rows."""
    rows = disclosure_rows(requests)
    _write_csv(path, DISCLOSURE_COLUMNS, rows)
    return len(rows)
