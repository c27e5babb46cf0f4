"""Hostile content, upload paths and hostile queries (issue 8).

- Documents full of HTML, script and Markdown injection are shown as text by every handler of the
  app (audited by parsing what each returns), and, in headless Chromium, no script runs, no dialog
  opens and nothing is fetched from another host.
- Upload names that try to leave the data home (``../``, absolute paths, drive letters, NUL,
  newlines, 300 characters, ``.``/``..``/empty) land in <home>/uploads under a safe name; the same
  name twice keeps both files (the second gets a numbered suffix).
- Queries with quotes, FTS5 operators, SQL metacharacters and very long input return results or a
  plain-English message in every mode and every handler; the store is intact afterwards.
"""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from pdfmake import make_pdf

import app
from kb.search.embed import Embedder
from kb.errors import KBError
from kb.search.hybrid import MODES, fts_query
from kb.service import KB
from kb.documents.uploads import safe_name
from kb.store.db import Store

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
SVG = '<svg onload="window.__pwned=1">'
JS_ANCHOR = '<a href="javascript:window.__pwned=1">click</a>'
MD_LINK = "[x](javascript:alert(1))"
MD_IMG = "![x](http://example.invalid/x.png)"
MD_IMG_RELATIVE = "![y](//example.invalid/y.png)"  # survives the cleaner, which drops http(s) links
PAYLOAD = f"{SCRIPT} {IMG} {SVG} {JS_ANCHOR} {MD_LINK} {MD_IMG} {MD_IMG_RELATIVE} javascript:alert(2)"

REPORT = "hmicfrs-hostile-report-2026.md"
RESPONSE = "force-response-hostile-2027.txt"
FOI_DOC = "foi-hostile-555-2026.txt"
NOTES = "hostile-notes.html"
MINUTES = "hostile-minutes.pdf"


def write_hostile(folder: Path) -> list[Path]:
    """Five documents (md, txt, html, pdf) whose titles and text are markup, each saying 'Xylophant'."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / REPORT).write_text(
        f"# <b>HMICFRS</b> inspection of {SCRIPT} hostile markup in Anyshire {IMG} (TEST DOCUMENT)\n\n"
        "Published 15 November 2026\n\n## Recommendations\n\nRecommendation 1\n\n"
        f"By 31 May 2027, forces should make sure every Xylophant record {SCRIPT} is checked {IMG} {SVG} and {MD_LINK} {MD_IMG} "
        f"{MD_IMG_RELATIVE} reviewed.\n\nRecommendation 2\n\n"
        f"By 31 May 2027, forces should make sure Xylophant links like {JS_ANCHOR} and javascript:alert(2) are never followed.\n",
        encoding="utf-8")
    (folder / RESPONSE).write_text(
        "Force response to the HMICFRS inspection of hostile markup in Anyshire\n\nPublished 10 January 2027\n\n"
        f"Recommendation 1\n\nBy 31 May 2027, forces should make sure every Xylophant record {SCRIPT} is checked.\n\n"
        f"Response: Every Xylophant record is now checked weekly by the force {SCRIPT} {IMG} {MD_IMG_RELATIVE}. "
        "This work is complete.\n", encoding="utf-8")
    (folder / FOI_DOC).write_text(
        "Freedom of Information Act 2000 – Disclosure Log\nOur ref: FOI 555/2026\nDate received: 03/02/2026\n"
        f"Date of response: 28/02/2026\n\nQ1 How many Xylophant checks {SCRIPT} were made {IMG}?\n"
        f"A1 There were 12 Xylophant checks {SVG} in 2025 {MD_LINK} {MD_IMG_RELATIVE}.\n", encoding="utf-8")
    (folder / NOTES).write_text(
        "<html><head><title>&lt;script&gt;window.__pwned=1&lt;/script&gt; Xylophant notes</title>"
        f"<script>window.__pwned=1</script></head><body onload=\"window.__pwned=1\"><h1>Xylophant notes {IMG}</h1>"
        f"<p>The Xylophant text &lt;script&gt;window.__pwned=1&lt;/script&gt; and &lt;img src=x onerror=alert(1)&gt; stays text. {IMG} {SVG}</p>"
        f"<p>A {JS_ANCHOR} and {MD_LINK} and {MD_IMG_RELATIVE} in the Xylophant notes.</p></body></html>", encoding="utf-8")
    make_pdf(folder / MINUTES, [[f"Xylophant minutes {SCRIPT}", f"Item one {IMG}"], [f"{SVG} {MD_LINK}", MD_IMG_RELATIVE]])
    return [folder / n for n in (REPORT, RESPONSE, FOI_DOC, NOTES, MINUTES)]


# --- what "inert" means -------------------------------------------------------------------------
SAFE_TAGS = {"div", "p", "b", "i", "s", "small", "br", "mark", "ol", "ul", "li", "blockquote", "span", "strong", "em", "code", "pre",
             "hr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"}
SAFE_ATTRS = {"style", "class", "id", "value"}


class _Audit(HTMLParser):
    """Every tag and attribute of some HTML, and its text as a browser would show it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in SAFE_TAGS:
            self.bad.append(f"<{tag}>")
        for name, value in attrs:
            v = (value or "").lower()
            if name not in SAFE_ATTRS or "javascript:" in v or "url(" in v or "expression(" in v:
                self.bad.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.bad.append(f"<!--{data}-->")


