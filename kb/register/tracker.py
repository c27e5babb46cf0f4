"""The recommendation register: what each document said, the current status with its evidence,
owners and due dates set by people, what is overdue, and an append-only history.

One register row per recommendation, keyed by the report it comes from, its type, parent, ref
and ordinal, so a PCC response and a force response to the same report update the same row.
A status a person confirmed is never overwritten by extraction: a document that says something
different becomes a pending proposal for a person to accept or reject.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from ingest.status import STATUSES
from kb.register import closure
from kb.register.records import Change, RegisterRow, RowChange, Statement
from kb.errors import ConflictError, FileError, InputError, NotFoundError
from kb.labels import status_label
from kb.files import safe_cell, write_csv
from kb.store import register_rows
from kb.store.filters import Filters
from kb.store.register_rows import EXTRACTION
from kb.store.register_rows import add_history as history
from kb.store.db import Store, now

# not overdue: complete (proposed or verified; a proposal awaits a verifier, not the owner), or no longer applicable
CLOSED = ("complete", "not_applicable", "superseded")
ROW_CHANGE_FIELDS = ("at", "by", "field", "old", "new", "ref", "parent", "type", "ordinal", "doc", "report")
EXPORT_COLUMNS = ["report", "doc", "ref", "parent", "type", "text", "addressee", "theme", "deadline", "due", "original_due", "due_why",
                  "due_agreed_by", "overdue", "days_overdue", "status", "status_label", "verification", "closed", "status_source", "status_by",
                  "status_at", "proposed_by", "verified_by", "verified_at", "owner", "note", "status_evidence", "evidence_doc", "evidence_page"]



def report_key(report: str | None) -> str:
    """A report's name reduced to its words, so two documents naming it alike share rows."""
    text = re.sub(r"\([^)]*\)", " ", (report or "").lower())
    words = [w for w in re.findall(r"[a-z0-9]+", text) if w not in {"the", "a", "an", "of", "on", "and", "report", "hmicfrs", "into", "from", "their"}]
    return " ".join(words)


TYPE_LABELS = {"recommendation": "Recommendation", "area_for_improvement": "Area for improvement", "cause_of_concern": "Cause of concern"}


def rec_label(type_: str, ref: str, parent: str | None = None, ordinal: int = 1) -> str:
    """How a person names an item: "Recommendation 4", "Recommendation 2(a)", "Area for improvement 3",
    or, unnumbered, "Area for improvement (the 2nd unnumbered)"."""
    kind = TYPE_LABELS.get(type_, "Recommendation")
    if parent:
        return f"{kind} {parent}({ref})"
    if ref:
        return f"{kind} {ref}"
    return f"{kind} (unnumbered)" if ordinal == 1 else f"{kind} (unnumbered, {ordinal})"


def rec_key(report: str | None, type_: str, parent: str | None, ref: str, ordinal: int) -> str:
    """The register key of a recommendation."""
    return f"{report_key(report)}|{type_}|{parent or ''}|{ref}|{ordinal}"


def _conflict(tx: sqlite3.Connection, row: sqlite3.Row) -> ConflictError:
    """The refusal of a stale save, naming who changed the row last and when.

    The newest history entry says who (a person, or a document read by an ingest); a save
    that changed no field leaves no entry, so then only the time of the last change is known.
    """
    last = register_rows.last_change(tx, row["key"])
    who, when = "someone else", row["updated_at"]
    if last is not None and last["at"] >= (row["updated_at"] or ""):
        who, when = last["by"], last["at"]
        if who == EXTRACTION:  # no document named: the reader may not be cleared to see it
            who = "a newly ingested document"
    return ConflictError(f"changed by {who} at {when}: reload and try again")


