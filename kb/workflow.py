"""The teams' processes over the knowledge base: the dashboard, verifying a completed recommendation,
the FOI request log with its statistics and disclosure log, and the board report.

One ``Workflow`` per view of the knowledge base (``KB.workflow``): every read is what that user may
see, every change is checked against their role and written to the audit log under their name.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb.register import board
from kb.register import dashboard as dash
from kb.errors import DocumentError, EmptyIndexError, FileError
from kb.foi.log import FOILog, Request, scrub
from kb.foi.records import Precedents
from kb.foi.stats import Stats, period, stats, write_disclosure_log, write_stats_csv
from kb.labels import outcome_label
from kb.documents.uploads import safe_name
from kb.register.records import RegisterRow
from kb.store import foi_rows

if TYPE_CHECKING:
    from kb.service import KB

PRECEDENTS = 5  # earlier disclosures attached to a newly logged request


class Workflow:
    """The dashboard, closure, FOI log and board report of one view of a knowledge base."""

    def __init__(self, kb: KB) -> None:
        self.kb = kb
        self.log = FOILog(kb.store)

    # --- the dashboard --------------------------------------------------------------------
    def dashboard(self, today: date | None = None) -> dash.Dashboard:
        """Where the register and the FOI log stand (what this reader may see)."""
        today = today or date.today()
        tracker = self.kb.tracker
        return dash.build(tracker.rows(today=today), tracker.changes(10), self.log.requests(today=today), today)

    # --- closing a recommendation ---------------------------------------------------------
    def verify(self, ref: str, doc: str, by: str, reject: bool = False, why: str | None = None, ordinal: int | None = None,
               parent: str | None = None, expected_version: int | None = None, as_user: str | None = None) -> RegisterRow:
        """Verify a proposed complete, or send it back with ``why``: a verifier or admin, never the proposer."""
        self.kb._require(as_user, "verify")
        row = self.kb.tracker.verify(ref, doc, as_user or self.kb.user or by, reject=reject, why=why, ordinal=ordinal, parent=parent,
                                     expected_version=expected_version)
        self.kb._audit("verify", f"{doc} {ref}: {'sent back: ' + (why or '') if reject else 'verified'}")
        return row

    # --- the FOI request log ----------------------------------------------------------------
    def log_request(self, ref: str, received: str, text: str, officer: str | None, by: str, as_user: str | None = None,
                    today: date | None = None) -> Request:
        """Log a new request: its due date is worked out, and the closest earlier disclosures are attached."""
        self.kb._require(as_user, "foi")
        precedents: list[dict[str, Any]] = []
        if (text or "").strip():
            try:
                found = self.kb.foi_similar(scrub(text)[0], k=3)  # the requester's details are never compared, kept or audited
            except EmptyIndexError:
                found = Precedents()
            refs = {p.doc: p for q in found.questions for p in q.precedents}
            for d in found.documents[:PRECEDENTS]:
                p = refs.get(d.doc)
                precedents.append({"doc": d.doc, "similarity": d.best_similarity, "reference": p.reference if p else None,
                                   "disclosed": p.disclosed if p else None, "title": p.title if p else ""})
        request = self.log.add(ref, received, text, officer, as_user or self.kb.user or by, precedents, today)
        self.kb._audit("foi log", f"{request.ref}: logged, received {request.received}, due {request.due}")
        return request

    def event(self, ref: str, kind: str, on_date: str, by: str, note: str = "", outcome: str | None = None,
              exemptions: list[str] | str | None = None, response: str | None = None, expected_events: int | None = None,
              as_user: str | None = None, today: date | None = None) -> Request:
        """Add a dated event to a request. A response becomes a disclosure document that search and precedents find."""
        self.kb._require(as_user, "foi")
        request = self.log.event(ref, kind, on_date, as_user or self.kb.user or by, note, outcome, exemptions, expected_events, today)
        self.kb._audit("foi log", f"{request.ref}: {kind} on {on_date}")
        if kind == "responded":
            self._publish(request, response or note)
        return request

    def _publish(self, r: Request, response: str) -> None:
        """Write the answered request as a disclosure and ingest it."""
        folder = self.kb.config.home / "uploads" / "foi-log"
        folder.mkdir(parents=True, exist_ok=True)
        path, n = folder / safe_name(f"foi-{r.ref}.txt"), 2
        while path.exists():  # another reference reduced to the same file name: never overwrite its disclosure
            path, n = folder / safe_name(f"foi-{r.ref} ({n}).txt"), n + 1
        text = (f"Freedom of Information Request\n\nReference: {r.ref}\nDate received: {r.received}\nDate of response: {r.responded}\n"
                f"Outcome: {outcome_label(r.outcome)}\nExemptions applied: {', '.join('section ' + e[1:] for e in r.exemptions) or 'none'}\n\n"
                f"Request\n\n{r.request}\n\nResponse\n\n{(response or '').strip() or outcome_label(r.outcome) + '.'}\n")
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise FileError(f"the response was logged, but its disclosure could not be written to {path}: {exc.strerror or exc}") from exc
        reports = self.kb.ingest([path])
        failed = [rep for rep in reports if rep.status == "failed"]
        if failed:
            raise DocumentError(f"the response was logged, but its disclosure could not be indexed: {failed[0].error}")
        with self.kb.store.transaction() as tx:
            foi_rows.upsert_record(tx, path.name, r.ref, r.received, r.responded, r.outcome or "unknown", r.exemptions)

    def requests(self, open_only: bool = False, today: date | None = None) -> list[Request]:
        """The logged requests, open ones first (soonest due first)."""
        return self.log.requests(open_only, today)

    def request(self, ref: str, today: date | None = None) -> Request:
        """One logged request as it stands."""
        return self.log.get(ref, today)

    def stats(self, date_from: str | None = None, date_to: str | None = None, today: date | None = None) -> Stats:
        """FOI statistics for the requests received in a period (default: this year to date)."""
        start, end = period(date_from, date_to, today)
        return stats(self.log.requests(today=today), start, end)

    def write_stats(self, path: str | Path, date_from: str | None = None, date_to: str | None = None, today: date | None = None) -> Stats:
        """The statistics as CSV."""
        s = self.stats(date_from, date_to, today)
        write_stats_csv(s, path)
        self.kb._audit("export FOI", f"statistics {s.date_from} to {s.date_to}: {Path(path).name}")
        return s

    def write_disclosure_log(self, path: str | Path, today: date | None = None) -> int:
        """The disclosure log (answered requests; no requester details) as CSV; returns the number of rows."""
        n = write_disclosure_log(self.log.requests(today=today), path)
        self.kb._audit("export FOI", f"disclosure log: {Path(path).name}")
        return n

    # --- the board report ---------------------------------------------------------------------
    def board_report(self, path: str | Path, date_from: str | None = None, date_to: str | None = None, today: date | None = None,
                     as_user: str | None = None) -> Path:
        """Write the board report (.docx): the dashboard, each report's recommendations with evidence, FOI performance."""
        self.kb._require(as_user, "read", "write the board report")
        today = today or date.today()
        tracker, requests = self.kb.tracker, self.log.requests(today=today)  # each read once for the whole report
        rows = tracker.rows(today=today)
        d = dash.build(rows, tracker.changes(10), requests, today)
        out = board.write(path, d, rows, stats(requests, *period(date_from, date_to, today)), made_by=as_user or self.kb.user)
        self.kb._audit("board report", Path(path).name)
        return out