def inert_html(out: str) -> str:
    """Assert that HTML holds only harmless tags and attributes; return its visible text."""
    audit = _Audit()
    audit.feed(out)
    audit.close()
    assert not audit.bad, f"live markup in the output: {audit.bad[:5]}"
    return "".join(audit.text)


_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def inert_markdown(out: str) -> str:
    """Assert that Markdown renders (raw HTML allowed, the worst case) to harmless HTML with no link,
    image or autolink; return its visible text."""
    text = inert_html(_MARKDOWN.render(out))
    lowered = out.lower()
    for autolink in ("http://", "https://", "ftp://", "www."):  # GFM (Gradio's marked) links these by itself
        assert autolink not in lowered, f"an autolink survives: {autolink}"
    assert "$$" not in out  # no LaTeX from document text
    return text


def shows_markup_as_text(text: str) -> None:
    """The visible text carries the document's markup literally."""
    assert "<script>window." in text and "</script>" in text and "onerror=" in text, text[:400]


# --- fixtures ---------------------------------------------------------------------------------------
def _quiet(*_: Any, **__: Any) -> None:
    """A progress bar that shows nothing (the handlers' gr.Progress outside a request)."""


QUIET: Any = _quiet


@contextmanager
def serving(knowledge: KB) -> Iterator[KB]:
    """The app's handlers use this knowledge base for the duration."""
    previous = app._state.get("kb")
    app._state["kb"] = knowledge
    try:
        yield knowledge
    finally:
        if previous is None:
            app._state.pop("kb", None)
        else:
            app._state["kb"] = previous


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[KB]:
    """A data home holding the five hostile documents, wired into the app."""
    root = tmp_path_factory.mktemp("hostile")
    knowledge = KB(home=str(root / "home"), embedder=embedder)
    reports = knowledge.ingest(write_hostile(root / "docs"))
    assert [r.status for r in reports] == ["added"] * 5, [(r.name, r.status, r.error) for r in reports]
    with serving(knowledge):
        yield knowledge


@pytest.fixture()
def in_app(hostile: KB) -> KB:
    """The hostile data home as the app's (other modules' tests may have swapped it)."""
    app._state["kb"] = hostile
    return hostile


# --- which components render markup -----------------------------------------------------------------
REVIEWED = {  # handler -> the HTML and Markdown components it fills, each checked below (do_foi_due: computed dates only)
    "do_search": {"HTML:results"}, "do_ask": {"HTML:answer"}, "do_open": {"HTML:document-view"},
    "do_foi_similar": {"HTML:foi-precedents"}, "do_foi_due": {"Markdown:foi-clock"},
    "rec_details": {"Markdown:rec-details"}, "rec_reselect": {"Markdown:rec-details"}, "rec_save": {"Markdown:rec-saved"},
    "do_draft": {"Markdown:draft-view"}, "do_reingest": {"Markdown:doc-result"}, "do_delete": {"Markdown:doc-result"},
    "do_correct": {"Markdown:doc-result"},  # tests/test_corrections.py: a hostile corrected title shows as text
    "do_upload": {"Markdown:upload-result"}, "status": {"Markdown:None"},
    # test_dashboard_closure_and_foi_log_show_markup_as_text (pick shows the same describe() as log_request)
    "show": {"Markdown:dash-summary"}, "verify": {"Markdown:rec-saved"}, "send_back": {"Markdown:rec-saved"},
    "log_request": {"Markdown:log-details"}, "pick": {"Markdown:log-details"}, "add_event": {"Markdown:log-details"},
}


