"""End to end in headless Chromium (Debian's chromium, driven by Playwright with executable_path; no
browser download): log in, ask, edit the register, upload, and check a viewer cannot edit.
Screenshots of each tab go to tests/output/. Skipped, with the reason, when chromium is not installed."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, CSA, FOI
from pdfmake import make_pdf

import app
from kb.search.embed import Embedder
from kb.register.records import RegisterRow
from kb.service import KB

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OUT = Path(__file__).resolve().parent / "output"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]

if not Path(CHROMIUM).exists():
    pytest.skip("browser tests skipped: chromium is not installed (apt-get install chromium; .ci/run does this)", allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api", reason="browser tests skipped: the playwright package is not installed (pip install -e '.[dev]')")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[tuple[str, KB]]:
    home = tmp_path_factory.mktemp("browser_home")
    kb = KB(home=str(home), embedder=embedder)
    kb.ingest([CORPUS / CSA, CORPUS / FOI])
    kb.users.add("editor1", "editor", "editor-pass-1")
    kb.users.add("viewer1", "viewer", "viewer-pass-1")
    kb.users.add("verifier1", "verifier", "verifier-pass-1")
    kb.users.add("admin1", "admin", "admin-pass-12")
    previous = app._state.get("kb")
    app._state["kb"] = kb
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    options = {**app.launch_options(kb), "server_port": port}
    app.demo.queue().launch(prevent_thread_lock=True, quiet=True, **options)
    try:
        yield f"http://127.0.0.1:{port}/", kb
    finally:
        app.demo.close()
        if previous is None:
            app._state.pop("kb", None)
        else:
            app._state["kb"] = previous


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def login(browser: Any, url: str, user: str, password: str) -> Any:
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    page.goto(url, wait_until="load")
    page.get_by_label("username", exact=False).first.fill(user)
    page.get_by_label("password", exact=False).first.fill(password)
    page.get_by_role("button", name="Login").click()
    page.wait_for_selector("#dash-summary", timeout=60000)  # the dashboard is the first tab
    page.wait_for_timeout(1500)
    return page


def choose(page: Any, elem_id: str, value: str) -> None:
    """Pick a dropdown option by clicking it (typing then Enter raced the list's filtering on a loaded
    CI machine and picked the highlighted option instead), then check the box shows it."""
    box = page.locator(f"#{elem_id} input")
    box.click()
    box.fill(value)
    page.locator(f'#{elem_id} [data-testid="dropdown-option"]', has_text=value).first.click()
    page.wait_for_function(
        "([id, v]) => document.querySelector('#' + id + ' input').value === v", arg=[elem_id, value], timeout=10000)


def shot(page: Any, name: str) -> None:
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=False)


def test_login_is_required_and_a_wrong_password_is_refused(served: tuple[str, KB], browser: Any) -> None:
    url, _ = served
    page = browser.new_page()
    page.goto(url, wait_until="load")
    page.get_by_label("username", exact=False).first.fill("editor1")
    page.get_by_label("password", exact=False).first.fill("wrong-password")
    page.get_by_role("button", name="Login").click()
    page.wait_for_timeout(2000)
    assert page.locator("#query").count() == 0 and page.locator("#dash-summary").count() == 0
    page.close()


def test_ask_shows_a_citation_with_its_highlighted_quote(served: tuple[str, KB], browser: Any) -> None:
    url, _ = served
    page = login(browser, url, "editor1", "editor-pass-1")
    assert "Logged in as" in page.content()
    page.get_by_role("tab", name="Search").click()
    shot(page, "search")
    page.get_by_role("tab", name="Ask").click()
    page.locator("#question textarea, #question input").first.fill("Which teams manage high-harm offenders if there is no specialist unit?")
    page.click("#ask-button")
    quote = page.locator("#answer blockquote mark").first
    quote.wait_for(timeout=60000)
    assert "MOSOVO" in quote.inner_text()
    assert FOI in page.locator("#answer").inner_text()
    page.click("#open-button")  # the whole document, the cited passage highlighted
    page.wait_for_selector("#document-view mark#cited", timeout=30000)
    assert "MOSOVO" in page.locator("#document-view mark#cited").inner_text()
    shot(page, "ask")
    page.get_by_role("tab", name="FOI", exact=True).click()
    shot(page, "foi")
    page.close()


def test_editor_filters_overdue_and_changes_a_status(served: tuple[str, KB], browser: Any) -> None:
    url, kb = served
    page = login(browser, url, "editor1", "editor-pass-1")
    page.get_by_role("tab", name="Recommendations").click()
    page.locator("#rec-overdue input").check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_timeout(2000)
    assert page.locator("#rec-table [role=row][data-index]").count() > 0
    page.locator('#rec-table [data-testid="cell-0-2"]').click()
    page.wait_for_selector("#rec-details h3", timeout=30000)
    choose(page, "rec-new-status", "Complete")
    page.locator("#rec-note textarea, #rec-note input").first.fill("Audit of referrals seen on 20 November")  # a complete needs its evidence
    page.locator("#rec-by textarea, #rec-by input").first.fill("ignored when logged in")
    page.click("#rec-save")
    page.wait_for_selector("#rec-saved :text('Saved')", timeout=30000)
    assert "editor1" in page.locator("#rec-saved").inner_text()
    page.wait_for_selector("#rec-details :text('editor1: status')", timeout=30000)  # the history shows the change
    shot(page, "recommendations")
    changed = [r for r in kb.recommendations() if r.status_source == "confirmed"]
    assert len(changed) == 1 and changed[0].status == "complete" and changed[0].status_by == "editor1"
    history = kb.recommendation_history(changed[0].ref, changed[0].doc, changed[0].ordinal, changed[0].parent).to_json()["history"]
    assert history[-1]["by"] == "editor1" and history[-1]["new"] == "complete"
    page.close()


def test_upload_a_pdf_then_find_it_in_search(served: tuple[str, KB], browser: Any, tmp_path: Path) -> None:
    url, _ = served
    pdf = make_pdf(tmp_path / "board-minutes.pdf", [["Board minutes", "The Quorvane review of custody checks was agreed."], ["Page two text."]])
    page = login(browser, url, "editor1", "editor-pass-1")
    page.get_by_role("tab", name="Documents").click()
    page.locator("#uploads input[type=file]").set_input_files(str(pdf))
    page.wait_for_timeout(1500)
    page.click("#upload-button")
    page.wait_for_selector("#upload-result :text('passages')", timeout=90000)
    assert "added" in page.locator("#upload-result").inner_text()
    shot(page, "documents")
    page.get_by_role("tab", name="Search").click()
    page.locator("#query textarea, #query input").first.fill("Quorvane custody checks")
    page.click("#search-button")
    page.wait_for_selector("#results .hit", timeout=60000)
    assert "board-minutes.pdf" in page.locator("#results .hit").first.inner_text()
    page.close()


def test_a_viewer_cannot_edit(served: tuple[str, KB], browser: Any) -> None:
    url, kb = served
    page = login(browser, url, "viewer1", "viewer-pass-1")
    page.get_by_role("tab", name="Recommendations").click()
    page.get_by_role("button", name="Show").click()
    page.wait_for_timeout(2000)
    page.locator('#rec-table [data-testid="cell-3-2"]').click()
    page.wait_for_selector("#rec-details h3", timeout=30000)
    before = [(r.key, r.version) for r in kb.recommendations()]
    page.click("#rec-save")
    page.wait_for_selector("text=may not change recommendations", timeout=30000)
    assert [(r.key, r.version) for r in kb.recommendations()] == before
    page.close()


# --- the teams' processes (issue: dashboard, verified closure, FOI log, board report) ------------------

def fill(page: Any, elem_id: str, value: str) -> None:
    page.locator(f"#{elem_id} textarea, #{elem_id} input").first.fill(value)


def select_rec(page: Any, row: RegisterRow) -> None:
    """Show the register filtered by words of one recommendation, and select that recommendation's row."""
    page.get_by_role("tab", name="Recommendations").click()
    page.locator("#rec-overdue input").uncheck()
    fill(page, "rec-words", " ".join(row.text.split()[-4:]))
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector("#rec-table [role=row][data-index]", timeout=30000)
    page.wait_for_timeout(1000)
    shown = f"{row.parent}.{row.ref}" if row.parent else row.ref
    for i in range(page.locator("#rec-table [role=row][data-index]").count()):
        cell = page.locator(f'#rec-table [data-testid="cell-{i}-2"]')
        if cell.inner_text().strip() == shown:
            cell.click()
            page.wait_for_selector("#rec-details h3", timeout=30000)
            return
    raise AssertionError(f"{shown} is not in the filtered register")


