"""The figures of the dashboard (the app's first tab, ``kb dashboard`` and the board report).

Counts of recommendations by status per report (a lettered part is counted through its
recommendation), what is overdue (with days overdue and owner), what falls due in the next 30
days, what is complete but awaits verification, the latest changes people made, and the FOI
requests due this week or overdue. Pure: built from register rows and logged requests.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from kb.foi.log import Request
from kb.labels import status_label
from kb.register.records import RegisterRow, RowChange
from kb.register.tracker import rec_label

DUE_SOON_DAYS = 30
FOI_WEEK_DAYS = 7
# the order statuses are counted and charted in, least to most advanced
STATUS_ORDER = ("unknown", "not_started", "planned", "in_progress", "complete_awaiting", "complete_verified", "superseded", "not_applicable")


def status_key(row: RegisterRow) -> str:
    """A row's status, with a complete split by whether it is verified."""
    if row.status == "complete":
        return "complete_verified" if row.verification == "verified" else "complete_awaiting"
    return row.status


def key_label(key: str) -> str:
    """The plain-English label of a status key."""
    if key.startswith("complete_"):
        return status_label("complete", "verified" if key == "complete_verified" else "awaiting")
    return status_label(key)


@dataclass(frozen=True)
class ReportCount:
    """How many of one report's recommendations stand at one status (a bar of the chart)."""

    report: str
    status: str  # a status key (a complete split by verification)
    status_label: str
    recommendations: int


@dataclass(frozen=True)
class Item:
    """A recommendation in one of the dashboard's lists (overdue, due soon, awaiting verification)."""

    report: str | None
    doc: str
    ref: str
    parent: str | None
    ordinal: int
    label: str  # "Recommendation 4", "Area for improvement 2"
    text: str
    status: str
    verification: str
    status_label: str
    owner: str | None
    due: str | None  # the agreed due date, else the deadline
    original_due: str | None
    days_overdue: int
    days_left: int | None
    proposed_by: str | None
    evidence: str
    evidence_doc: str | None
    evidence_page: int | None


@dataclass(frozen=True)
class LatestChange:
    """A change a person made, as the dashboard lists it."""

    at: str
    by: str
    label: str
    doc: str
    report: str | None
    field: str
    old: str | None
    new: str | None
    why: str | None


@dataclass(frozen=True)
class FoiItem:
    """An open FOI request due this week or overdue."""

    ref: str
    received: str
    due: str
    officer: str | None
    status: str
    status_label: str
    working_days_left: int | None
    days_label: str


@dataclass
class Dashboard:
    """Where the register and the FOI log stand on one day."""

    today: str
    total: int
    closed: int
    counts: dict[str, int]  # status key -> recommendations
    by_report: list[ReportCount]
    overdue: list[Item]
    due_soon: list[Item]
    awaiting_verification: list[Item]
    latest_changes: list[LatestChange]
    foi_due_this_week: list[FoiItem] = field(default_factory=list)
    foi_overdue: list[FoiItem] = field(default_factory=list)
    foi_open: int = 0

    def to_json(self) -> dict[str, Any]:
        """JSON-ready (status codes kept; a label beside each)."""
        out = asdict(self)
        out["count_labels"] = {k: key_label(k) for k in self.counts}
        return out


def _item(r: RegisterRow, today: date) -> Item:
    effective = r.effective_due
    return Item(report=r.report, doc=r.doc, ref=r.ref, parent=r.parent, ordinal=r.ordinal,
                label=rec_label(r.type, r.ref, r.parent, r.ordinal), text=" ".join((r.text or "").split())[:300],
                status=r.status, verification=r.verification or "", status_label=r.status_label, owner=r.owner,
                due=effective, original_due=r.original_due, days_overdue=r.days_overdue,
                days_left=(date.fromisoformat(effective) - today).days if effective else None, proposed_by=r.proposed_by,
                evidence=r.status_evidence, evidence_doc=r.evidence_doc, evidence_page=r.evidence_page)


def _foi(r: Request) -> FoiItem:
    return FoiItem(ref=r.ref, received=r.received, due=r.due, officer=r.officer, status=r.status, status_label=r.status_label,
                   working_days_left=r.working_days_left, days_label=r.days_label)


def build(rows: list[RegisterRow], changes: list[RowChange], requests: list[Request], today: date) -> Dashboard:
    """The dashboard from the register rows this reader may see, their latest changes and the FOI log."""
    top = [r for r in rows if not r.parent]
    counts = Counter(status_key(r) for r in top)
    per_report = Counter((r.report or r.doc, status_key(r)) for r in top)
    by_report = [ReportCount(rep, key, key_label(key), n)
                 for (rep, key), n in sorted(per_report.items(), key=lambda kv: (kv[0][0], STATUS_ORDER.index(kv[0][1]) if kv[0][1] in STATUS_ORDER else 99))]
    soon = today + timedelta(days=DUE_SOON_DAYS)
    due_soon = [r for r in rows if r.status not in ("complete", "not_applicable", "superseded") and r.effective_due
                and today <= date.fromisoformat(r.effective_due) <= soon]
    open_requests = [r for r in requests if r.is_open]
    week = (today + timedelta(days=FOI_WEEK_DAYS)).isoformat()
    return Dashboard(
        today=today.isoformat(), total=len(top), closed=sum(1 for r in top if r.closed),
        counts={k: counts[k] for k in STATUS_ORDER if counts[k]} | {k: v for k, v in counts.items() if k not in STATUS_ORDER},
        by_report=by_report,
        overdue=[_item(r, today) for r in sorted((r for r in rows if r.overdue), key=lambda r: -r.days_overdue)],
        due_soon=[_item(r, today) for r in sorted(due_soon, key=lambda r: r.effective_due or "")],
        awaiting_verification=[_item(r, today) for r in rows if r.status == "complete" and r.verification == "awaiting"],
        latest_changes=[LatestChange(c.at, c.by, rec_label(c.type, c.ref, c.parent, c.ordinal), c.doc, c.report, c.field, c.old, c.new, c.why)
                        for c in changes],
        foi_due_this_week=[_foi(r) for r in open_requests if r.working_days_left is not None and r.working_days_left >= 0 and r.due <= week],
        foi_overdue=[_foi(r) for r in open_requests if r.overdue], foi_open=len(open_requests))
