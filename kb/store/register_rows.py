"""The SQL of the recommendation register: its rows, what each document stated about them, and their history.

What a document states is synced here inside the document's transaction (``sync``): its statements replace
the ones an earlier read of it made, new rows are made, newer documents update the rows they restate, and a
status a person confirmed is never overwritten (a differing statement becomes a pending proposal). The rules
of a person's change (``kb/register/tracker.py``) and of a closure (``kb/register/closure.py``) call the
small writes below. History is append-only.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from kb.errors import NotFoundError
from kb.store.db import now

EXTRACTION = "extraction"  # who the history says made a change an ingest proposed
COLUMNS = frozenset({
    "owner", "note", "status", "status_source", "status_by", "status_at", "status_evidence", "status_doc", "status_chunk", "status_page",
    "verification", "proposed_by", "proposed_at", "proposed_from", "verified_by", "verified_at", "due", "original_due", "due_why", "due_agreed_by",
})


def add_history(tx: sqlite3.Connection, key: str, by: str, field: str, old: Any, new: Any, why: str | None) -> None:
    """Append one entry to a recommendation's history."""
    tx.execute("INSERT INTO rec_history (rec_key, at, by, field, old, new, why) VALUES (?,?,?,?,?,?,?)",
               (key, now(), by, field, None if old is None else str(old), None if new is None else str(new), why))


@dataclass
class Extracted:
    """A recommendation as one document states it, ready for the register."""

    key: str
    fields: dict[str, Any]  # report, type, ref, ordinal, parent, seq, text, addressee, deadline, deadline_text, theme, response, chunk_id, page
    status: str
    quote: str
    chunk_id: str | None
    page: int | None


