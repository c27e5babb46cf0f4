"""The Gradio app: handlers called directly, and the real app served on 127.0.0.1."""

from __future__ import annotations

import socket

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
    out = app.do_ask("Which teams manage high-harm offenders if there is no specialist unit?")
    assert "MOSOVO" in out and "[1]" in out and "<blockquote" in out and "foi-392-2026" in out
    assert "Not found in the indexed documents." in app.do_ask("How many drones does the force own?")
    with pytest.raises(gr.Error):
        app.do_ask("  ")


def test_foi_handlers(app_kb: KB) -> None:
    out = app.do_foi_similar("How are high-harm domestic abuse offenders chosen for management?")
    assert "392/2026" in out and "Question 1" in out
    clock = app.do_foi_due("2026-12-18", "", False)
    assert "Due 2027-01-20" in clock and "2026-12-25" in clock
    with pytest.raises(gr.Error, match="YYYY-MM-DD"):
        app.do_foi_due("18 December", "", False)
