"""Access control and the audit log: a reader without clearance never sees a restricted document or
anything derived from it (search, answers, citations, the register, FOI precedents, drafts, exports,
documents), enforced in the query layer; every answer, search and register change is audited."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest
from restricted import build_restricted, leaks

from kb.search.embed import Embedder
from kb.errors import KBError, NotFoundError
from kb.service import KB
from kb.store.filters import MARKINGS
from kb.errors import PermissionDeniedError

@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> KB:
    """The corpus, the draft test report, three restricted documents (marking printed) and one marked at upload."""
    return build_restricted(tmp_path_factory.mktemp("access"), embedder)


def test_markings_are_read_from_the_text_or_set_at_upload(kb: KB) -> None:
    marked = {d.name: d.marking for d in kb.documents()}
    assert marked["force-response-anyshire-public-protection-2026.txt"] == "OFFICIAL-SENSITIVE"
    assert marked["hmicfrs-covert-tasking-anyshire-2026.txt"] == "OFFICIAL-SENSITIVE"
    assert marked["foi-1310-2025-risk-tool.txt"] == "OFFICIAL-SENSITIVE"
    assert marked["kestrel-protocol.txt"] == "OFFICIAL-SENSITIVE"
    assert marked["hmicfrs-test-report-2026.md"] == "OFFICIAL"
    assert sum(m == "OFFICIAL" for m in marked.values()) == 6


def test_search_every_mode_hides_restricted_documents(kb: KB) -> None:
    olive, sam = kb.as_user("Olive Hart"), kb.as_user("Sam Reid")
    for mode in ("lexical", "dense", "hybrid"):
        hits = olive.search("Operation Nightjar Kestrel covert tasking", k=20, mode=mode)
        assert hits and not leaks(hits), (mode, leaks(hits))
        assert {h.doc for h in sam.search("Operation Nightjar Kestrel covert tasking", k=20, mode=mode)} & {
            "hmicfrs-covert-tasking-anyshire-2026.txt", "kestrel-protocol.txt", "force-response-anyshire-public-protection-2026.txt"}
    # naming a restricted document as a filter does not open it
    assert olive.search("Nightjar", docs=["hmicfrs-covert-tasking-anyshire-2026.txt"], mode="hybrid") == []
    assert olive.search("Nightjar", mode="lexical") == []


def test_answers_and_citations_never_come_from_restricted_documents(kb: KB) -> None:
    question = "Who reviews breaches of stalking protection orders?"
    seen = kb.as_user("Olive Hart").ask(question)
    assert not leaks(seen), leaks(seen)
    assert all(c.doc != "force-response-anyshire-public-protection-2026.txt" for c in seen.citations)
    cleared = kb.as_user("Sam Reid").ask("What does Operation Nightjar do for stalking protection orders?")
    assert any("Nightjar" in c.quote for c in cleared.citations), cleared.answer


def test_register_history_statements_and_export(kb: KB, tmp_path: Path) -> None:
    olive, sam = kb.as_user("Olive Hart"), kb.as_user("Sam Reid")
    rows = olive.recommendations()
    assert rows and not leaks(rows)
    assert not [r for r in rows if "covert" in (r.report or "").lower()]
    assert [r for r in sam.recommendations() if "covert" in (r.report or "").lower()]
    # the visible report's recommendation 1: its status evidence came from the restricted response
    full = next(r for r in kb.recommendations(doc="hmicfrs-test-report-2026.md") if r.ref == "1")
    assert full.evidence_doc == "force-response-anyshire-public-protection-2026.txt" and full.status == "complete"
    shown = next(r for r in olive.recommendations(doc="hmicfrs-test-report-2026.md") if r.ref == "1")
    assert shown.evidence_doc != full.evidence_doc and shown.status != "complete"
    history = olive.recommendation_history("1", "hmicfrs-test-report-2026.md").to_json()
    restricted = "force-response-anyshire-public-protection-2026.txt"
    assert not leaks(history) and history["statements"] and restricted not in json.dumps(history)
    assert restricted in {s["doc"] for s in sam.recommendation_history("1", "hmicfrs-test-report-2026.md").to_json()["statements"]}
    with pytest.raises(NotFoundError):
        olive.recommendation_history("1", "hmicfrs-covert-tasking-anyshire-2026.txt").to_json()
    for name in ("register.csv", "register.xlsx"):
        olive.export_recommendations(tmp_path / f"olive-{name}")
        sam.export_recommendations(tmp_path / f"sam-{name}")
    assert "nightjar" not in (tmp_path / "olive-register.csv").read_text(encoding="utf-8-sig").lower()
    assert "nightjar" in (tmp_path / "sam-register.csv").read_text(encoding="utf-8-sig").lower()
    from openpyxl import load_workbook

    cells = " ".join(str(c.value) for row in load_workbook(tmp_path / "olive-register.xlsx").active.iter_rows() for c in row).lower()
    assert "nightjar" not in cells and "stalking" in cells


def test_foi_records_and_precedents(kb: KB) -> None:
    olive, sam = kb.as_user("Olive Hart"), kb.as_user("Sam Reid")
    assert not leaks(olive.foi_records()) and leaks(sam.foi_records())
    request = "Does the force use a risk tool to choose which domestic abuse perpetrators are managed as high harm?"
    found = olive.foi_similar(request)
    assert found.documents and not leaks(found)
    assert "foi-1310-2025-risk-tool.txt" in [d.doc for d in sam.foi_similar(request).documents]


def test_drafts_documents_text_and_glossary(kb: KB) -> None:
    olive, sam = kb.as_user("Olive Hart"), kb.as_user("Sam Reid")
    draft = olive.draft("hmicfrs-test-report-2026.md")
    assert draft.recommendations and not leaks(draft.to_json()) and "nightjar" not in draft.to_markdown().lower()
    with pytest.raises(NotFoundError) as hidden:
        olive.draft("hmicfrs-covert-tasking-anyshire-2026.txt")
    with pytest.raises(NotFoundError) as missing:
        olive.draft("no-such-report.txt")
    assert str(hidden.value).replace("hmicfrs-covert-tasking-anyshire-2026.txt", "X") == str(missing.value).replace("no-such-report.txt", "X")
    assert sam.draft("hmicfrs-covert-tasking-anyshire-2026.txt").recommendations
    names = {d.name for d in olive.documents()}
    assert "kestrel-protocol.txt" not in names and "hmicfrs-test-report-2026.md" in names and len(names) == 6
    for read in (lambda: olive.page_text("kestrel-protocol.txt", None), lambda: olive.source_text("kestrel-protocol.txt"),
                 lambda: kb.as_user("Ed Jones").reingest("kestrel-protocol.txt")):
        with pytest.raises(NotFoundError):
            read()
    assert "Kestrel" in sam.source_text("kestrel-protocol.txt")
    assert "NOTT" in {a for a, _, _ in kb.glossary()} and "NOTT" not in {a for a, _, _ in olive.glossary()}


def test_edits_uploads_and_deletes_respect_clearance(kb: KB, tmp_path: Path) -> None:
    ed = kb.as_user("Ed Jones")
    with pytest.raises(NotFoundError):
        ed.set_recommendation("1", "hmicfrs-covert-tasking-anyshire-2026.txt", by="Ed Jones", status="in_progress")
    with pytest.raises(NotFoundError):
        ed.delete("kestrel-protocol.txt")
    assert "kestrel-protocol.txt" in {d.name for d in kb.documents()}
    sample = tmp_path / "x.txt"
    sample.write_text("A note on custody.")
    with pytest.raises(KBError, match="not cleared for OFFICIAL-SENSITIVE"):
        ed.add_files([("x.txt", str(sample))], marking="OFFICIAL-SENSITIVE")
    with pytest.raises(KBError, match="unknown protective marking"):
        kb.add_files([("x.txt", str(sample))], marking="SECRET")
    # a marking given at upload raises a printed one, never lowers it
    printed = kb.store.documents_named("force-response-anyshire-public-protection-2026.txt")[0]["path"]
    (again,) = kb.ingest([printed], marking="OFFICIAL")
    assert again.status == "unchanged" and again.marking == "OFFICIAL-SENSITIVE"


def test_audit_log_records_who_did_what_and_only_admins_read_it(kb: KB) -> None:
    kb.as_user("Olive Hart").search("stalking protection orders", mode="lexical")
    kb.as_user("Olive Hart").ask("How many stalking protection orders were applied for?")
    rec = next(r for r in kb.recommendations(doc="hmicfrs-test-report-2026.md") if r.ref == "2")
    kb.as_user("Ed Jones").set_recommendation("2", "hmicfrs-test-report-2026.md", by="Ed Jones", owner="DCI Evans",
                                                expected_version=rec.version)
    with pytest.raises(PermissionDeniedError):
        kb.as_user("Olive Hart").audit_log()
    log = kb.as_user("Ada Khan").audit_log()
    assert any(e.user == "Olive Hart" and e.action == "search" and e.detail == "stalking protection orders" for e in log)
    assert any(e.user == "Olive Hart" and e.action == "ask" for e in log)
    assert any(e.user == "Ed Jones" and e.action == "register change" and "DCI Evans" in e.detail for e in log)
    assert all(e.at for e in log)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        kb.store.db.execute("DELETE FROM audit")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        kb.store.db.execute("UPDATE audit SET user = 'nobody'")


def test_clearances_are_checked(kb: KB) -> None:
    with pytest.raises(KBError, match="clearance must be one of"):
        kb.users.add("Tim Cole", "viewer", "password-tim", clearance="SECRET")
    assert kb.users.clearance("Sam Reid") == MARKINGS[-1] and kb.users.clearance("nobody at all") == MARKINGS[0]
    # an unknown name in multi-user mode sees the lowest marking only; the console sees everything
    assert not leaks(kb.as_user("nobody at all").search("Nightjar", mode="lexical"))
    assert leaks(kb.search("Nightjar", mode="lexical"))


def test_app_handlers_apply_the_logged_in_users_clearance(kb: KB) -> None:
    import gradio as gr

    import app

    saved = dict(app._state)
    app._state["kb"] = kb
    olive, sam, ada = (SimpleNamespace(username=n) for n in ("Olive Hart", "Sam Reid", "Ada Khan"))
    try:
        outputs = [
            app.do_search("informants tasked and authorised by a superintendent; victims called within 48 hours", "hybrid", 10, [], [], "", "", olive),
            app.do_ask("Who reviews breaches of stalking protection orders?", olive)[0],
            app.do_foi_similar("Does the force use a risk tool to choose which domestic abuse perpetrators are managed as high harm?", olive),
            app.rec_table("all", False, "", "", olive)[1],
            app.docs_table(olive).to_json(),
            app.do_draft("hmicfrs-test-report-2026.md", "", olive)[0],
            app.rec_chart(olive).to_json(),
        ]
        assert not leaks(outputs), leaks(outputs)
        assert "nightjar" in app.do_search("Operation Nightjar", "lexical", 10, [], [], "", "", sam).lower()
        with pytest.raises(gr.Error):
            app.do_draft("hmicfrs-covert-tasking-anyshire-2026.txt", "", olive)
        with pytest.raises(gr.Error, match="may not read the audit log"):
            app.audit_table("", "", olive)
        log = app.audit_table("Olive Hart", "search", ada)
        assert len(log) >= 1 and set(log["Who"]) == {"Olive Hart"}
        assert "cleared for OFFICIAL-SENSITIVE" in app.status(sam)
    finally:
        app._state.clear()
        app._state.update(saved)


def test_every_changing_action_is_checked_against_the_role_and_audited(kb: KB, tmp_path: Path) -> None:
    """Adding a user, pruning, exporting and restoring: refused for a role that may not, audited when done."""
    olive, ed, ada = kb.as_user("Olive Hart"), kb.as_user("Ed Jones"), kb.as_user("Ada Khan")
    with pytest.raises(PermissionDeniedError, match="may not manage users"):
        ed.add_user("Tim Cole", "viewer", "password-tim")
    ada.add_user("Tim Cole", "viewer", "password-tim")
    assert kb.users.role("Tim Cole") == "viewer"
    with pytest.raises(PermissionDeniedError, match="may not remove documents"):
        olive.prune([tmp_path])
    assert ed.prune([tmp_path]) == []  # nothing of that folder is indexed: nothing removed, nothing to audit
    with pytest.raises(PermissionDeniedError, match="may not export the register"):
        kb.as_user("nobody at all").export_recommendations(tmp_path / "r.csv")
    assert olive.export_recommendations(tmp_path / "r.csv") > 0  # a viewer may export what they may read
    with pytest.raises(PermissionDeniedError, match="may not restore a backup"):
        ed.restore(tmp_path / "missing.zip")
    log = ada.audit_log()
    assert any(e.user == "Ada Khan" and e.action == "add user" and e.detail == "Tim Cole: viewer, cleared to OFFICIAL" for e in log)
    assert not any("password-tim" in e.detail for e in log)
    assert any(e.user == "Olive Hart" and e.action == "export register" for e in log)
    assert not any(e.action == "add user" and e.user == "Ed Jones" for e in log)  # a refusal is not a change


def test_pruning_a_deleted_file_is_audited(tmp_path: Path, embedder: Embedder) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "note.txt").write_text("A note about custody visits by independent custody visitors in 2024.")
    kb = KB(home=str(tmp_path / "home"), embedder=embedder)
    kb.ingest([folder])
    (folder / "note.txt").unlink()
    assert kb.prune([folder]) == [str(folder / "note.txt")]
    assert any(e.action == "prune" and "note.txt" in e.detail for e in kb.audit_log())