def test_every_component_that_renders_markup_is_reviewed() -> None:
    """gr.HTML renders HTML as is; gr.Markdown renders Markdown (and sanitised HTML); a Dataframe
    renders cells as Markdown or HTML only with those datatypes, so every Dataframe must show text.
    Each HTML or Markdown component a handler fills is checked by a test here; a new one fails this
    test until its escaping is reviewed (app.md_text for Markdown, html.escape for HTML) and listed above."""
    seen: dict[str, set[str]] = {}
    for block in app.demo.blocks.values():
        if isinstance(block, gr.Markdown):
            assert block.sanitize_html, "every Markdown component keeps Gradio's sanitiser on"
        if isinstance(block, gr.Dataframe):
            kinds = block.datatype if isinstance(block.datatype, list) else [block.datatype]
            assert set(kinds) <= {"str", "number", "bool", "date"}, f"{block.elem_id}: cells must be shown as text, not {kinds}"
    for fn in app.demo.fns.values():
        name = getattr(fn.fn, "__name__", "")
        rendered = {f"{type(o).__name__}:{o.elem_id}" for o in fn.outputs if isinstance(o, (gr.HTML, gr.Markdown))}
        if rendered:
            seen.setdefault(name, set()).update(rendered)
    unreviewed = {k: v - REVIEWED.get(k, set()) for k, v in seen.items() if v - REVIEWED.get(k, set())}
    assert not unreviewed, f"handlers filling HTML/Markdown components with no escaping test in test_hostile.py: {unreviewed}"


# --- every handler shows the markup as text ------------------------------------------------------
def test_search_results_show_markup_as_text(in_app: KB) -> None:
    for mode in MODES:
        out = app.do_search("Xylophant record checked", mode, 20, [], [], "", "")
        assert "class='hit'" in out
        text = inert_html(out)
        shows_markup_as_text(text)
        assert "&lt;script&gt;" in out
    # the query is echoed too
    shows_markup_as_text(inert_html(app.do_search(f"Xylophant {SCRIPT} {IMG}", "hybrid", 5, [], [], "", "")))


def test_answer_and_document_viewer_show_markup_as_text(in_app: KB) -> None:
    out, picker, sources = app.do_ask("How many Xylophant checks were made in 2025?")
    assert sources and picker.choices
    shows_markup_as_text(inert_html(out))
    for source in sources:
        viewer = app.do_open(source["label"], sources)
        text = inert_html(viewer)
        assert "<mark id='cited'>" in viewer and "Xylophant" in text
    whole = app.do_open(next(s["label"] for s in sources if s["doc"] == FOI_DOC), sources)
    shows_markup_as_text(inert_html(whole))
    assert MD_IMG_RELATIVE in inert_html(whole)  # the source text, verbatim, as text
    # an abstention lists the closest documents by their titles, which are markup here
    abstained, _, cited = app.do_ask("How many drones does the force own?")
    assert "Not found" in abstained and cited == []
    inert_html(abstained)


def test_foi_precedents_show_markup_as_text(in_app: KB) -> None:
    out = app.do_foi_similar(f"1. How many Xylophant checks were made? {SCRIPT}\n2. What are Xylophant checks {IMG}?")
    assert "555/2026" in out
    shows_markup_as_text(inert_html(out))


def test_register_table_details_and_history_show_markup_as_text(in_app: KB) -> None:
    table, rows = app.rec_table("all", False, "", "Xylophant")
    assert len(rows) >= 2
    cells = " ".join(str(v) for v in table.to_numpy().ravel())
    assert "<script>window." in cells  # a Dataframe of datatype "str" shows cells as text (see the component test)
    i = next(n for n, r in enumerate(rows) if r.doc == REPORT and r.ref == "1")
    details, selected, *_ = app.rec_details_at(rows, i)
    text = inert_markdown(details)
    shows_markup_as_text(text)
    assert MD_LINK in text and MD_IMG_RELATIVE in text  # Markdown link and image syntax shown, not followed
    saved = app.rec_save(selected, "in_progress", f"DCI {IMG}", "2027-05-01", f"Checked {SCRIPT} {MD_IMG_RELATIVE}", f"Tester {MD_LINK}",
                         None, f"moved {SCRIPT}", f"ACC {IMG}")
    assert "Saved" in inert_markdown(saved) and MD_LINK in inert_markdown(saved)
    rows = app.rec_table("all", False, "", "Xylophant")[1]
    details = app.rec_reselect(rows, selected)[0]
    text = inert_markdown(details)
    assert f"DCI {IMG}" in text and f"Checked {SCRIPT}" in text and MD_IMG_RELATIVE in text  # the history, as text


