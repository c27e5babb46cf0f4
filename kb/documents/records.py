"""A stored document as a reader sees it in the library (``KB.documents``, ``kb docs --json``, the Documents tab)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class DocumentInfo:
    """One document's metadata: what the reading found (or a person corrected) and what the ingest stored."""

    id: int
    path: str
    name: str
    content_hash: str
    format: str  # pdf, docx, html, md or txt
    kind: str  # a kind of ingest.kind.KINDS
    title: str
    date: str | None  # YYYY-MM-DD
    date_text: str | None  # the date as the document wrote it
    force: str | None
    foi_reference: str | None
    report: str | None  # the report a response answers
    pages: int
    chunks: int
    bytes: int
    warnings: list[str] = field(default_factory=list)
    ingested_at: str = ""
    marking: str = "OFFICIAL"  # its protective marking

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> DocumentInfo:
        """From a row of the documents table (its warnings stored as JSON; its reading's details left out)."""
        values = {f.name: row[f.name] for f in fields(cls)}
        values["warnings"] = json.loads(row["warnings"] or "[]")
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        """The ``kb docs --json`` object."""
        return asdict(self)
