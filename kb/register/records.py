"""The register's typed records at its boundary: a change in a recommendation's history, what one document
stated about it, and the two together as ``KB.recommendation_history`` gives them (JSON from ``to_json``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


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