def test_the_dashboard_is_the_first_tab(served: tuple[str, KB], browser: Any) -> None:
    url, kb = served
    page = login(browser, url, "viewer1", "viewer-pass-1")
    page.wait_for_selector("#dash-summary :text('recommendations tracked')", timeout=30000)
    d = kb.workflow.dashboard()
    assert f"{d.total} recommendations tracked" in page.locator("#dash-summary").inner_text()
    page.wait_for_selector("#dash-chart canvas, #dash-chart svg", timeout=30000)
    if d.overdue:
        page.wait_for_selector("#dash-overdue [role=row][data-index]", timeout=30000)
        assert d.overdue[0].label in page.locator("#dash-overdue").inner_text()
    shot(page, "dashboard")
    page.close()


def test_propose_complete_then_verify_as_a_second_user_refused_for_the_same_user(served: tuple[str, KB], browser: Any) -> None:
    url, kb = served
    target = next(r for r in kb.recommendations() if r.ref == "C" and r.status == "in_progress")
    admin = login(browser, url, "admin1", "admin-pass-12")
    select_rec(admin, target)
    choose(admin, "rec-new-status", "Complete")
    fill(admin, "rec-note", "Referral audit report of 20 November 2026 seen")
    admin.click("#rec-save")
    admin.wait_for_selector("#rec-saved :text('awaiting verification')", timeout=30000)
    admin.get_by_text("Verify a complete (verifier or admin; not the proposer)").click()
    admin.click("#rec-verify")
    admin.wait_for_selector("text=nobody verifies their own proposal", timeout=30000)
    admin.locator("text=nobody verifies their own proposal").first.scroll_into_view_if_needed()
    shot(admin, "closure-refused-for-the-proposer")
    assert kb.recommendation(target.ref, target.doc, target.ordinal, target.parent)["verification"] == "awaiting"
    admin.close()
    verifier = login(browser, url, "verifier1", "verifier-pass-1")
    select_rec(verifier, target)
    verifier.get_by_text("Verify a complete (verifier or admin; not the proposer)").click()
    verifier.click("#rec-verify")
    verifier.wait_for_selector("#rec-saved :text('Verified by verifier1')", timeout=30000)
    verifier.wait_for_selector("#rec-details :text('Complete, verified')", timeout=30000)
    shot(verifier, "closure-verified")
    row = kb.recommendation(target.ref, target.doc, target.ordinal, target.parent)
    assert (row["verification"], row["verified_by"], row["proposed_by"]) == ("verified", "verifier1", "admin1")
    verifier.close()