def sync(tx: sqlite3.Connection, doc: str, doc_date: str | None, extracted: list[Extracted]) -> None:
    """Record what a document says about its recommendations (inside the document's transaction)."""
    at = now()
    keys = {e.key for e in extracted}
    # re-ingest of a document: its earlier statements are replaced, not duplicated
    tx.execute("DELETE FROM rec_statements WHERE doc = ?", (doc,))
    _drop_orphans(tx, doc, keys)
    for e in extracted:
        row = tx.execute("SELECT * FROM recommendations WHERE key = ?", (e.key,)).fetchone()
        newer = row is None or (doc_date or "") >= (row["doc_date"] or "") or row["doc"] == doc
        proposal = "none"
        if row is not None and row["status_source"] == "confirmed" and row["status"] != e.status:
            proposal = "pending"
        tx.execute("INSERT INTO rec_statements (rec_key, doc, doc_date, status, quote, chunk_id, page, at, proposal) VALUES (?,?,?,?,?,?,?,?,?)",
                   (e.key, doc, doc_date, e.status, e.quote, e.chunk_id, e.page, at, proposal))
        f = e.fields
        if row is None:
            tx.execute(
                """INSERT INTO recommendations (key, doc, doc_date, report, type, ref, ordinal, parent, seq, text, addressee, deadline,
                   deadline_text, theme, response, chunk_id, page, status, status_source, status_evidence, status_doc, status_chunk,
                   status_page, status_by, status_at, updated_at, verification, proposed_by, proposed_at)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                (e.key, doc, doc_date, f["report"], f["type"], f["ref"], f["ordinal"], f["parent"], f["seq"], f["text"], f["addressee"],
                 f["deadline"], f["deadline_text"], f["theme"], f["response"], f["chunk_id"], f["page"], e.status, "extracted", e.quote,
                 doc, e.chunk_id, e.page, EXTRACTION, at, at, _awaiting(e.status), *((EXTRACTION, at) if e.status == "complete" else (None, None))),
            )
            add_history(tx, e.key, EXTRACTION, "status", None, e.status, f"proposed from {doc}: \u201c{e.quote[:200]}\u201d" if e.quote else f"no response found in {doc}")
            continue
        if not newer:
            continue  # an older document: its statement joins the timeline only
        tx.execute(
            """UPDATE recommendations SET doc=?, doc_date=?, text=?, addressee=?, deadline=?, deadline_text=?, theme=?, response=?,
               chunk_id=?, page=?, seq=?, updated_at=? WHERE key=?""",
            (doc, doc_date, f["text"], f["addressee"], f["deadline"], f["deadline_text"], f["theme"], f["response"], f["chunk_id"], f["page"],
             f["seq"], at, e.key),
        )
        if row["status_source"] == "extracted" and (row["status"] != e.status or row["status_evidence"] != e.quote):
            tx.execute("""UPDATE recommendations SET status=?, status_evidence=?, status_doc=?, status_chunk=?, status_page=?, status_at=?,
                          verification=?, proposed_by=?, proposed_at=?, version=version+1 WHERE key=?""",
                       (e.status, e.quote, doc, e.chunk_id, e.page, at, _awaiting(e.status),
                        *((EXTRACTION, at) if e.status == "complete" else (None, None)), e.key))
            if row["status"] != e.status:
                add_history(tx, e.key, EXTRACTION, "status", row["status"], e.status, f"proposed from {doc}: \u201c{e.quote[:200]}\u201d")


def _awaiting(status: str) -> str:
    """A document saying "complete" proposes it: it awaits a person's verification."""
    return "awaiting" if status == "complete" else ""


def _drop_orphans(tx: sqlite3.Connection, doc: str, keep: set[str]) -> None:
    """Rows this document alone supported and no longer states; a person's confirmed rows stay."""
    for row in tx.execute("SELECT key, status_source FROM recommendations WHERE doc = ?", (doc,)).fetchall():
        if row["key"] in keep:
            continue
        others = tx.execute("SELECT COUNT(*) FROM rec_statements WHERE rec_key = ? AND doc != ?", (row["key"], doc)).fetchone()[0]
        if not others and row["status_source"] != "confirmed":
            tx.execute("DELETE FROM recommendations WHERE key = ?", (row["key"],))
            add_history(tx, row["key"], EXTRACTION, "removed", None, None, f"no longer found in {doc}")


def forget_document(tx: sqlite3.Connection, doc: str) -> None:
    """A document was deleted: drop its statements, and rows only it supported (confirmed rows stay)."""
    tx.execute("DELETE FROM rec_statements WHERE doc = ?", (doc,))
    _drop_orphans(tx, doc, set())


def get(db: sqlite3.Connection, key: str) -> sqlite3.Row:
    """One register row by its key (it was just found or written: a missing one is a removed row)."""
    row = db.execute("SELECT * FROM recommendations WHERE key = ?", (key,)).fetchone()
    if row is None:
        raise NotFoundError("that recommendation is no longer in the register (its document was deleted or read again): reload")
    return row


def set_fields(tx: sqlite3.Connection, key: str, **values: Any) -> None:
    """Set some of a row's columns (named from ``COLUMNS`` only: names are never taken from input)."""
    unknown = set(values) - COLUMNS
    if unknown:
        raise ValueError(f"not a register column that may be set: {sorted(unknown)}")
    names = list(values)
    tx.execute(f"UPDATE recommendations SET {', '.join(f'{n}=?' for n in names)} WHERE key=?", (*(values[n] for n in names), key))


def bump(tx: sqlite3.Connection, key: str, at: str) -> None:
    """A saved change: the row's version goes up (a stale save is then refused) and its time is kept."""
    tx.execute("UPDATE recommendations SET version = version + 1, updated_at = ? WHERE key = ?", (at, key))


def settle_proposals(tx: sqlite3.Connection, key: str, status: str) -> None:
    """A person set the status: pending proposals that agree are accepted, the others rejected."""
    tx.execute("UPDATE rec_statements SET proposal = CASE WHEN status = ? THEN 'accepted' ELSE 'rejected' END WHERE rec_key = ? AND proposal = 'pending'",
               (status, key))


def last_change(db: sqlite3.Connection, key: str) -> sqlite3.Row | None:
    """Who made the newest history entry of a row, and when."""
    return db.execute("SELECT by, at FROM rec_history WHERE rec_key = ? ORDER BY id DESC LIMIT 1", (key,)).fetchone()


def rows(db: sqlite3.Connection, status: str | None = None, doc: str | None = None) -> list[sqlite3.Row]:
    """Register rows in report, document and printed order; ``doc``: the rows it states or restates."""
    sql, params = "SELECT * FROM recommendations WHERE 1=1", []
    if status:
        sql += " AND status = ?"
        params.append(status)
    if doc:
        sql += " AND (doc = ? OR key IN (SELECT rec_key FROM rec_statements WHERE doc = ?))"
        params += [doc, doc]
    return db.execute(sql + " ORDER BY report, doc, seq", params).fetchall()


def by_ref(db: sqlite3.Connection, ref: str, doc: str) -> list[sqlite3.Row]:
    """The rows with this printed reference that a document states or restates, in printed order."""
    return db.execute(
        "SELECT * FROM recommendations WHERE ref = ? AND (doc = ? OR key IN (SELECT rec_key FROM rec_statements WHERE doc = ?)) ORDER BY seq",
        (ref, doc, doc)).fetchall()


def changes(db: sqlite3.Connection, limit: int) -> list[sqlite3.Row]:
    """The newest history entries people made (not ingests), with their row's reference and report, newest first."""
    return db.execute(
        """SELECT h.at, h.by, h.field, h.old, h.new, h.why, r.ref, r.parent, r.type, r.ordinal, r.doc, r.report, r.status_doc
           FROM rec_history h JOIN recommendations r ON r.key = h.rec_key WHERE h.by != ? ORDER BY h.id DESC LIMIT ?""",
        (EXTRACTION, limit)).fetchall()


def history_of(db: sqlite3.Connection, key: str) -> list[sqlite3.Row]:
    """Every history entry of a row, oldest first."""
    return db.execute("SELECT at, by, field, old, new, why FROM rec_history WHERE rec_key = ? ORDER BY id", (key,)).fetchall()


def statements_of(db: sqlite3.Connection, key: str) -> list[sqlite3.Row]:
    """What each document said about a row, newest document first."""
    return db.execute("SELECT doc, doc_date, status, quote, chunk_id, page, proposal FROM rec_statements WHERE rec_key = ? "
                      "ORDER BY COALESCE(doc_date, '') DESC, id DESC", (key,)).fetchall()


def document_names(db: sqlite3.Connection, where: str | None = None, params: list[Any] | None = None) -> set[str]:
    """The names of documents (those ``where`` lets through, or all)."""
    sql = "SELECT d.name FROM documents d" + (f" WHERE {where}" if where else "")
    return {r[0] for r in db.execute(sql, params or [])}