def test_dashboard_closure_and_foi_log_show_markup_as_text(in_app: KB) -> None:
    from ui import closure, dashboard, foi_log

    def selected_rec() -> dict[str, Any]:
        rows = app.rec_table("all", False, "", "Xylophant")[1]
        return app.rec_details_at(rows, next(n for n, r in enumerate(rows) if r.doc == REPORT and r.ref == "2"))[1]

    app.rec_save(selected_rec(), "complete", "", "", f"Seen {SCRIPT} {IMG} {MD_IMG_RELATIVE}", f"Proposer {MD_LINK}")
    back = inert_markdown(closure.send_back(selected_rec(), f"Checker {SCRIPT} {MD_LINK}", f"why {IMG}"))
    assert "Sent back" in back
    details = inert_markdown(app.rec_details_at(app.rec_table("all", False, "", "Xylophant")[1], 0)[0])
    assert "<script>" in details or "Xylophant" in details
    app.rec_save(selected_rec(), "complete", "", "", f"Seen again {SCRIPT}", f"Proposer {MD_LINK}")
    verified = inert_markdown(closure.verify(selected_rec(), f"Checker {SCRIPT} {MD_LINK}", ""))
    assert "Verified by Checker <script>window." in verified and MD_LINK in verified
    assert "recommendations tracked" in inert_markdown(dashboard.show()[0])
    text = inert_markdown(foi_log.log_request(f"FOI {IMG}", "2026-11-02", f"How many Xylophant {SCRIPT} {IMG} {MD_LINK} {MD_IMG_RELATIVE}?",
                                              f"Officer {IMG}", None, f"Me {MD_LINK}")[0])
    shows_markup_as_text(text)
    assert MD_LINK in text and MD_IMG_RELATIVE in text
    text = inert_markdown(foi_log.add_event(f"FOI {IMG}", 0, "assigned", "2026-11-03", f"Officer {SCRIPT} {IMG}", "", "", "", "Me")[0])
    shows_markup_as_text(text)


def test_draft_shows_markup_as_text(in_app: KB) -> None:
    markdown, path = app.do_draft(REPORT, "")
    assert Path(path).exists() and "Recommendation 1" in markdown
    text = inert_markdown(markdown)
    shows_markup_as_text(text)
    assert MD_LINK in text


def test_documents_list_upload_and_messages_show_markup_as_text(in_app: KB, tmp_path: Path) -> None:
    titles = list(app.docs_table()["Title"])
    assert any("<script>window." in t for t in titles), titles
    note = tmp_path / "note.txt"
    note.write_text(f"Xylophant upload note {SCRIPT}.", encoding="utf-8")
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 <script>window.__pwned=1</script>")
    out = app.do_upload([str(note), str(bad)], progress=QUIET)
    assert "not added" in out
    inert_markdown(out)
    name = f"{IMG}[x](javascript:alert(1)).txt"
    odd = tmp_path / "odd"
    odd.mkdir()
    (odd / name).write_text("Xylophant odd name.", encoding="utf-8")
    out = app.do_upload([str(odd / name)], progress=QUIET)
    inert_markdown(out)
    stored = next(d.name for d in in_app.documents() if "odd name" in in_app.source_text(d.name))
    assert not set(stored) & set('<>"[]/\\:='), stored
    inert_markdown(app.do_reingest(stored))
    inert_markdown(app.do_delete(stored))
    inert_markdown(app.status())
    # a message that echoes what was typed is shown as text too (Gradio renders an error's message as HTML)
    with pytest.raises(gr.Error) as caught:
        app.do_search("Xylophant", "hybrid", 5, [], [], IMG, "")
    assert "YYYY-MM-DD" in caught.value.message and "<img" not in caught.value.message and "&lt;img" in caught.value.message
    with pytest.raises(gr.Error) as caught:
        app.do_reingest(f"{SCRIPT}.pdf")
    assert "<script" not in caught.value.message


def test_the_report_text_itself_keeps_the_markup(hostile: KB) -> None:
    """What is stored is the document's text, unchanged: escaping happens only where it is shown."""
    assert SCRIPT in hostile.source_text(REPORT) and MD_IMG_RELATIVE in hostile.source_text(REPORT)


# --- upload names -----------------------------------------------------------------------------------
HOSTILE_NAMES = ["../../etc/passwd", "/etc/passwd", "..\\..\\win.ini", "C:\\x\\y.txt", "nul\x00byte.txt", "new\nline\r.txt",
                 "r\u00e9sum\u00e9 \u5831\u544a \u202etxt.exe.txt", "a" * 296 + ".txt", "\u00e9" * 290 + ".md", ".", "..", "", "   ",
                 "~/.bashrc", "CON", "-rf .txt", "name with spaces (1).txt"]


