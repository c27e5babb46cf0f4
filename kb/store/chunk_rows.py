"""The SQL that reads passages and pages for the pipeline and the document viewer."""

from __future__ import annotations

import sqlite3


def page_span(db: sqlite3.Connection, doc_id: int, page: int) -> tuple[int, int] | None:
    """Where one page of a document starts and ends in its source text, or None."""
    row = db.execute("SELECT start, end FROM pages WHERE doc_id = ? AND number = ?", (doc_id, page)).fetchone()
    return (int(row["start"]), int(row["end"])) if row else None


def for_embedding(db: sqlite3.Connection, ids: list[str]) -> list[sqlite3.Row]:
    """Stored passages with what their embedded text is made of (title, section, reference, context), by chunk id."""
    rows: list[sqlite3.Row] = []
    for i in range(0, len(ids), 500):  # SQLite's limit on parameters
        part = ids[i:i + 500]
        rows += db.execute(
            f"""SELECT c.id, c.text, c.section, c.ref, c.context, d.title, d.name, d.kind, d.content_hash
                FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE c.id IN ({','.join('?' * len(part))})""", part).fetchall()
    return rows
