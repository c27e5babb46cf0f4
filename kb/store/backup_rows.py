"""The SQL of a backup and a restore: the rows a backup carries, the facts its manifest records,
SQLite's integrity check, and moving uploaded documents' paths into the home they are restored to."""

from __future__ import annotations

import sqlite3
from pathlib import Path

TABLES = ("documents", "chunks", "pages", "recommendations", "rec_statements", "rec_history", "foi_records", "foi_questions",
          "glossary", "users", "audit", "foi_requests", "foi_events")


def counts(db: sqlite3.Connection) -> dict[str, int]:
    """Rows per table that a backup carries (a backup of an earlier schema lacks the newer tables)."""
    present = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {t: int(db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in TABLES if t in present}


def chunk_ids(db: sqlite3.Connection) -> list[str]:
    """Every passage's id, in the order they were stored."""
    return [r[0] for r in db.execute("SELECT id FROM chunks ORDER BY rowid")]


def schema_version(db: sqlite3.Connection) -> int:
    """The newest migration the database has."""
    return int(db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0])


def embed_model(db: sqlite3.Connection) -> str | None:
    """The embedding model the vectors were made with, if any were."""
    row = db.execute("SELECT value FROM settings WHERE key = 'embed_model'").fetchone()
    return row[0] if row else None


def integrity(db: sqlite3.Connection) -> str:
    """SQLite's integrity check: "ok", or what is wrong."""
    return str(db.execute("PRAGMA integrity_check").fetchone()[0])


def move_uploads(tx: sqlite3.Connection, uploads_from: str, uploads_to: Path) -> None:
    """Documents uploaded to the old home's uploads folder now live in this one's."""
    for doc_id, path in tx.execute("SELECT id, path FROM documents").fetchall():
        if path.startswith(uploads_from + "/"):
            tx.execute("UPDATE documents SET path = ? WHERE id = ?", (str(uploads_to / path[len(uploads_from) + 1:]), doc_id))


def chunk_texts(db: sqlite3.Connection) -> dict[str, str]:
    """Every passage's text by id (a restore writes it beside its vector)."""
    return {r[0]: r[1] for r in db.execute("SELECT id, text FROM chunks")}