def tree(root: Path) -> dict[str, str]:
    """Every file under a folder with a hash of its content."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file() and not p.is_symlink()}


def _probe(folder: Path, n: int) -> Path:
    """A small text file saying a word found nowhere else (Quorvex000, Quorvex001...)."""
    path = folder / f"probe{n}.txt"
    path.write_text(f"Upload probe number {n}: the Quorvex{n:03d} register was reviewed.", encoding="utf-8")
    return path


def test_safe_name_keeps_one_short_plain_file_name() -> None:
    for name in HOSTILE_NAMES:
        safe = safe_name(name)
        assert safe and "/" not in safe and "\\" not in safe and "\x00" not in safe and "\n" not in safe and "\r" not in safe
        assert safe not in (".", "..") and not safe.startswith(".") and len(safe.encode()) <= 150, (name, safe)
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\x\\y.txt") == "y.txt"
    assert safe_name("a" * 296 + ".txt").endswith(".txt")  # a long name keeps its extension
    assert safe_name("\u00e9" * 290 + ".md").endswith(".md")
    assert safe_name("r\u00e9sum\u00e9.pdf") == "r\u00e9sum\u00e9.pdf"  # accented names stay readable
    assert safe_name("name with spaces (1).txt") == "name with spaces (1).txt"


def _names_cannot_escape(kb: KB, root: Path, add: Any) -> None:
    """Upload every hostile name through ``add(pairs)``: each lands in <home>/uploads and is ingested;
    under ``root`` (the data home is two folders down) nothing outside the data home appears or changes,
    and in the data home no file outside uploads/ holds an upload (the store's own files may change)."""
    incoming = root / "incoming"
    incoming.mkdir(parents=True)
    pairs = [(name, str(_probe(incoming, i))) for i, name in enumerate(HOSTILE_NAMES)]
    passwd = hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest() if Path("/etc/passwd").exists() else None
    documents = kb.store.counts()["documents"]
    before = tree(root)
    add(pairs)
    after = tree(root)
    home, uploads = kb.config.home.relative_to(root), kb.config.home / "uploads"
    new = sorted(set(after) - set(before))
    changed = sorted(k for k in before if k in after and before[k] != after[k])
    outside = [p for p in new + changed if not p.startswith(str(home) + os.sep)]
    assert not outside, outside
    contents = {Path(temp).read_bytes() for _, temp in pairs}
    smuggled = [p for p in new + changed if not p.startswith(str(home / "uploads") + os.sep) and (root / p).read_bytes() in contents]
    assert not smuggled, smuggled
    assert not any(p.startswith(str(home / "uploads")) for p in changed)  # nothing uploaded earlier was overwritten
    written = [root / p for p in new if p.startswith(str(home / "uploads") + os.sep)]
    assert len(written) == len(HOSTILE_NAMES), written  # one file per upload: none overwrote another
    assert all(p.parent == uploads for p in written)
    if passwd:
        assert hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest() == passwd
    assert kb.store.counts()["documents"] == documents + len(HOSTILE_NAMES)
    for i in range(len(HOSTILE_NAMES)):
        hits = kb.search(f"Quorvex{i:03d}", mode="lexical")
        assert hits and hits[0].text.startswith(f"Upload probe number {i}:"), (i, HOSTILE_NAMES[i])
        assert (uploads / hits[0].doc).is_file()


def test_upload_names_cannot_write_outside_uploads(tmp_path: Path, embedder: Embedder) -> None:
    root = tmp_path / "root"
    kb = KB(home=str(root / "a" / "b" / "home"), embedder=embedder)
    reports: list[Any] = []
    _names_cannot_escape(kb, root, lambda pairs: reports.extend(kb.add_files(pairs)))
    assert [r.status for r in reports] == ["added"] * len(HOSTILE_NAMES), [(r.name, r.status, r.error) for r in reports]
    names = [r.name for r in reports]
    assert names[0] == "passwd.txt" and names[1] == "passwd (2).txt" and names[3] == "y.txt"  # no extension: the file's own
    assert len(set(names)) == len(names)


def test_app_upload_names_cannot_write_outside_uploads(tmp_path: Path, embedder: Embedder) -> None:
    root = tmp_path / "root"
    kb = KB(home=str(root / "a" / "b" / "home"), embedder=embedder)

    class Upload:  # an upload as a temporary path and the name the user's file had
        def __init__(self, path: str, orig_name: str) -> None:
            self.name, self.orig_name = path, orig_name

    shown: list[str] = []
    with serving(kb):
        _names_cannot_escape(kb, root, lambda pairs: shown.append(
            app.do_upload([Upload(temp, name) for name, temp in pairs], progress=QUIET)))
        assert "not added" not in shown[0] and shown[0].count(": added,") == len(HOSTILE_NAMES)
        inert_markdown(shown[0])
        # Gradio passes plain paths whose file name is the user's own, odd characters and all
        odd = root / "x" / "odd\nname \u202e<b>.txt"
        odd.parent.mkdir()
        odd.write_text("The Quorvex999 odd name was read.", encoding="utf-8")
        out = app.do_upload([str(odd)], progress=QUIET)
        assert ": added," in out and "<b>" not in inert_markdown(out)
        assert kb.search("Quorvex999", mode="lexical")[0].doc == "odd_name __b_.txt"


def test_the_same_name_twice_keeps_both_files(fresh_kb: KB, tmp_path: Path) -> None:
    first, second = tmp_path / "one.txt", tmp_path / "two.txt"
    first.write_text("The first Zarquon minutes were agreed in March.", encoding="utf-8")
    second.write_text("The second Zarquon minutes were agreed in June.", encoding="utf-8")
    r1 = fresh_kb.add_files([("minutes.txt", str(first))])
    r2 = fresh_kb.add_files([("minutes.txt", str(second))])
    assert r1[0].name == "minutes.txt" and r2[0].name == "minutes (2).txt" and r2[0].status == "added"
    uploads = fresh_kb.config.home / "uploads"
    assert (uploads / "minutes.txt").read_text(encoding="utf-8").startswith("The first")  # not overwritten
    assert (uploads / "minutes (2).txt").read_text(encoding="utf-8").startswith("The second")
    assert {h.doc for h in fresh_kb.search("Zarquon minutes", mode="lexical")} == {"minutes.txt", "minutes (2).txt"}
    # the same file again is recognised, not copied a third time
    r3 = fresh_kb.add_files([("minutes.txt", str(first))])
    assert r3[0].status == "unchanged" and sorted(p.name for p in uploads.iterdir()) == ["minutes (2).txt", "minutes.txt"]
    # two different files of one name in one upload
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Alpha Zarquon notes.", encoding="utf-8")
    b.write_text("Beta Zarquon notes.", encoding="utf-8")
    names = [r.name for r in fresh_kb.add_files([("notes.txt", str(a)), ("notes.txt", str(b))])]
    assert names == ["notes.txt", "notes (2).txt"]


def test_an_upload_never_writes_through_a_link(fresh_kb: KB, tmp_path: Path) -> None:
    uploads = fresh_kb.config.home / "uploads"
    uploads.mkdir(parents=True)
    outside = tmp_path / "outside.txt"
    (uploads / "report.txt").symlink_to(outside)  # dangling: it points at a file that does not exist yet
    src = tmp_path / "src.txt"
    src.write_text("The Yelverton audit was read.", encoding="utf-8")
    reports = fresh_kb.add_files([("report.txt", str(src))])
    assert not outside.exists() and reports[0].name != "report.txt" and reports[0].status == "added"


# --- hostile queries ------------------------------------------------------------------------------
HOSTILE_QUERIES = ['"', '"MAPPA', '"MAPPA" "bail', "'", "NEAR(MAPPA bail)", "MAPPA*", "^MAPPA", "((", ")", "MAPPA AND OR NOT", "-", ":",
                   "text:MAPPA", "col:term", "'; DROP TABLE chunks; --", "%", "_", "\x00", "MAPPA\x00bail", "\U0001f600 bail \U0001f469\u200d\U0001f4bb",
                   "MAPPA " * 1700, "x" * 10_000, "!@#$%^&*()[]{};:,.<>/?\\|`~", "", "   ", "\n\t", "\u202eMAPPA", "<script>alert(1)</script>"]


def _plain(message: str) -> None:
    assert message.strip(), "an empty message"
    for leak in ("Traceback", "sqlite3", "OperationalError", "fts5", "syntax error", "Error:"):
        assert leak not in message, message


def _all_paths(kb: KB, query: str) -> None:
    """A query through every path: each app handler (every search mode, ask, FOI precedents, the
    register's words) and so the facade under it, where anything but a KBError would escape the
    handler and fail the test; the facade directly where a handler stops earlier (blank input)."""
    direct: list[Callable[[], object]] = [lambda: kb.search(query, k=5, mode="lexical")]
    if not query.strip():
        direct += [lambda m=m: kb.search(query, k=5, mode=m) for m in MODES] + [lambda: kb.ask(query), lambda: kb.foi_similar(query)]
    for call in direct:
        try:
            call()
        except KBError as exc:
            _plain(str(exc))
    table, rows = app.rec_table("all", False, "", query)
    assert len(table) == len(rows)
    handlers: list[Callable[[str], Any]] = [lambda q, m=m: app.do_search(q, m, 5, [], [], "", "") for m in MODES] + [app.do_ask, app.do_foi_similar]
    for handler in handlers:
        try:
            out = handler(query)
        except gr.Error as exc:
            _plain(exc.message)
        else:
            inert_html(out[0] if isinstance(out, tuple) else out)


def _integrity(kb: KB) -> tuple[dict[str, int], int, list[str]]:
    db = kb.store.db
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.execute("INSERT INTO chunks_fts(chunks_fts) VALUES('integrity-check')")  # raises if the FTS index is damaged
    tables = sorted(r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
    return kb.store.counts(), len(kb.recommendations()), tables


def test_hostile_queries_give_results_or_a_plain_message(corpus_kb: KB) -> None:
    before = _integrity(corpus_kb)
    vectors = corpus_kb.vectors.count()
    with serving(corpus_kb):
        for query in HOSTILE_QUERIES:
            _all_paths(corpus_kb, query)
    assert _integrity(corpus_kb) == before and corpus_kb.vectors.count() == vectors
    assert corpus_kb.search("MAPPA", mode="lexical")  # and the index still answers


def test_operators_are_searched_as_words(corpus_kb: KB) -> None:
    """FTS5 syntax in a query is taken as plain words, not obeyed (and not an error)."""
    plain = [h.chunk_id for h in corpus_kb.search("MAPPA bail", mode="lexical")]
    assert plain
    assert [h.chunk_id for h in corpus_kb.search('"MAPPA" bail', mode="lexical")] == plain
    assert [h.chunk_id for h in corpus_kb.search("NEAR(MAPPA bail)", mode="lexical")] == [h.chunk_id for h in corpus_kb.search("NEAR MAPPA bail", mode="lexical")]
    assert corpus_kb.search("MAPPA*", mode="lexical")[0].chunk_id == corpus_kb.search("MAPPA", mode="lexical")[0].chunk_id


@pytest.fixture()
def small_store(tmp_path: Path) -> Store:
    """A store with a few FTS rows, for the property test."""
    store = Store(tmp_path / "kb.sqlite")
    with store.transaction() as tx:
        for i, text in enumerate(["MAPPA bail conditions", "stalking protection orders", "Ωmega \u00e9t\u00e9 caf\u00e9 \U0001f600"], start=1):
            tx.execute("INSERT INTO chunks_fts(rowid, text, section, title) VALUES (?, ?, '', '')", (i, text))
    return store


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=st.text(), phrase=st.text(max_size=40))
def test_any_text_makes_a_valid_fts_query(small_store: Store, text: str, phrase: str) -> None:
    """Arbitrary text, through the lexical query builder, never makes SQLite raise."""
    expr = fts_query(text, [phrase])
    if expr:
        small_store.db.execute("SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ?", (expr,)).fetchall()  # no sqlite3.Error
    assert isinstance(small_store.lexical(expr, 5), list)
    small_store.term_count(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from(list('"\'()*^:-+NEAROTDaxy{}[] \x00\U0001f600')), max_size=60))
