"""The teams' processes in real SQLite, through the library and the ``kb`` command: verified closure,
revised due dates, the FOI request log and its clock, statistics, the disclosure log, the
dashboard and the board report (read back with python-docx; converted with LibreOffice where it
is installed)."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from kb.errors import ClosureError, ConflictError, FOILogError, PermissionDeniedError, StaleLogError
from kb.foi.log import scrub
from kb.register.records import RegisterRow
from kb.service import KB

KB_BIN = str(Path(sys.executable).parent / "kb")

REPORT = """Police and Crime Commissioner response to: HMICFRS Report on Custody (March 2026)

Recommendation 1

By 31 October 2026, forces should review their custody detention records.

Work is underway to review the custody detention records.

Recommendation 2

By 31 December 2030, forces should audit the use of force in custody suites.

The force will commission an audit.

Recommendation 3

By 30 November 2026, forces should train custody sergeants in the new risk assessment.

This recommendation is complete. All custody sergeants were trained in the new risk assessment in September 2026, with 112 sergeants trained.
"""

REQUEST = """Dear FOI team,

1. How many custody detainees were strip searched in 2025?
2. How many of those searched were children?

Yours sincerely,
Jane Requester
jane.requester@example.org
07700 900123
"""

TODAY = date(2026, 12, 1)


@pytest.fixture()
def work_kb(tmp_path: Path, embedder: object) -> KB:
    knowledge = KB(home=str(tmp_path / "home"), embedder=embedder)  # type: ignore[arg-type]
    doc = tmp_path / "custody.txt"
    doc.write_text(REPORT, encoding="utf-8")
    assert knowledge.ingest([doc])[0].status == "added"
    return knowledge


def _row(kb: KB, ref: str) -> RegisterRow:
    return next(r for r in kb.recommendations() if r.ref == ref)


def test_a_complete_needs_evidence_then_someone_else_verifies_it(work_kb: KB) -> None:
    with pytest.raises(ClosureError, match="needs its evidence"):
        work_kb.set_recommendation("1", "custody.txt", "Ann Editor", status="complete")
    assert _row(work_kb, "1").status == "in_progress"  # nothing changed
    hit = work_kb.search("custody detention records review underway", k=1, mode="lexical")[0]
    row = work_kb.set_recommendation("1", "custody.txt", "Ann Editor", status="complete", evidence=hit.chunk_id)
    assert row.status == "complete" and row.verification == "awaiting" and not row.closed
    assert row.status_label == "Complete, awaiting verification" and row.proposed_by == "Ann Editor"
    assert "custody detention records" in row.status_evidence and row.evidence_doc == "custody.txt"
    with pytest.raises(ClosureError, match="nobody verifies their own proposal"):
        work_kb.workflow.verify("1", "custody.txt", " ann  editor ")
    with pytest.raises(ClosureError, match="say why"):
        work_kb.workflow.verify("1", "custody.txt", "Val Verifier", reject=True)
    back = work_kb.workflow.verify("1", "custody.txt", "Val Verifier", reject=True, why="the audit is not attached")
    assert back.status == "in_progress" and back.verification == "" and not back.closed
    with pytest.raises(ClosureError, match="nothing to verify"):
        work_kb.workflow.verify("1", "custody.txt", "Val Verifier")
    work_kb.set_recommendation("1", "custody.txt", "Ann Editor", status="complete", note="audit report of 20 November seen")
    done = work_kb.workflow.verify("1", "custody.txt", "Val Verifier")
    assert done.closed and done.status_label == "Complete, verified" and done.verified_by == "Val Verifier"
    # a later save that shows the same status (as the app's form does) with an owner and a note keeps the verification
    kept = work_kb.set_recommendation("1", "custody.txt", "Ann Editor", status="complete", owner="Ch Insp Rees", note="owner named")
    assert kept.verification == "verified" and kept.closed and kept.owner == "Ch Insp Rees"
    steps = [(e["by"], e["field"], e["old"], e["new"]) for e in work_kb.recommendation_history("1", "custody.txt").to_json()["history"]
             if e["field"] in ("status", "verification")]
    assert steps[-5:] == [("Ann Editor", "status", "in_progress", "complete"), ("Val Verifier", "verification", "awaiting", "returned"),
                          ("Val Verifier", "status", "complete", "in_progress"), ("Ann Editor", "status", "in_progress", "complete"),
                          ("Val Verifier", "verification", "awaiting", "verified")]
    why = [e["why"] for e in work_kb.recommendation_history("1", "custody.txt").to_json()["history"]]
    assert "sent back: the audit is not attached" in why
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        work_kb.store.db.execute("DELETE FROM rec_history")


def test_a_document_saying_complete_awaits_verification_and_only_verified_counts_as_closed(work_kb: KB) -> None:
    three = _row(work_kb, "3")
    assert three.status == "complete" and three.verification == "awaiting" and three.status_source == "extracted"
    d = work_kb.workflow.dashboard(TODAY)
    assert d.closed == 0 and d.counts.get("complete_awaiting") == 1 and [i.ref for i in d.awaiting_verification] == ["3"]
    work_kb.workflow.verify("3", "custody.txt", "Val Verifier")  # a document proposed it: any verifier may verify
    d = work_kb.workflow.dashboard(TODAY)
    assert d.closed == 1 and d.counts.get("complete_verified") == 1 and not d.awaiting_verification
    assert [i.ref for i in d.overdue] == ["1"] and d.overdue[0].days_overdue == 31
    exported = Path(work_kb.config.home) / "register.csv"
    work_kb.export_recommendations(exported)
    rows = {r["ref"]: r for r in csv.DictReader(exported.open(encoding="utf-8-sig"))}
    assert rows["3"]["closed"] == "True" and rows["3"]["verification"] == "verified" and rows["1"]["closed"] == "False"
    assert rows["3"]["status_label"] == "Complete, verified" and rows["3"]["status"] == "complete"  # codes kept beside the words


def test_a_revised_due_date_needs_a_reason_and_who_agreed_and_keeps_the_original(work_kb: KB) -> None:
    with pytest.raises(ClosureError, match="needs the reason"):
        work_kb.set_recommendation("1", "custody.txt", "Ann Editor", due="2027-01-31")
    with pytest.raises(ClosureError, match="who agreed"):
        work_kb.set_recommendation("1", "custody.txt", "Ann Editor", due="2027-01-31", why="supplier delay")
    row = work_kb.set_recommendation("1", "custody.txt", "Ann Editor", due="2027-01-31", why="supplier delay", agreed_by="ACC Jones")
    assert (row.deadline, row.due, row.original_due, row.due_why, row.due_agreed_by) == (
        "2026-10-31", "2027-01-31", "2026-10-31", "supplier delay", "ACC Jones")
    assert not row.overdue
    again = work_kb.set_recommendation("1", "custody.txt", "Ann Editor", due="2027-03-31", why="second delay", agreed_by="DCC Smith")
    assert again.original_due == "2026-10-31" and again.due == "2027-03-31"  # the original stays the first one
    last = work_kb.recommendation_history("1", "custody.txt").to_json()["history"][-1]
    assert (last["field"], last["old"], last["new"], last["why"]) == ("due", "2027-01-31", "2027-03-31", "second delay (agreed by DCC Smith)")


def test_roles_a_verifier_verifies_an_editor_does_not_and_a_stale_verify_is_refused(work_kb: KB) -> None:
    work_kb.add_user("Ann Editor", "editor", "editor-pass-1")
    work_kb.add_user("Val Verifier", "verifier", "verifier-pass-1")
    work_kb.add_user("Vic Viewer", "viewer", "viewer-pass-1")
    work_kb.add_user("Ada Admin", "admin", "admin-pass-12")
    editor, verifier, viewer, admin = (work_kb.as_user(n) for n in ("Ann Editor", "Val Verifier", "Vic Viewer", "Ada Admin"))
    seen = _row(editor, "2")
    editor.set_recommendation("2", "custody.txt", "Ann Editor", status="complete", note="audit done", as_user="Ann Editor")
    for who, view in (("Ann Editor", editor), ("Vic Viewer", viewer)):
        with pytest.raises(PermissionDeniedError, match="may not verify"):
            view.workflow.verify("2", "custody.txt", who, as_user=who)
    with pytest.raises(PermissionDeniedError):
        verifier.set_recommendation("2", "custody.txt", "Val Verifier", status="in_progress", as_user="Val Verifier")
    with pytest.raises(ConflictError, match="Ann Editor"):
        verifier.workflow.verify("2", "custody.txt", "Val Verifier", expected_version=seen.version, as_user="Val Verifier")
    admin.set_recommendation("1", "custody.txt", "Ada Admin", status="complete", note="seen the records", as_user="Ada Admin")
    with pytest.raises(ClosureError, match="own proposal"):
        admin.workflow.verify("1", "custody.txt", "someone typed", as_user="Ada Admin")  # the login, not the typed name, is who verifies
    row = verifier.workflow.verify("2", "custody.txt", "typed name", as_user="Val Verifier")
    assert row.verified_by == "Val Verifier" and row.closed
    audit = [(e.user, e.action) for e in work_kb.audit_log(50)]
    assert ("Val Verifier", "verify") in audit


def test_the_clock_stops_for_a_clarification_and_restarts_and_a_response_becomes_a_disclosure(work_kb: KB) -> None:
    log = work_kb.workflow
    r = log.log_request("FOI-2026-0101", "2026-11-02", REQUEST, "Sam Hughes", "Sam Hughes", today=TODAY)
    assert r.due == "2026-11-30" and r.status == "open" and r.working_days_left == -1 and r.overdue
    assert "Jane" not in r.request and "example.org" not in r.request and "07700" not in r.request
    assert "strip searched" in r.request and "the sign-off and name" in r.removed
    assert not [e for e in work_kb.audit_log(50) if "Jane" in e.detail or "example.org" in e.detail]  # nor in the audit log
    with pytest.raises(FOILogError, match="already in the log"):
        log.log_request("foi-2026-0101", "2026-11-02", "another", None, "Sam Hughes", today=TODAY)
    with pytest.raises(FOILogError, match="no clarification was asked"):
        log.event("FOI-2026-0101", "clarification_received", "2026-11-10", "Sam", today=TODAY)
    with pytest.raises(FOILogError, match="before the request was received"):
        log.event("FOI-2026-0101", "clarification_asked", "2026-10-01", "Sam", today=TODAY)
    with pytest.raises(FOILogError, match="in the future"):
        log.event("FOI-2026-0101", "clarification_asked", "2027-01-01", "Sam", today=TODAY)
    r = log.event("FOI-2026-0101", "clarification_asked", "2026-11-04", "Sam", note="which suites?", today=TODAY)
    assert r.status == "awaiting_clarification" and r.working_days_left is None and r.days_label == "clock stopped since 2026-11-04" and not r.overdue
    with pytest.raises(StaleLogError):
        log.event("FOI-2026-0101", "clarification_received", "2026-11-09", "Sam", expected_events=0, today=TODAY)
    r = log.event("FOI-2026-0101", "clarification_received", "2026-11-09", "Sam", expected_events=1, today=TODAY)
    assert r.clock_starts == "2026-11-09" and r.due == "2026-12-07" and r.working_days_left == 4 and r.status == "open"
    with pytest.raises(FOILogError, match="outcome"):
        log.event("FOI-2026-0101", "responded", "2026-11-27", "Sam", today=TODAY)
    with pytest.raises(FOILogError, match="not an FOIA section"):
        log.event("FOI-2026-0101", "responded", "2026-11-27", "Sam", outcome="disclosed_in_part", exemptions="the usual", today=TODAY)
    r = log.event("FOI-2026-0101", "responded", "2026-11-27", "Sam", outcome="disclosed_in_part", exemptions="s40(2), 31",
                  response="1. 412 detainees were strip searched in 2025.\n2. The number of children is withheld under section 40(2).", today=TODAY)
    assert r.status == "responded" and r.in_time and r.within_20_days and r.exemptions == ["s40(2)", "s31"] and not r.is_open
    with pytest.raises(FOILogError, match="not open"):
        log.event("FOI-2026-0101", "extension", "2026-11-28", "Sam", today=TODAY)
    disclosures = {d.reference: d for d in work_kb.foi_records()}
    assert "FOI-2026-0101" in disclosures and disclosures["FOI-2026-0101"].outcome in ("disclosed_in_part", "refused")
    assert "s40(2)" in disclosures["FOI-2026-0101"].exemptions
    hits = work_kb.search("detainees strip searched 2025", k=3, mode="lexical")
    assert hits and hits[0].doc.startswith("foi-FOI-2026-0101")
    later = log.log_request("FOI-2026-0140", "2026-11-30", "How many detainees were strip searched in 2025, by ethnicity?", None, "Sam", today=TODAY)
    assert later.precedents and later.precedents[0]["reference"] == "FOI-2026-0101"  # the earlier answer is attached at once
    r = log.event("FOI-2026-0101", "review_requested", "2026-11-30", "Sam", today=TODAY)
    assert r.status == "under_review" and r.review_due == "2026-12-30"  # 25 and 28 December are bank holidays
    r = log.event("FOI-2026-0101", "review_decided", "2026-12-01", "Sam", outcome="upheld", today=TODAY)
    assert r.status == "review_decided" and r.review_outcome == "upheld"
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        work_kb.store.db.execute("UPDATE foi_events SET on_date = '2026-01-01'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        work_kb.store.db.execute("DELETE FROM foi_requests")


def test_fee_notice_and_extension_move_the_due_date_and_statistics_count_them(work_kb: KB, tmp_path: Path) -> None:
    log = work_kb.workflow
    log.log_request("A1", "2026-10-01", "Please list your custody suites.", None, "Sam", today=TODAY)
    fee = log.event("A1", "fee_notice", "2026-10-05", "Sam", today=TODAY)
    assert fee.status == "awaiting_fee" and fee.working_days_left is None
    paid = log.event("A1", "fee_paid", "2026-10-12", "Sam", today=TODAY)
    assert paid.due == "2026-11-05"  # 29 October plus the 5 working days the fee notice stood
    log.event("A1", "responded", "2026-11-04", "Sam", outcome="disclosed_in_full", today=TODAY)
    log.log_request("A2", "2026-10-01", "Please give the custody budget.", None, "Sam", today=TODAY)
    ext = log.event("A2", "extension", "2026-10-20", "Sam", today=TODAY)
    assert ext.due == "2026-11-26" and ext.due_without_extension == "2026-10-29" and ext.status_label == "Open, public-interest extension"
    log.event("A2", "responded", "2026-11-20", "Sam", outcome="refused", exemptions="s31(1)(a)", today=TODAY)
    log.log_request("A3", "2026-10-02", "How many spit hoods?", None, "Sam", today=TODAY)
    log.event("A3", "responded", "2026-11-25", "Sam", outcome="not_held", today=TODAY)  # late
    log.log_request("A4", "2026-10-03", "How many cells?", None, "Sam", today=TODAY)  # still open, overdue
    log.log_request("B1", "2026-07-01", "Last quarter's request", None, "Sam", today=TODAY)
    s = log.stats("2026-10-01", "2026-12-31", today=TODAY)
    assert (s.received, s.answered, s.answered_in_time, s.answered_within_20_days, s.open, s.open_overdue) == (4, 3, 2, 1, 1, 1)
    assert s.share_in_time == 0.667 and s.by_outcome == {"disclosed_in_full": 1, "refused": 1, "not_held": 1} and s.by_exemption == {"s31(1)(a)": 1}
    target = log.write_stats(tmp_path / "q3.csv", "2026-10-01", "2026-12-31", today=TODAY)
    table = dict(csv.reader((tmp_path / "q3.csv").open(encoding="utf-8-sig")))
    assert target.received == 4 and table["Share answered in time"] == "67%" and table["Outcome: Refused"] == "1"
    assert log.write_disclosure_log(tmp_path / "dlog.csv") == 3
    dlog = list(csv.DictReader((tmp_path / "dlog.csv").open(encoding="utf-8-sig")))
    assert [r["reference"] for r in dlog] == ["A3", "A2", "A1"] and dlog[1]["exemptions"] == "s31(1)(a)" and dlog[1]["outcome"] == "Refused"
    with pytest.raises(Exception, match="ends"):
        log.stats("2026-12-31", "2026-10-01")
    opened = [r.ref for r in log.requests(open_only=True, today=TODAY)]
    assert opened == ["B1", "A4"]  # soonest due first
    d = work_kb.workflow.dashboard(TODAY)
    assert {r.ref for r in d.foi_overdue} == {"A4", "B1"} and d.foi_open == 2


def test_requester_details_are_taken_out() -> None:
    text, removed = scrub("From: Joe Bloggs\nPlease send the policy to joe@bloggs.example or call 01234 567890, CF10 3NQ.\nKind regards\nJoe")
    assert "Joe" not in text and "bloggs" not in text and "01234" not in text and "CF10" not in text and "the policy" in text
    assert set(removed) == {"the sign-off and name", "a contact line", "an e-mail address", "a telephone number", "a postcode"}


def test_board_report_reads_back_and_converts(work_kb: KB, tmp_path: Path) -> None:
    from docx import Document

    work_kb.set_recommendation("1", "custody.txt", "Ann Editor", owner="Ch Insp Rees")
    work_kb.set_recommendation("2", "custody.txt", "Ann Editor", due="2027-02-28", why="new supplier", agreed_by="ACC Jones")
    work_kb.workflow.log_request("A1", "2026-10-01", "Please list your custody suites.", None, "Sam", today=TODAY)
    work_kb.workflow.event("A1", "responded", "2026-10-20", "Sam", outcome="disclosed_in_full", today=TODAY)
    path = work_kb.workflow.board_report(tmp_path / "board.docx", "2026-10-01", "2026-12-31", today=TODAY)
    doc = Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "As at 1 December 2026" in text and "FOI performance, 2026-10-01 to 2026-12-31" in text
    assert len(doc.inline_shapes) == 1  # the chart
    assert "Ch Insp Rees" in cells and "31" in cells  # the overdue table: owner and days overdue
    assert any("revised from 2030-12-31: new supplier; agreed by ACC Jones" in c for c in cells)
    assert any("This recommendation is complete" in c and "(custody.txt)" in c for c in cells)  # the evidence quote with its source
    assert "Complete, awaiting verification" in cells and "Share answered in time" in cells
    with pytest.raises(Exception, match=".docx"):
        work_kb.workflow.board_report(tmp_path / "board.pdf")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)], check=True, timeout=180,
                       capture_output=True)
        assert (tmp_path / "board.pdf").stat().st_size > 1000


def test_backup_and_restore_carry_the_log_and_closure(work_kb: KB, tmp_path: Path, embedder: object) -> None:
    work_kb.set_recommendation("1", "custody.txt", "Ann Editor", status="complete", note="seen")
    work_kb.workflow.verify("1", "custody.txt", "Val Verifier")
    work_kb.workflow.log_request("A1", "2026-10-01", "Please list your custody suites.", None, "Sam", today=TODAY)
    work_kb.workflow.event("A1", "clarification_asked", "2026-10-02", "Sam", today=TODAY)
    work_kb.backup(tmp_path / "b.zip")
    restored = KB(home=str(tmp_path / "restored"), embedder=embedder)  # type: ignore[arg-type]
    restored.restore(tmp_path / "b.zip")
    assert _row(restored, "1").verification == "verified"
    r = restored.workflow.request("A1", today=TODAY)
    assert r.status == "awaiting_clarification" and len(r.events) == 1


def _kb(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KB_BIN, "--home", str(home), *args], capture_output=True, text=True, input=stdin, timeout=300)


def test_the_same_flows_through_the_cli(work_kb: KB, tmp_path: Path) -> None:
    home = Path(work_kb.config.home)
    work_kb.store.close()
    words = [json.loads(line) for line in _kb(home, "recs", "--words", "CUSTODY sergeants", "--json").stdout.splitlines()]
    assert [r["ref"] for r in words] == ["3"]  # the app's word filter, from the command line
    refused = _kb(home, "recs", "set", "1", "--doc", "custody.txt", "--status", "complete", "--by", "Ann")
    assert refused.returncode == 1 and "needs its evidence" in refused.stderr
    ok = _kb(home, "recs", "set", "1", "--doc", "custody.txt", "--status", "complete", "--note", "records reviewed", "--by", "Ann")
    assert ok.returncode == 0 and "Complete, awaiting verification" in ok.stdout
    own = _kb(home, "recs", "verify", "1", "--doc", "custody.txt", "--by", "Ann")
    assert own.returncode == 1 and "own proposal" in own.stderr
    done = _kb(home, "recs", "verify", "1", "--doc", "custody.txt", "--by", "Val", "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["verification"] == "verified"
    due = _kb(home, "recs", "set", "2", "--doc", "custody.txt", "--due", "2031-03-31", "--by", "Ann")
    assert due.returncode == 1 and "--why" in due.stderr
    due = _kb(home, "recs", "set", "2", "--doc", "custody.txt", "--due", "2031-03-31", "--why", "budget", "--agreed-by", "ACC Jones", "--by", "Ann")
    assert due.returncode == 0 and "originally 2030-12-31" in due.stdout
    added = _kb(home, "foi", "log", "add", "--ref", "FOI-9", "--received", "2026-11-02", "--officer", "Sam", "--today", "2026-12-01", "--json", "-",
                stdin=REQUEST)
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["due"] == "2026-11-30" and "Jane" not in added.stdout
    for kind, on in (("clarification_asked", "2026-11-04"), ("clarification_received", "2026-11-09")):
        step = _kb(home, "foi", "log", "event", "FOI-9", kind, on, "--today", "2026-12-01", "--json")
        assert step.returncode == 0, step.stderr
    assert json.loads(step.stdout)["due"] == "2026-12-07"
    listed = [json.loads(line) for line in _kb(home, "foi", "log", "--open", "--json", "--today", "2026-12-01").stdout.splitlines()]
    assert [r["ref"] for r in listed] == ["FOI-9"] and listed[0]["working_days_left"] == 4 and len(listed[0]["events"]) == 2
    response = tmp_path / "reply.txt"
    response.write_text("1. 412 detainees were strip searched.\n2. Withheld under section 40(2).", encoding="utf-8")
    answered = _kb(home, "foi", "log", "event", "FOI-9", "responded", "2026-11-27", "--outcome", "disclosed_in_part", "--exemptions", "s40(2)",
                   "--response", str(response), "--today", "2026-12-01")
    assert answered.returncode == 0 and "in time" in answered.stdout, answered.stderr
    stats = json.loads(_kb(home, "foi", "stats", "--from", "2026-11-01", "--to", "2026-11-30", "--json", "--today", "2026-12-01").stdout)
    assert (stats["received"], stats["answered"], stats["answered_in_time"], stats["by_exemption"]) == (1, 1, 1, {"s40(2)": 1})
    assert _kb(home, "foi", "stats", "--csv", str(tmp_path / "s.csv"), "--today", "2026-12-01").returncode == 0 and (tmp_path / "s.csv").exists()
    assert _kb(home, "foi", "log", "export", str(tmp_path / "d.csv")).returncode == 0
    assert "Jane" not in (tmp_path / "d.csv").read_text(encoding="utf-8-sig")
    bad = _kb(home, "foi", "log", "event", "FOI-9", "fee_paid", "2026-11-28")
    assert bad.returncode == 1 and "no fee notice" in bad.stderr
    dash = json.loads(_kb(home, "dashboard", "--json", "--today", "2026-12-01").stdout)
    assert dash["closed"] == 1 and dash["counts"]["complete_verified"] == 1 and dash["count_labels"]["complete_verified"] == "Complete, verified"
    assert {"overdue", "due_soon", "awaiting_verification", "latest_changes", "foi_due_this_week", "foi_overdue"} <= set(dash)
    assert dash["latest_changes"][0]["by"] in ("Ann", "Val")
    text = _kb(home, "dashboard", "--today", "2026-12-01").stdout
    assert "Complete, awaiting verification" in text and "Overdue" in text
    board = _kb(home, "report", "board", str(tmp_path / "board.docx"), "--today", "2026-12-01")
    assert board.returncode == 0 and (tmp_path / "board.docx").stat().st_size > 10000


def test_evidence_from_a_restricted_document_never_reaches_a_reader_not_cleared_for_it(work_kb: KB, tmp_path: Path) -> None:
    from docx import Document

    secret = tmp_path / "tasking-review-sensitive.txt"
    secret.write_text("Tasking review\n\nThe Zerbinet covert team reviewed every custody detention record in October 2026.\n", encoding="utf-8")
    assert work_kb.ingest([secret], marking="OFFICIAL-SENSITIVE")[0].status == "added"
    work_kb.add_user("Ann Editor", "editor", "editor-pass-1", clearance="OFFICIAL-SENSITIVE")
    work_kb.add_user("Vic Viewer", "viewer", "viewer-pass-1")
    editor, viewer = work_kb.as_user("Ann Editor"), work_kb.as_user("Vic Viewer")
    hidden_id = editor.search("Zerbinet covert team", k=1, mode="lexical")[0].chunk_id
    work_kb.add_user("Ed Low", "editor", "editor-pass-2")  # cleared for OFFICIAL only
    with pytest.raises(ClosureError, match="no passage"):  # nobody cites what they may not read
        work_kb.as_user("Ed Low").set_recommendation("1", "custody.txt", "Ed Low", status="complete", evidence=hidden_id, as_user="Ed Low")
    editor.set_recommendation("1", "custody.txt", "Ann Editor", status="complete", evidence=hidden_id, as_user="Ann Editor")
    assert "Zerbinet" in editor.recommendation_history("1", "custody.txt").to_json()["history"][-1]["why"]
    seen = [json.dumps([r.to_json() for r in viewer.recommendations()], default=str), json.dumps(viewer.recommendation_history("1", "custody.txt").to_json(), default=str),
            json.dumps(viewer.workflow.dashboard(TODAY).to_json(), default=str)]
    viewer.workflow.board_report(tmp_path / "board.docx", today=TODAY, as_user="Vic Viewer")
    doc = Document(str(tmp_path / "board.docx"))
    seen.append("\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for row in t.rows for c in row.cells]))
    for text in seen:
        assert "Zerbinet" not in text and "tasking-review-sensitive" not in text
    steps = viewer.recommendation_history("1", "custody.txt").to_json()["history"]
    assert steps[-1]["why"] == "proposed complete, awaiting verification" and steps[-1]["new"] == "complete"


def test_every_change_is_refused_for_a_viewer_and_each_refusal_is_audited(work_kb: KB, tmp_path: Path) -> None:
    work_kb.add_user("Vic Viewer", "viewer", "viewer-pass-1")
    work_kb.add_user("Ann Editor", "editor", "editor-pass-1")
    work_kb.workflow.log_request("A1", "2026-10-01", "Please list your custody suites.", None, "Sam", today=TODAY)
    work_kb.set_recommendation("2", "custody.txt", "Ann Editor", status="complete", note="seen", as_user="Ann Editor")
    upload = tmp_path / "new.txt"
    upload.write_text("Custody suites are inspected monthly.\n", encoding="utf-8")
    backup = tmp_path / "b.zip"
    work_kb.backup(backup)
    changes = {
        "set a recommendation": lambda u: work_kb.set_recommendation("1", "custody.txt", u, status="planned", as_user=u),
        "verify": lambda u: work_kb.workflow.verify("2", "custody.txt", u, as_user=u),
        "log an FOI request": lambda u: work_kb.workflow.log_request("A2", "2026-10-02", "How many cells?", None, u, as_user=u, today=TODAY),
        "add an FOI event": lambda u: work_kb.workflow.event("A1", "withdrawn", "2026-10-03", u, as_user=u, today=TODAY),
        "upload": lambda u: work_kb.add_files([("new.txt", str(upload))], as_user=u),
        "mark": lambda u: work_kb.mark("custody.txt", "OFFICIAL-SENSITIVE", as_user=u),
        "read again": lambda u: work_kb.reingest("custody.txt", as_user=u),
        "correct": lambda u: work_kb.correct_document("custody.txt", u, title="Custody", as_user=u),
        "delete": lambda u: work_kb.delete("custody.txt", as_user=u),
        "prune": lambda u: work_kb.prune([tmp_path], as_user=u),
        "add a user": lambda u: work_kb.add_user("Eve", "admin", "admin-pass-99", as_user=u),
        "backup": lambda u: work_kb.backup(tmp_path / "c.zip", as_user=u),
        "restore": lambda u: work_kb.restore(backup, as_user=u),
    }
    admin_only = {"verify", "mark", "add a user", "backup", "restore"}
    before = json.dumps([[r.to_json() for r in work_kb.recommendations()], [d.name for d in work_kb.documents()], work_kb.workflow.request("A1").to_json()], default=str)
    for what, change in changes.items():
        for who in ("Vic Viewer", *(("Ann Editor",) if what in admin_only else ())):
            with pytest.raises(PermissionDeniedError):
                change(who)
            last = work_kb.audit_log(1)[0]
            assert (last.user, last.action) == (who, "refused") and "may not" in last.detail, what
    after = json.dumps([[r.to_json() for r in work_kb.recommendations()], [d.name for d in work_kb.documents()], work_kb.workflow.request("A1").to_json()], default=str)
    assert after == before  # nothing changed