def _iso(value: str | None, what: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise InputError(f"{what} must be a date written YYYY-MM-DD; got '{value}'") from None


class Tracker:
    """Reading and changing the register."""

    def __init__(self, store: Store, markings: tuple[str, ...] = ()) -> None:
        self.store = store
        self.markings = markings  # the reader's protective markings (empty: all)
        self._hidden: set[str] | None = None

    @property
    def hidden(self) -> set[str]:
        """Names of the documents this reader may not see (nothing they say reaches the reader)."""
        if self._hidden is None:
            filters = Filters(markings=self.markings)
            if not filters.restricted():
                self._hidden = set()
            else:
                allowed = register_rows.document_names(self.store.db, *filters.where())
                self._hidden = register_rows.document_names(self.store.db) - allowed
        return self._hidden

    def _visible(self, r: sqlite3.Row) -> sqlite3.Row | dict[str, Any] | None:
        """A register row as this reader may see it: None when it comes from a hidden document; evidence
        from a hidden document replaced by the newest statement of a visible one (or removed)."""
        hidden = self.hidden
        if not hidden:
            return r
        row = dict(r)
        if r["doc"] in hidden:  # a hidden (newer) document restated it: show it as the visible documents state it
            seen = self.statements(r["key"])
            if not seen:
                return None
            row.update(doc=seen[0].doc, doc_date=seen[0].doc_date, response="", chunk_id=None, page=None)
        if r["status_doc"] not in hidden:
            return row
        row.update(status_evidence="", status_doc=None, status_chunk=None, status_page=None)
        if r["status_source"] == "extracted":
            seen = self.statements(r["key"])
            row["status"] = seen[0].status if seen else "unknown"
            if seen:
                row.update(status_evidence=seen[0].quote, status_doc=seen[0].doc, status_chunk=seen[0].chunk_id, status_page=seen[0].page)
        return row

    def rows(self, status: str | None = None, overdue: bool = False, doc: str | None = None, today: date | None = None,
             words: str | None = None) -> list[RegisterRow]:
        """Register rows (the docs/ARCHITECTURE.md JSON fields and more), in document and printed order;
        ``words`` must all appear (any case) in the report, theme, owner, addressee or text."""
        if status and status not in STATUSES:
            raise InputError(f"unknown status '{status}': choose one of {', '.join(STATUSES)}")
        today = today or date.today()
        wanted = (words or "").lower().split()
        out = []
        for found in register_rows.rows(self.store.db, status, doc):
            r = self._visible(found)
            if r is None:
                continue
            row = self._row(r, today)
            if overdue and not row.overdue:
                continue
            if wanted and not all(w in " ".join(v or "" for v in (row.report, row.theme, row.owner, row.addressee, row.text)).lower() for w in wanted):
                continue
            out.append(row)
        return out

    @staticmethod
    def _row(r: sqlite3.Row | dict[str, Any], today: date) -> RegisterRow:
        effective = r["due"] or r["deadline"]
        late = bool(effective) and date.fromisoformat(effective) < today and r["status"] not in CLOSED
        return RegisterRow(
            doc=r["doc"], ref=r["ref"], ordinal=r["ordinal"], parent=r["parent"], text=r["text"], addressee=r["addressee"],
            deadline=r["deadline"], theme=r["theme"], status=r["status"], status_evidence=r["status_evidence"],
            status_source=r["status_source"], overdue=late,
            days_overdue=(today - date.fromisoformat(effective)).days if late else 0, type=r["type"], report=r["report"],
            deadline_text=r["deadline_text"], due=r["due"], owner=r["owner"], note=r["note"], status_by=r["status_by"],
            status_at=r["status_at"], evidence_doc=r["status_doc"], evidence_page=r["status_page"], evidence_chunk=r["status_chunk"],
            response=r["response"], page=r["page"], key=r["key"], version=r["version"],
            verification=r["verification"], status_label=status_label(r["status"], r["verification"]),
            closed=(r["status"] == "complete" and r["verification"] == "verified") or r["status"] in ("not_applicable", "superseded"),
            proposed_by=r["proposed_by"], proposed_at=r["proposed_at"], verified_by=r["verified_by"], verified_at=r["verified_at"],
            original_due=r["original_due"], due_why=r["due_why"], due_agreed_by=r["due_agreed_by"])

    def find(self, ref: str, doc: str, ordinal: int | None = None, parent: str | None = None) -> sqlite3.Row:
        """The one register row a person means by a ref in a document; a clear message otherwise."""
        rows = register_rows.by_ref(self.store.db, ref, doc)
        rows = [r for r in rows if self._visible(r) is not None and doc not in self.hidden]
        if ordinal is not None:
            rows = [r for r in rows if r["ordinal"] == ordinal]
        if parent is not None:
            rows = [r for r in rows if (r["parent"] or "") == parent]
        if not rows:
            raise NotFoundError(f"no recommendation '{ref}' in '{doc}' (see: kb recs --doc {doc})")
        if len(rows) > 1:
            choices = "; ".join(f"--ordinal {r['ordinal']}" + (f" --parent {r['parent']}" if r["parent"] else "") + f": {r['text'][:60]}" for r in rows)
            raise InputError(f"'{ref}' appears {len(rows)} times in '{doc}': say which with {choices}")
        return rows[0]

    def set(self, ref: str, doc: str, by: str, status: str | None = None, owner: str | None = None, due: str | None = None,
            note: str | None = None, ordinal: int | None = None, parent: str | None = None, expected_version: int | None = None,
            evidence: str | None = None, why: str | None = None, agreed_by: str | None = None) -> RegisterRow:
        """A person's change: each changed field appends to the history; a status becomes confirmed.

        A complete is proposed with its ``evidence`` (a chunk id) or ``note`` and awaits verification
        (kb.register.closure); a changed due date needs ``why`` and ``agreed_by``."""
        if not (by or "").strip():
            raise InputError("say who is making the change (--by NAME)")
        if status is not None and status not in STATUSES:
            raise InputError(f"unknown status '{status}': choose one of {', '.join(STATUSES)}")
        due = _iso(due, "the due date")
        with self.store.transaction() as tx:
            row = self._fresh(tx, ref, doc, ordinal, parent, expected_version)
            at, key = now(), row["key"]
            for field, value in (("owner", owner), ("note", note)):
                if value is not None and value != row[field]:
                    register_rows.set_fields(tx, key, **{field: value})
                    history(tx, key, by, field, row[field], value, note if field != "note" else None)
            if due is not None:
                closure.revise_due(tx, row, by, due, why, agreed_by)
            # a complete a person already confirmed stays as it is (a note alone is a note: the app sends the
            # status shown with every save); new evidence proposes it again
            if status == "complete" and (row["status"] != "complete" or row["status_source"] != "confirmed" or evidence):
                closure.propose_complete(tx, row, by, closure.evidence_from(self.store, self.markings, evidence, note))
            elif status == "complete":
                pass
            elif status is not None and (status != row["status"] or row["status_source"] != "confirmed"):
                register_rows.set_fields(tx, key, status=status, status_source="confirmed", status_by=by, status_at=at, verification="",
                                         verified_by=None, verified_at=None)
                history(tx, key, by, "status", row["status"], status, note)
            if status is not None:
                register_rows.settle_proposals(tx, key, status)
            register_rows.bump(tx, key, at)
            fresh = register_rows.get(tx, key)
        return self._shown(fresh)

    def verify(self, ref: str, doc: str, by: str, reject: bool = False, why: str | None = None, ordinal: int | None = None,
               parent: str | None = None, expected_version: int | None = None) -> RegisterRow:
        """Verify a proposed complete, or send it back with a reason (kb.closure.verify)."""
        if not (by or "").strip():
            raise InputError("say who is verifying (--by NAME)")
        with self.store.transaction() as tx:
            row = self._fresh(tx, ref, doc, ordinal, parent, expected_version)
            closure.verify(tx, row, by.strip(), reject=reject, why=why)
            register_rows.bump(tx, row["key"], now())
            fresh = register_rows.get(tx, row["key"])
        return self._shown(fresh)

    def _fresh(self, tx: sqlite3.Connection, ref: str, doc: str, ordinal: int | None, parent: str | None,
               expected_version: int | None) -> sqlite3.Row:
        """The row a person means, read inside the transaction; refused if it changed since they read it."""
        row = self.find(ref, doc, ordinal, parent)
        row = register_rows.get(tx, row["key"])
        if expected_version is not None and row["version"] != expected_version:
            raise _conflict(tx, row)
        return row

    def _shown(self, fresh: sqlite3.Row) -> RegisterRow:
        shown = self._visible(fresh)
        return self._row(shown if shown is not None else fresh, date.today())

    def changes(self, limit: int = 10) -> list[RowChange]:
        """The newest changes people made to the register (not what ingests proposed), newest first."""
        rows = register_rows.changes(self.store.db, limit * 3)
        hidden = self.hidden
        return [RowChange(**{k: r[k] for k in ROW_CHANGE_FIELDS}, why=closure.shown_why(r["why"], hidden))
                for r in rows if r["doc"] not in hidden][:limit]

    def history(self, key: str) -> list[Change]:
        """Every change to a recommendation, oldest first (without what hidden documents proposed)."""
        rows = [Change(**dict(r)) for r in register_rows.history_of(self.store.db, key)]
        hidden = self.hidden
        if not hidden:
            return rows
        def from_hidden(why: str) -> bool:
            return any(why.startswith(f"proposed from {d}: ") or why == f"no response found in {d}" for d in hidden)

        return [replace(r, why=closure.shown_why(r.why, hidden)) for r in rows if not (r.by == EXTRACTION and from_hidden(r.why or ""))]

    def statements(self, key: str) -> list[Statement]:
        """What each (visible) document said about a recommendation, newest document first, with any pending proposal."""
        hidden = self.hidden
        return [Statement(**dict(r)) for r in register_rows.statements_of(self.store.db, key) if r["doc"] not in hidden]

    def export(self, path: str | Path, today: date | None = None) -> int:
        """Write the register to CSV or XLSX (by extension) for board papers; returns the row count."""
        target = Path(path)
        rows = self.rows(today=today)
        values = [[getattr(r, c) for c in EXPORT_COLUMNS] for r in rows]
        suffix = target.suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise InputError(f"export to a .csv or .xlsx file; got '{target.name}'")
        if suffix == ".csv":
            write_csv(target, EXPORT_COLUMNS, values)
            return len(rows)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_xlsx(target, values)
        except OSError as exc:
            raise FileError(f"cannot write {target}: {exc.strerror or exc}") from exc
        return len(rows)




def _write_xlsx(target: Path, values: list[list[Any]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "Recommendations"
    ws.append([c.replace("_", " ").capitalize() for c in EXPORT_COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    red = PatternFill("solid", fgColor="F8CBAD")
    for row in values:
        ws.append([safe_cell(v) for v in row])
        if row[EXPORT_COLUMNS.index("overdue")]:
            for cell in ws[ws.max_row]:
                cell.fill = red
    widths = {"text": 70, "status_evidence": 60, "report": 40, "doc": 30, "note": 30}
    for i, name in enumerate(EXPORT_COLUMNS, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = widths.get(name, 14)
        if name in widths:
            for cell in ws[ws.cell(1, i).column_letter][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    wb.save(target)
