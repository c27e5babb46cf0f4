"""The register in real SQLite: confirmed statuses survive, proposals, history, overdue, exports, CLI."""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import CSA, IOM, STALKING

from kb.errors import KBError, NotFoundError
from kb.service import KB
from kb.errors import ConflictError

KB_BIN = str(Path(sys.executable).parent / "kb")

RESPONSE_V1 = """Police and Crime Commissioner response to: HMICFRS Report on Vetting (March 2026)

Recommendation 1

By 31 October 2026, forces should review their vetting procedures.

Work is underway to review the vetting procedures.

Recommendation 2

By 31 December 2030, forces should audit their vetting decisions.

The force will commission an audit.
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_register_from_the_corpus(corpus_kb: KB) -> None:
    rows = corpus_kb.recommendations()
    docs = {r.doc for r in rows}
    assert IOM not in docs and len(docs) == 3
    elevens = [r for r in rows if r.doc == STALKING and r.ref == "11"]
    assert sorted(r.ordinal for r in elevens) == [1, 2]
    parts = [r for r in rows if r.doc == CSA and r.parent]
    assert len(parts) == 20 and {r.parent for r in parts} == {"1", "2", "4", "5", "6", "8", "10", "15", "16"}
    for r in rows:
        assert r.status_source == "extracted"
        if r.status != "unknown":
            assert r.status_evidence and r.evidence_page is None and r.evidence_chunk


def test_overdue_on_a_given_day(corpus_kb: KB) -> None:
    late = corpus_kb.recommendations(overdue=True, today=date(2026, 11, 23))
    assert late and all(r.doc == CSA and r.deadline in ("2026-10-30", "2026-10-31") for r in late)
    assert all(r.status not in ("complete", "not_applicable", "superseded") for r in late)
    assert {r.ref for r in late} >= {"1", "B", "C", "8", "J", "15"}
    assert next(r for r in late if r.ref == "1").days_overdue == 23
    assert "A" not in {r.ref for r in late}  # complete: not overdue
    assert corpus_kb.recommendations(overdue=True, today=date(2026, 10, 1)) == []


def test_confirmed_status_survives_reingest_and_history_shows_every_change(fresh_kb: KB, tmp_path: Path) -> None:
    doc = _write(tmp_path / "vetting.txt", RESPONSE_V1)
    fresh_kb.ingest([doc])
    row = fresh_kb.set_recommendation("1", "vetting.txt", by="A. Jones", status="complete", owner="DCI Smith", due="2026-12-31", note="Audit report seen",
                                     why="the audit was rescheduled", agreed_by="ACC Jones")
    assert row.status == "complete" and row.status_source == "confirmed" and row.owner == "DCI Smith"
    # the document changes and is re-ingested: the person's status stands
    _write(doc, RESPONSE_V1.replace("Work is underway to review the vetting procedures.", "The review remains ongoing."))
    assert fresh_kb.ingest([doc])[0].status == "updated"
    again = {r.ref: r for r in fresh_kb.recommendations()}
    assert again["1"].status == "complete" and again["1"].status_by == "A. Jones" and again["1"].owner == "DCI Smith"
    h = fresh_kb.recommendation_history("1", "vetting.txt").to_json()
    fields = [(e["by"], e["field"], e["old"], e["new"]) for e in h["history"]]
    assert fields[0] == ("extraction", "status", None, "in_progress")
    assert ("A. Jones", "status", "in_progress", "complete") in fields
    assert ("A. Jones", "owner", None, "DCI Smith") in fields and ("A. Jones", "due", "2026-10-31", "2026-12-31") in fields
    # what the re-ingested document says differs from the confirmed status: a proposal for a person
    assert h["statements"][0]["proposal"] == "pending" and h["statements"][0]["status"] == "in_progress"


def test_a_newer_document_updates_extracted_rows_and_proposes_for_confirmed(fresh_kb: KB, tmp_path: Path) -> None:
    fresh_kb.ingest([_write(tmp_path / "v1.txt", RESPONSE_V1)])
    fresh_kb.set_recommendation("2", "v1.txt", by="B. Evans", status="planned")
    newer = RESPONSE_V1.replace("Work is underway to review the vetting procedures.", "The review has been implemented in full.")
    newer = newer.replace("The force will commission an audit.", "The audit has been completed.")
    newer = newer.replace("Police and Crime Commissioner response to:", "Force response to:") + "\nUpdated on 1 June 2026.\n"
    fresh_kb.ingest([_write(tmp_path / "v2.txt", newer)])
    listed = fresh_kb.recommendations()
    assert len(listed) == 2  # same report, same refs: one register row each
    rows = {r.ref: r for r in listed}
    assert rows["1"].status == "complete" and rows["1"].evidence_doc == "v2.txt"
    assert rows["2"].status == "planned" and rows["2"].status_source == "confirmed"
    statements = fresh_kb.recommendation_history("2", "v2.txt").to_json()["statements"]
    assert [(s["doc"], s["proposal"]) for s in statements] == [("v2.txt", "pending"), ("v1.txt", "none")]
    fresh_kb.set_recommendation("2", "v2.txt", by="B. Evans", status="complete", note="accepting the force's update")
    statements = fresh_kb.recommendation_history("2", "v2.txt").to_json()["statements"]
    assert statements[0]["proposal"] == "accepted"


def test_history_is_append_only(fresh_kb: KB, tmp_path: Path) -> None:
    fresh_kb.ingest([_write(tmp_path / "v.txt", RESPONSE_V1)])
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        fresh_kb.store.db.execute("DELETE FROM rec_history")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        fresh_kb.store.db.execute("UPDATE rec_history SET by = 'someone'")


def test_deleting_a_document_keeps_what_people_confirmed(fresh_kb: KB, tmp_path: Path) -> None:
    fresh_kb.ingest([_write(tmp_path / "v.txt", RESPONSE_V1)])
    fresh_kb.set_recommendation("1", "v.txt", by="C. Hughes", status="complete", note="review report seen")
    fresh_kb.delete("v.txt")
    rows = fresh_kb.recommendations()
    assert [(r.ref, r.status) for r in rows] == [("1", "complete")]
    assert fresh_kb.store.db.execute("SELECT COUNT(*) FROM rec_history").fetchone()[0] >= 4


def test_changes_are_checked(fresh_kb: KB, tmp_path: Path) -> None:
    fresh_kb.ingest([_write(tmp_path / "v.txt", RESPONSE_V1)])
    with pytest.raises(KBError, match="unknown status"):
        fresh_kb.set_recommendation("1", "v.txt", by="X", status="done")
    with pytest.raises(KBError, match="YYYY-MM-DD"):
        fresh_kb.set_recommendation("1", "v.txt", by="X", due="next week")
    with pytest.raises(KBError, match="--by"):
        fresh_kb.set_recommendation("1", "v.txt", by=" ", status="complete")
    with pytest.raises(NotFoundError):
        fresh_kb.set_recommendation("9", "v.txt", by="X", status="complete")
    row = fresh_kb.recommendations()[0]
    fresh_kb.set_recommendation("1", "v.txt", by="First", owner="O1", expected_version=row.version)
    with pytest.raises(ConflictError, match="reload"):
        fresh_kb.set_recommendation("1", "v.txt", by="Second", owner="O2", expected_version=row.version)


def test_ambiguous_ref_needs_an_ordinal(corpus_kb: KB) -> None:
    with pytest.raises(KBError, match="appears 2 times"):
        corpus_kb.tracker.find("11", STALKING)
    assert corpus_kb.tracker.find("11", STALKING, ordinal=2)["text"].startswith("Dyfed-Powys Police should seek assurance")


def test_exports_for_board_papers(corpus_kb: KB, tmp_path: Path) -> None:
    n = corpus_kb.export_recommendations(tmp_path / "register.csv", today=date(2026, 11, 23))
    with (tmp_path / "register.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert n == len(rows) == len(corpus_kb.recommendations())
    one = next(r for r in rows if r["doc"] == CSA and r["ref"] == "1")
    assert one["overdue"] == "True" and one["days_overdue"] == "23" and "remain ongoing" in one["status_evidence"]
    from openpyxl import load_workbook

    corpus_kb.export_recommendations(tmp_path / "register.xlsx", today=date(2026, 11, 23))
    ws = load_workbook(tmp_path / "register.xlsx").active
    assert ws.max_row == n + 1 and ws.cell(1, 1).value == "Report"
    with pytest.raises(KBError, match=r"\.csv or \.xlsx"):
        corpus_kb.export_recommendations(tmp_path / "register.pdf")


def test_recs_cli(corpus_kb: KB, tmp_path: Path) -> None:
    home = str(corpus_kb.config.home)
    out = subprocess.run([KB_BIN, "--home", home, "recs", "--json"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert list(rows[0])[:12] == ["doc", "ref", "ordinal", "parent", "text", "addressee", "deadline", "theme", "status", "status_evidence", "status_source", "overdue"]
    assert len(rows) == 51
    late = subprocess.run([KB_BIN, "--home", home, "recs", "--overdue", "--today", "2026-11-23", "--json"], capture_output=True, text=True, timeout=120)
    assert {json.loads(line)["doc"] for line in late.stdout.splitlines()} == {CSA}
    bad = subprocess.run([KB_BIN, "--home", home, "recs", "set", "11", "--doc", STALKING, "--status", "complete", "--by", "Me"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "--ordinal" in bad.stderr and "Traceback" not in bad.stderr
    exported = subprocess.run([KB_BIN, "--home", home, "recs", "export", str(tmp_path / "r.xlsx")], capture_output=True, text=True, timeout=120)
    assert exported.returncode == 0 and "wrote 51 recommendations" in exported.stdout


def test_related_recommendations_come_from_other_reports(corpus_kb: KB) -> None:
    related = corpus_kb.related_recommendations("19", "pcc-response-mappa-joint-inspection-2022.txt")
    assert related and related[0].row.doc == CSA and related[0].row.ref == "8"  # workloads of offender managers
    assert all(r.row.report != "A Joint Thematic Inspection of Multi-Agency Public Protection Arrangements (MAPPA)" for r in related)
    assert [r.similarity for r in related] == sorted((r.similarity for r in related), reverse=True)


def test_items_are_named_as_a_person_names_them() -> None:
    from kb.register.tracker import rec_label

    assert rec_label("recommendation", "4") == "Recommendation 4"
    assert rec_label("recommendation", "a", "2") == "Recommendation 2(a)"
    assert rec_label("area_for_improvement", "3") == "Area for improvement 3"
    assert rec_label("cause_of_concern", "", None, 1) == "Cause of concern (unnumbered)"
    assert rec_label("area_for_improvement", "", None, 2) == "Area for improvement (unnumbered, 2)"


def test_the_register_and_the_searcher_are_built_once_and_see_each_new_document(fresh_kb: KB, tmp_path: Path) -> None:
    """Built once per documents version: the same objects until an ingest, a marking or a deletion changes the documents,
    so a viewer's register never keeps showing what a newly ingested restricted document says."""
    fresh_kb.ingest([_write(tmp_path / "v1.txt", RESPONSE_V1)])
    fresh_kb.add_user("Vera Viewer", "viewer", "viewer-pass-1")
    viewer = fresh_kb.as_user("Vera Viewer")
    tracker, searcher = viewer.tracker, viewer.searcher
    assert viewer.tracker is tracker and viewer.searcher is searcher and fresh_kb.tracker is not tracker  # the console sees more
    assert [r.status for r in viewer.recommendations()] == ["in_progress", "planned"]
    newer = RESPONSE_V1.replace("Work is underway to review the vetting procedures.", "The review has been implemented in full.")
    fresh_kb.ingest([_write(tmp_path / "v2-restricted.txt", newer + "\nUpdated on 1 June 2026.\n")], marking="OFFICIAL-SENSITIVE")
    assert viewer.tracker is not tracker and viewer.searcher is not searcher
    assert fresh_kb.recommendations()[0].status == "complete"
    shown = viewer.recommendations()[0]
    assert shown.status == "in_progress" and shown.evidence_doc == "v1.txt"  # not what the restricted document says
    assert "v2-restricted.txt" in viewer.tracker.hidden
    again = viewer.tracker
    fresh_kb.mark("v2-restricted.txt", "OFFICIAL")
    assert viewer.tracker is not again and viewer.recommendations()[0].status == "complete"