def test_operator_soup_makes_a_valid_fts_query(small_store: Store, text: str) -> None:
    """Text made of FTS5's own operators and quotes, the likeliest to break a query, is still safe."""
    expr = fts_query(text)
    if expr:
        try:
            small_store.db.execute("SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ?", (expr,)).fetchall()
        except sqlite3.Error as exc:  # pragma: no cover - the failure message names the input
            pytest.fail(f"{text!r} -> {expr!r}: {exc}")


# --- in the browser -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser_kit() -> Any:
    """test_browser's chromium set-up (it skips, with its reason, when chromium or playwright is missing)."""
    import test_browser

    return test_browser


@pytest.fixture(scope="module")
def served_hostile(hostile: KB, browser_kit: Any) -> Iterator[str]:
    """The real app on 127.0.0.1 (single-user mode: no users) over the hostile data home."""
    assert not hostile.users.any()
    app._state["kb"] = hostile
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app.demo.queue().launch(prevent_thread_lock=True, quiet=True, **{**app.launch_options(hostile), "server_port": port})
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.demo.close()


def test_no_script_runs_in_the_browser(served_hostile: str, browser_kit: Any, hostile: KB, tmp_path: Path) -> None:
    from urllib.parse import urlparse

    app._state["kb"] = hostile
    kit = browser_kit
    dialogs: list[str] = []
    foreign: list[str] = []
    with kit.playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=kit.CHROMIUM, args=kit.ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 1000})

        def on_dialog(dialog: Any) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        def on_request(request: Any) -> None:
            url = urlparse(request.url)
            if url.scheme not in ("data", "blob") and url.hostname not in ("127.0.0.1", "localhost"):
                foreign.append(request.url)

        page.on("dialog", on_dialog)
        page.on("request", on_request)
        try:
            page.goto(served_hostile, wait_until="load")
            page.wait_for_selector("#dash-summary", timeout=60000)
            page.wait_for_timeout(1500)
            page.get_by_role("tab", name="Search", exact=True).click()

            def box(elem: str) -> Any:
                return page.locator(f"#{elem} textarea, #{elem} input").first

            box("query").fill("Xylophant record checked")
            page.click("#search-button")
            page.wait_for_selector("#results .hit", timeout=60000)
            assert "<script>window." in page.locator("#results").inner_text()

            page.get_by_role("tab", name="Ask").click()
            box("question").fill("How many Xylophant checks were made in 2025?")
            page.click("#ask-button")
            page.locator("#answer blockquote").first.wait_for(timeout=60000)
            assert "<script>window." in page.locator("#answer").inner_text()
            page.click("#open-button")
            page.wait_for_selector("#document-view mark#cited", timeout=30000)

            page.get_by_role("tab", name="FOI", exact=True).click()
            box("foi-request").fill(f"1. How many Xylophant checks were made? {SCRIPT}")
            page.click("#foi-button")
            page.wait_for_selector("#foi-precedents :text('555/2026')", timeout=60000)
            assert "<script>window." in page.locator("#foi-precedents").inner_text()

            page.get_by_role("tab", name="Recommendations").click()
            page.get_by_label("Report, theme, owner or words").fill("Xylophant")
            page.click("#rec-show")
            page.wait_for_timeout(2000)
            assert "<script>window." in page.locator("#rec-table").inner_text()
            page.locator('#rec-table [data-testid="cell-0-2"]').click()
            page.wait_for_selector("#rec-details h3", timeout=30000)
            details = page.locator("#rec-details").inner_text()
            assert "<script>window." in details and "[x](javascript:alert(1))" in details
            assert page.locator("#rec-details a, #rec-details img").count() == 0

            page.get_by_role("tab", name="Draft s.55").click()
            kit.choose(page, "draft-doc", REPORT)
            page.click("#draft-button")
            page.wait_for_selector("#draft-view :text('Recommendation 1')", timeout=90000)
            assert "<script>window." in page.locator("#draft-view").inner_text()
            assert page.locator("#draft-view a, #draft-view img").count() == 0

            page.get_by_role("tab", name="Documents").click()
            page.wait_for_selector("#doc-list :text('Xylophant notes')", timeout=30000)
            assert "<script>window." in page.locator("#doc-list").inner_text()
            odd = tmp_path / f"{IMG}.txt"
            odd.write_text("The Xylophant odd upload.", encoding="utf-8")
            page.locator("#uploads input[type=file]").set_input_files(str(odd))
            page.wait_for_timeout(1500)
            page.click("#upload-button")
            page.wait_for_selector("#upload-result :text('passages')", timeout=90000)

            page.get_by_role("tab", name="Search").click()  # an error message that echoes what was typed
            page.get_by_text("Filters and options").click()
            page.get_by_label("From date").fill(IMG)
            page.click("#search-button")
            page.wait_for_selector("[data-testid='toast-body']", timeout=30000)
            assert "onerror=" in page.locator("[data-testid='toast-body']").first.inner_text()

            page.wait_for_timeout(1000)
            assert page.evaluate("() => [typeof window.__pwned, typeof window.pwned]") == ["undefined", "undefined"]
            live = page.evaluate("""() => document.querySelectorAll(
                '[onerror], [onload]:not(body), img[src="x"], a[href^="javascript:"], img[src*="example.invalid"], svg[onload]').length""")
            assert live == 0
            assert dialogs == [] and foreign == [], (dialogs, foreign)
            assert "<script>window." in page.locator("body").inner_text()
            kit.shot(page, "hostile")
        finally:
            page.close()
            browser.close()