def test_a_revised_deadline_needs_its_reason(served: tuple[str, KB], browser: Any) -> None:
    url, kb = served
    target = next(r for r in kb.recommendations() if not r.parent and r.deadline and r.ref == "8")
    page = login(browser, url, "editor1", "editor-pass-1")
    select_rec(page, target)
    fill(page, "rec-due", "2027-06-30")
    page.click("#rec-save")
    page.wait_for_selector("text=a revised date needs the reason", timeout=30000)
    page.get_by_text("A revised due date").click()
    fill(page, "rec-why", "The demand review moved to the new financial year")
    fill(page, "rec-agreed-by", "ACC Morgan")
    page.click("#rec-save")
    page.wait_for_selector(f"#rec-details :text('revised from {target.deadline}')", timeout=30000)
    assert "ACC Morgan" in page.locator("#rec-details").inner_text()
    shot(page, "revised-deadline")
    row = kb.recommendation(target.ref, target.doc, target.ordinal, target.parent)
    assert (row["due"], row["original_due"], row["due_agreed_by"]) == ("2027-06-30", target.deadline, "ACC Morgan")
    page.close()


def test_log_an_foi_request_stop_and_restart_its_clock_respond_and_see_the_statistics(served: tuple[str, KB], browser: Any) -> None:
    from datetime import date, timedelta

    url, kb = served
    today = date.today()
    page = login(browser, url, "editor1", "editor-pass-1")
    page.get_by_role("tab", name="FOI log").click()
    fill(page, "log-ref", "FOI-2026-9001")
    fill(page, "log-received", (today - timedelta(days=14)).isoformat())
    fill(page, "log-officer", "Sam Hughes")
    fill(page, "log-text", "1. How many custody detainees were strip searched in 2025?\nKind regards\nJo Public, jo@example.org")
    page.click("#log-button")
    page.wait_for_selector("#log-details :text('Logged')", timeout=90000)
    assert "jo@example.org" not in page.locator("#log-details").inner_text()
    stats_before = kb.workflow.stats(today.replace(month=1, day=1).isoformat(), today.isoformat())

    def event(kind: str, on: date, wait: str, **extra: str) -> None:
        choose(page, "log-kind", kind)
        fill(page, "log-date", on.isoformat())
        for elem, value in extra.items():
            if elem == "log-outcome":
                choose(page, elem, value)
            else:
                fill(page, elem, value)
        page.click("#log-event")
        page.wait_for_selector(f"#log-details :text('{wait}')", timeout=90000)

    event("Clarification asked (the clock stops)", today - timedelta(days=12), "clock stopped since")
    shot(page, "foi-log-clock-stopped")
    event("Clarification received (the clock restarts)", today - timedelta(days=10), "working day")
    r = kb.workflow.request("FOI-2026-9001")
    assert r.clock_starts == (today - timedelta(days=10)).isoformat() and r.status == "open"
    event("Responded", today, "Responded", **{"log-outcome": "Disclosed in part", "log-exemptions": "s40(2)",
                                              "log-response": "1. 412 detainees were strip searched in 2025."})
    fill(page, "stats-from", today.replace(month=1, day=1).isoformat())
    page.click("#stats-button")
    page.wait_for_selector("#stats-table :text('Requests received')", timeout=30000)
    page.wait_for_selector("#stats-file a", timeout=30000)
    shot(page, "foi-log-statistics")
    after = kb.workflow.stats(today.replace(month=1, day=1).isoformat(), today.isoformat())
    assert (after.received, after.answered) == (stats_before.received, stats_before.answered + 1)
    assert f"Answered\n{after.answered}" in page.locator("#stats-table").inner_text().replace("\t", "\n") or \
        str(after.answered) in page.locator("#stats-table").inner_text()
    assert any(d.reference == "FOI-2026-9001" for d in kb.foi_records())  # the response is now a disclosure
    page.close()


def test_download_the_board_report(served: tuple[str, KB], browser: Any, tmp_path: Path) -> None:
    from docx import Document

    url, _ = served
    page = login(browser, url, "viewer1", "viewer-pass-1")
    page.click("#board-button")
    link = page.locator("#board-file a").first
    link.wait_for(timeout=60000)
    shot(page, "board-report")
    with page.expect_download() as got:
        link.click()
    target = tmp_path / "board.docx"
    got.value.save_as(str(target))
    doc = Document(str(target))
    assert doc.paragraphs[0].text == "Recommendations and FOI performance: report to the board"
    assert len(doc.inline_shapes) == 1 and any("FOI performance" in p.text for p in doc.paragraphs)
    page.close()
