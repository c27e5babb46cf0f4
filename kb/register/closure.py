"""Taking a recommendation to a verified closure, and revising its due date, as trackers do.

- A complete is *proposed* with its evidence: a passage of an indexed document (its chunk id) or a
  note. It then reads "Complete, awaiting verification" and is not yet closed.
- Someone else, with the verifier or admin role, verifies it (now closed) or sends it back with a
  reason (the status it had before returns). Nobody verifies their own proposal.
- The original due date is kept; a revised one needs a reason and the name of who agreed it.

Each step appends to the recommendation's history (who, when, from, to, why) inside the caller's
transaction. Pure rules over one row; the SQL is the register's (kb.store.register_rows).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from kb.errors import ClosureError
from kb.store import register_rows
from kb.store.filters import Filters
from kb.store.register_rows import add_history as history
from kb.store.db import Store, now

EVIDENCE_CHARS = 600  # of a passage quoted as evidence



@dataclass(frozen=True)
class Evidence:
    """What shows a recommendation is complete: a quoted passage with its source, and/or a note."""

    quote: str = ""
    doc: str | None = None
    chunk_id: str | None = None
    page: int | None = None
    note: str = ""

    def described(self) -> str:
        """One line for the history."""
        parts = []
        if self.quote:
            parts.append(f"\u201c{self.quote[:200]}\u201d ({self.doc}{f', p.{self.page}' if self.page else ''})")
        if self.note:
            parts.append(self.note)
        return "; ".join(parts)


def evidence_from(store: Store, markings: tuple[str, ...], chunk_id: str | None, note: str | None) -> Evidence:
    """The evidence a person gives: a passage this reader may see (by chunk id), a note, or both."""
    note = (note or "").strip()
    if not chunk_id:
        if not note:
            raise ClosureError("a complete needs its evidence: the id of a passage that shows it (--evidence CHUNK_ID, "
                               "from kb search --json) or a note saying what was seen (--note TEXT)")
        return Evidence(note=note)
    found = store.chunks_by_ids([chunk_id.strip()], Filters(markings=markings)).get(chunk_id.strip())
    if found is None:
        raise ClosureError(f"no passage '{chunk_id}' in the knowledge base: copy a chunk_id from kb search --json, or give a --note instead")
    quote = " ".join(found["text"].split())
    if len(quote) > EVIDENCE_CHARS:
        quote = quote[:EVIDENCE_CHARS].rsplit(" ", 1)[0] + " \u2026"
    return Evidence(quote=quote, doc=found["doc"], chunk_id=found["id"], page=found["page"], note=note)


def shown_why(why: str | None, hidden: set[str]) -> str | None:
    """A history entry's reason as a reader sees it: evidence quoted from a document they may not
    read is left out (its words and its name), the step itself stays."""
    if not why or not hidden:
        return why
    if any(f"\u201d ({d}" in why for d in hidden):
        return why.split(": \u201c", 1)[0]
    return why


def same_person(a: str | None, b: str | None) -> bool:
    """Whether two recorded names are one person (case and spacing aside)."""
    norm = lambda s: " ".join((s or "").lower().split())  # noqa: E731
    return bool(norm(a)) and norm(a) == norm(b)


def propose_complete(tx: sqlite3.Connection, row: sqlite3.Row, by: str, evidence: Evidence) -> None:
    """Mark a recommendation complete, awaiting verification by someone else."""
    at = now()
    before = row["status"] if row["status"] != "complete" else (row["proposed_from"] or "in_progress")
    register_rows.set_fields(tx, row["key"], status="complete", status_source="confirmed", status_by=by, status_at=at, verification="awaiting",
                             proposed_by=by, proposed_at=at, proposed_from=before, verified_by=None, verified_at=None)
    if evidence.quote:
        register_rows.set_fields(tx, row["key"], status_evidence=evidence.quote, status_doc=evidence.doc, status_chunk=evidence.chunk_id,
                                 status_page=evidence.page)
    elif evidence.note:
        register_rows.set_fields(tx, row["key"], status_evidence=evidence.note, status_doc=None, status_chunk=None, status_page=None)
    history(tx, row["key"], by, "status", row["status"], "complete", f"proposed complete, awaiting verification: {evidence.described()}")


def verify(tx: sqlite3.Connection, row: sqlite3.Row, by: str, reject: bool = False, why: str | None = None) -> None:
    """Verify a proposed complete (it is then closed), or send it back with a reason."""
    if row["verification"] != "awaiting" or row["status"] != "complete":
        state = "already verified" if row["verification"] == "verified" else f"not proposed as complete (it is {row['status'].replace('_', ' ')})"
        raise ClosureError(f"there is nothing to verify: this recommendation is {state}")
    if same_person(by, row["proposed_by"]):
        raise ClosureError(f"{by} proposed this complete, and nobody verifies their own proposal: ask another verifier or an admin")
    why = (why or "").strip()
    at = now()
    if reject:
        if not why:
            raise ClosureError("say why it is sent back (--why TEXT): the proposer needs to know what is missing")
        back = row["proposed_from"] if row["proposed_from"] not in (None, "", "complete") else "in_progress"
        register_rows.set_fields(tx, row["key"], status=back, status_source="confirmed", status_by=by, status_at=at, verification="",
                                 verified_by=None, verified_at=None)
        history(tx, row["key"], by, "verification", "awaiting", "returned", why)
        history(tx, row["key"], by, "status", "complete", back, f"sent back: {why}")
        return
    register_rows.set_fields(tx, row["key"], status_source="confirmed", verification="verified", verified_by=by, verified_at=at)
    history(tx, row["key"], by, "verification", "awaiting", "verified", why or "evidence accepted")


def revise_due(tx: sqlite3.Connection, row: sqlite3.Row, by: str, due: str, why: str | None, agreed_by: str | None) -> None:
    """Set a due date. The first one needs no reason; changing one (or the document's deadline) needs
    a reason and who agreed it, and the original is kept beside it."""
    current = row["due"] or row["deadline"]
    if due == current:
        return
    if current:
        why, agreed_by = (why or "").strip(), (agreed_by or "").strip()
        if not why or not agreed_by:
            raise ClosureError(f"the due date is {current}: a revised date needs the reason (--why TEXT) and who agreed it (--agreed-by NAME)")
        original = row["original_due"] or current
        register_rows.set_fields(tx, row["key"], due=due, original_due=original, due_why=why, due_agreed_by=agreed_by)
        history(tx, row["key"], by, "due", current, due, f"{why} (agreed by {agreed_by})")
        return
    register_rows.set_fields(tx, row["key"], due=due)
    history(tx, row["key"], by, "due", None, due, why)
