"""The Gradio app: handlers called directly, and the real app served on 127.0.0.1."""

from __future__ import annotations

import socket
from pathlib import Path

import gradio as gr
import httpx
import pytest
from conftest import CSA

import app
from kb.service import KB


@pytest.fixture()
def app_kb(corpus_kb: KB):  # type: ignore[no-untyped-def]
    previous = app._state.get("kb")
    app._state["kb"] = corpus_kb
    yield corpus_kb
    if previous is None:
        app._state.pop("kb", None)
    else:
        app._state["kb"] = previous


def test_search_handler_renders_escaped_highlighted_results(app_kb: KB) -> None:
    out = app.do_search("which tool is used to prioritise online child abuse referrals", "hybrid", 5, [], [], "", "")
    assert out.count("class='hit'") == 5
    assert CSA in out and "<mark>referrals</mark>" in out
    assert "5</b> results" in out


def test_search_handler_filters_and_messages(app_kb: KB) -> None:
    out = app.do_search("MAPPA", "lexical", 10, ["foi_disclosure"], [], "", "")
    assert "foi-392-2026" in out and CSA not in out
    with pytest.raises(gr.Error):
        app.do_search("   ", "hybrid", 5, [], [], "", "")
    with pytest.raises(gr.Error, match="YYYY-MM-DD"):
        app.do_search("MAPPA", "hybrid", 5, [], [], "last week", "")
    assert "No passages match" in app.render_hits([], "zzz")


def test_document_text_is_shown_as_text_not_html() -> None:
    assert app.highlight("<script>alert(1)</script> MAPPA", "mappa") == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>MAPPA</mark>"


def test_status_and_choices(app_kb: KB) -> None:
    assert "**5** documents" in app.status() and "127.0.0.1" in app.status()
    assert len(app.doc_choices().choices) == 5


def test_real_app_serves_on_loopback(app_kb: KB) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app.demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=30)
        assert page.status_code == 200 and "OPCC knowledge base" in page.text
        config = httpx.get(f"http://127.0.0.1:{port}/config", timeout=30).json()
        labels = {c.get("props", {}).get("label") for c in config["components"]}
        assert {"Search", "Document kind", "Documents"} <= labels
    finally:
        app.demo.close()


def test_ask_handler_shows_quotes_and_sources(app_kb: KB) -> None:
    out, picker, sources = app.do_ask("Which teams manage high-harm offenders if there is no specialist unit?")
    assert "MOSOVO" in out and "[1]" in out and "<blockquote" in out and "foi-392-2026" in out
    assert "<mark>" in out and "Response" not in out.split("<mark>")[0][-5:]  # the quote is marked inside its passage
    assert "I can confirm that Dyfed-Powys Police does hold" in out  # the surrounding text is shown too
    assert sources and picker.choices
    viewer = app.do_open(sources[0]["label"], sources)
    cited = viewer.split("<mark id='cited'>", 1)[1].split("</mark>", 1)[0]  # the first quote, marked in the whole document
    assert "Offenders which fall into the high harm category" in cited and "FOI Reference: 392/2026" in viewer
    with pytest.raises(gr.Error):
        app.do_open("nothing", [])
    assert "Not found in the indexed documents." in app.do_ask("How many drones does the force own?")[0]
    with pytest.raises(gr.Error):
        app.do_ask("  ")


def test_foi_handlers(app_kb: KB) -> None:
    out = app.do_foi_similar("How are high-harm domestic abuse offenders chosen for management?")
    assert "392/2026" in out and "Question 1" in out
    clock = app.do_foi_due("2026-12-18", "", False)
    assert "Due 2027-01-20" in clock and "2026-12-25" in clock
    with pytest.raises(gr.Error, match="YYYY-MM-DD"):
        app.do_foi_due("18 December", "", False)


