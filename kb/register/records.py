"""The register's typed records at its boundary: a register row as a reader sees it, a change in a
recommendation's history (and the same change in the register's latest-changes list), what one document
stated about it, and the two together as ``KB.recommendation_history`` gives them (JSON from ``to_json``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

# the fields of a register row that docs/ARCHITECTURE.md's CLI contract promises, first in ``kb recs --json``
CONTRACT_FIELDS = ("doc", "ref", "ordinal", "parent", "text", "addressee", "deadline", "theme", "status", "status_evidence",
                   "status_source", "overdue")


@dataclass(frozen=True)
class RegisterRow:
    """One recommendation (or area for improvement, cause of concern, lettered part) as this reader may see it, judged on one day."""

    doc: str  # the document that states it (the newest visible one)
    ref: str
    ordinal: int  # 1, or the count among items of the same ref (unnumbered items)
    parent: str | None  # the recommendation a lettered part belongs to
    text: str
    addressee: str | None
    deadline: str | None  # as extracted, YYYY-MM-DD
    theme: str | None
    status: str  # a code of ingest.status.STATUSES
    status_evidence: str  # the quote the status rests on
    status_source: str  # extracted, proposed or confirmed
    overdue: bool
    # beyond the contract: what a board paper and the app need
    days_overdue: int
    type: str  # recommendation, area_for_improvement or cause_of_concern
    report: str | None
    deadline_text: str | None
    due: str | None  # set by a person (revised with a reason)
    owner: str | None
    note: str | None
    status_by: str | None
    status_at: str | None
    evidence_doc: str | None
    evidence_page: int | None
    evidence_chunk: str | None
    response: str | None
    page: int | None
    key: str
    version: int
    verification: str  # "", awaiting, verified or rejected
    status_label: str
    closed: bool  # only a verified complete, not applicable or superseded
    proposed_by: str | None
    proposed_at: str | None
    verified_by: str | None
    verified_at: str | None
    original_due: str | None
    due_why: str | None
    due_agreed_by: str | None

    @property
    def effective_due(self) -> str | None:
        """The date it is judged against: the agreed due date, else the deadline the document set."""
        return self.due or self.deadline

    def to_json(self) -> dict[str, Any]:
        """The ``kb recs --json`` object: the contract's fields first, then the rest."""
        out = asdict(self)
        return {**{k: out[k] for k in CONTRACT_FIELDS}, **{k: v for k, v in out.items() if k not in CONTRACT_FIELDS}}


ROW_FIELDS = tuple(f.name for f in fields(RegisterRow))


@dataclass(frozen=True)
class Related:
    """A recommendation of another report alike in meaning, with its cosine similarity."""

    row: RegisterRow
    similarity: float

    def to_json(self) -> dict[str, Any]:
        return {**self.row.to_json(), "similarity": self.similarity}


@dataclass(frozen=True)
class Change:
    """One entry of a recommendation's append-only history: who changed which field, from what, to what, and why."""

    at: str
    by: str  # a person, or "extraction" for what an ingest proposed
    field: str
    old: str | None
    new: str | None
    why: str | None


@dataclass(frozen=True)
class RowChange:
    """A change a person made, as the register's latest-changes list shows it: the change and the row it was made to."""

    at: str
    by: str
    field: str
    old: str | None
    new: str | None
    why: str | None
    ref: str
    parent: str | None
    type: str
    ordinal: int
    doc: str
    report: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Statement:
    """What one document said about a recommendation, with any proposal it makes against a person's status."""

    doc: str
    doc_date: str | None
    status: str
    quote: str
    chunk_id: str | None
    page: int | None
    proposal: str  # none, pending, accepted or rejected


@dataclass(frozen=True)
class History:
    """A recommendation's history (oldest first) and what each document said (newest document first)."""

    key: str
    history: list[Change] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The CLI's ``kb recs history --json`` object: key, history, statements."""
        return asdict(self)
