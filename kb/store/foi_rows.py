"""The SQL of FOI: disclosure records and their questions, and the request log's requests and events.

Plain functions over a connection (``store.db``) or a transaction (``store.transaction()``); the rules
(what may be logged, the clock) live in ``kb/foi/``. Lists travel as JSON text in their columns.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ingest.foi import FoiRecord


def _doc_id(tx: sqlite3.Connection, doc_name: str) -> int | None:
    row = tx.execute("SELECT id FROM documents WHERE name = ? ORDER BY id DESC LIMIT 1", (doc_name,)).fetchone()
    return row[0] if row else None


def save_record(tx: sqlite3.Connection, doc_name: str, record: FoiRecord, located: list[tuple[str | None, int | None]]) -> None:
    """Store a disclosure's record and questions (inside the document's transaction)."""
    doc_id = _doc_id(tx, doc_name)
    tx.execute("INSERT INTO foi_records (doc_id, reference, received, disclosed, outcome, exemptions) VALUES (?,?,?,?,?,?)",
               (doc_id, record.reference, record.received, record.disclosed, record.outcome, json.dumps(record.exemptions)))
    tx.executemany("INSERT INTO foi_questions (doc_id, n, question, answer, exemptions, chunk_id, page) VALUES (?,?,?,?,?,?,?)",
                   [(doc_id, q.n, q.question, q.answer, json.dumps(q.exemptions), cid, page) for q, (cid, page) in zip(record.questions, located)])


def upsert_record(tx: sqlite3.Connection, doc_name: str, reference: str, received: str, disclosed: str | None, outcome: str,
                  exemptions: list[str]) -> bool:
    """The FOI log knows a response's reference, dates, outcome and exemptions: its disclosure document's record
    carries them, whatever the reader made of the text (made when it has none); False when there is no such document."""
    doc_id = _doc_id(tx, doc_name)
    if doc_id is None:
        return False
    tx.execute("""INSERT INTO foi_records (doc_id, reference, received, disclosed, outcome, exemptions) VALUES (?,?,?,?,?,?)
                  ON CONFLICT(doc_id) DO UPDATE SET reference=excluded.reference, received=excluded.received, disclosed=excluded.disclosed,
                  outcome=excluded.outcome, exemptions=excluded.exemptions""",
               (doc_id, reference, received, disclosed, outcome, json.dumps(exemptions)))
    return True


def records(db: sqlite3.Connection, where: str, params: list[Any]) -> list[sqlite3.Row]:
    """Disclosure records with their document's name and title, newest first, for documents ``where`` lets through."""
    return db.execute(f"""SELECT f.*, d.name, d.title FROM foi_records f JOIN documents d ON d.id = f.doc_id WHERE {where}
                          ORDER BY COALESCE(f.disclosed, d.date, '') DESC, d.name""", params).fetchall()


def questions_of(db: sqlite3.Connection, doc_id: int) -> list[sqlite3.Row]:
    """One disclosure's questions in order."""
    return db.execute("SELECT * FROM foi_questions WHERE doc_id = ? ORDER BY n", (doc_id,)).fetchall()


def questions(db: sqlite3.Connection, where: str, params: list[Any]) -> list[sqlite3.Row]:
    """Every disclosed question with its record's reference and date and its document, for documents ``where`` lets through."""
    return db.execute(f"""SELECT q.*, f.reference, f.disclosed, d.name, d.title, d.date FROM foi_questions q
                          JOIN foi_records f ON f.doc_id = q.doc_id JOIN documents d ON d.id = q.doc_id WHERE {where}""", params).fetchall()


def request_exists(tx: sqlite3.Connection, ref: str) -> bool:
    """True when a request with this reference (any case) is in the log."""
    return tx.execute("SELECT 1 FROM foi_requests WHERE lower(ref) = lower(?)", (ref,)).fetchone() is not None


def add_request(tx: sqlite3.Connection, ref: str, received: str, request: str, officer: str | None, precedents: list[Any],
                removed: list[str], by: str, at: str) -> None:
    """Log a request (its text already scrubbed)."""
    tx.execute("INSERT INTO foi_requests (ref, received, request, officer, precedents, removed, logged_by, logged_at) VALUES (?,?,?,?,?,?,?,?)",
               (ref, received, request, officer, json.dumps(precedents), json.dumps(removed), by, at))


def add_event(tx: sqlite3.Connection, ref: str, kind: str, on_date: str, note: str, outcome: str | None, exemptions: list[str],
              by: str, at: str) -> None:
    """Append one event to a request (events are never changed or removed)."""
    tx.execute("INSERT INTO foi_events (ref, kind, on_date, note, outcome, exemptions, by, at) VALUES (?,?,?,?,?,?,?,?)",
               (ref, kind, on_date, note, outcome, json.dumps(exemptions), by, at))


def request(db: sqlite3.Connection, ref: str) -> sqlite3.Row | None:
    """A request by its reference (any case)."""
    return db.execute("SELECT * FROM foi_requests WHERE lower(ref) = lower(?)", (ref,)).fetchone()


def events(db: sqlite3.Connection, ref: str) -> list[sqlite3.Row]:
    """A request's events in date order (then the order they were logged)."""
    return db.execute("SELECT * FROM foi_events WHERE ref = ? ORDER BY on_date, id", (ref,)).fetchall()


def request_refs(db: sqlite3.Connection) -> list[str]:
    """Every request's reference, newest received first."""
    return [r[0] for r in db.execute("SELECT ref FROM foi_requests ORDER BY received DESC, ref")]