def test_register_tab_filters_shows_details_and_saves(fresh_kb: KB) -> None:
    from conftest import CORPUS

    fresh_kb.ingest([CORPUS / CSA])  # a register of its own: this test changes statuses
    app._state["kb"] = fresh_kb
    table, rows = app.rec_table("all", False, "")
    assert len(table) == len(rows) == 29
    assert {r.ref for r in app.rec_table("all", False, "", "bail")[1]} == {"4", "E", "F"}
    late_table, late_rows = app.rec_table("all", True, "")
    assert 0 < len(late_rows) < 29 and all(r.overdue for r in late_rows)
    i = next(n for n, r in enumerate(late_rows) if r.ref == "J")
    details, selected, current, owner, due_date, _ = app.rec_details_at(late_rows, i)
    assert "part J of 8" in details and "Overdue by" in details and "History:" in details and current == "not_started"
    with pytest.raises(gr.Error, match="your name"):
        app.rec_save(selected, "in_progress", "DCI Test", "", "", "  ")
    with pytest.raises(gr.Error, match="needs the reason"):
        app.rec_save(selected, "in_progress", "DCI Test", "2027-01-31", "Demand review commissioned", "Test User")
    saved = app.rec_save(selected, "in_progress", "DCI Test", "2027-01-31", "Demand review commissioned", "Test User", None,
                         "the demand review moved", "ACC Test")
    assert "In progress" in saved and "Test User" in saved
    details, *_ = app.rec_details_at(app.rec_table("all", False, "")[1], next(n for n, r in enumerate(app.rec_table("all", False, "")[1]) if r.ref == "J"))
    assert "Test User" in details and "Not started \u2192 In progress" in details
    with pytest.raises(gr.Error):
        app.rec_save(selected, "complete", "", "", "", "Someone Else")  # stale version: someone saved since
    chart = app.rec_chart()
    assert set(chart.columns) == {"report", "status", "recommendations"} and chart["recommendations"].sum() == 9
    app._state.pop("kb", None)
    assert app.rec_export("CSV").endswith(".csv") and app.rec_export("Excel").endswith(".xlsx")


def test_documents_tab_uploads_lists_and_removes(app_kb: KB, tmp_path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "note.txt"
    good.write_text("The Integrated Offender Management team reviewed the Zephyrine cohort in March.")
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 nonsense")

    class Upload:
        def __init__(self, path, orig_name):  # type: ignore[no-untyped-def]
            self.name, self.orig_name = str(path), orig_name

    out = app.do_upload([Upload(good, "../../escape note.txt"), Upload(bad, "broken.pdf")], progress=lambda *a, **k: None)
    assert "escape note.txt" in out and "added" in out and "broken.pdf" in out and "not added" in out
    assert (app_kb.config.home / "uploads" / "escape note.txt").exists()
    assert not (app_kb.config.home.parent / "escape note.txt").exists()
    assert app_kb.search("Zephyrine cohort", mode="lexical")[0].doc == "escape note.txt"
    assert "escape note.txt" in list(app.docs_table()["File"])
    assert "read again" in app.do_reingest("escape note.txt")
    assert "Removed" in app.do_delete("escape note.txt")
    assert app_kb.search("Zephyrine", mode="lexical") == []
    with pytest.raises(gr.Error):
        app.do_upload([], progress=lambda *a, **k: None)


def test_warm_up_opens_the_indexes_and_never_raises(tmp_path, embedder, caplog) -> None:  # type: ignore[no-untyped-def]
    """The app warms up in the background at start; a vector store that cannot be reached is left
    for the first real request to report, not raised in a thread nobody watches."""
    knowledge = KB(home=str(tmp_path / "home"), embedder=embedder)
    assert knowledge._vectors is None and not knowledge._glossaries
    knowledge.warm()
    assert knowledge._vectors is not None and knowledge._glossaries
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    away = KB(home=str(tmp_path / "team"), embedder=embedder, chroma_host="127.0.0.1", chroma_port=port)
    away.warm()
    assert "could not warm up" in caplog.text and str(port) in caplog.text


def test_exports_live_in_one_private_folder_and_do_not_linger(app_kb: KB) -> None:
    import os
    import stat
    import time

    from ui import dashboard, exports

    first, second = Path(app.rec_export("CSV")), Path(app.rec_export("CSV"))
    board = Path(dashboard.board_report("", ""))
    root = exports.root()
    assert first.parent.parent == second.parent.parent == board.parent.parent == root
    assert first.parent != second.parent and first.read_text() == second.read_text()  # one folder an export
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    old = time.time() - exports.KEEP_SECONDS - 60
    os.utime(first.parent, (old, old))
    third = Path(app.rec_export("Excel"))  # the next export removes the ones past their hour
    assert not first.parent.exists() and second.exists() and board.exists() and third.exists()
    left = len(list(root.iterdir()))  # these three, and any earlier test's
    assert left >= 3 and exports.prune(root, now=time.time() + exports.KEEP_SECONDS + 60) == left and not any(root.iterdir())
    assert app.demo.delete_cache == (600, exports.KEEP_SECONDS)  # Gradio's copies go on the same clock
