"""A viewer never sees a restricted document, through any endpoint the app exposes or any tab.

The app is served for real with logins on, over a knowledge base holding restricted documents
that speak to the same recommendation, report and topics as public ones (tests/restricted.py). A
viewer cleared for OFFICIAL logs in over HTTP and calls every Gradio endpoint the app defines (read
from the app's own config, so a new endpoint is covered without editing this test), with ordinary
inputs, with every choice the app offered them, with forged restricted names, and every row of the
register selected; then does the same through every tab in headless Chromium. No restricted file
name, title, passage text or count may appear anywhere in what comes back.
"""

from __future__ import annotations

import json
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from restricted import PASSWORDS, RESTRICTED_NAMES, RESTRICTED_TITLES, SECRET_WORDS, build_restricted

import app
from kb.search.embed import Embedder
from kb.service import KB

VIEWER = "Olive Hart"
QUERY = "informants authorised by a superintendent; who reviews breaches of stalking protection orders within 24 hours?"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[tuple[str, KB]]:
    knowledge = build_restricted(tmp_path_factory.mktemp("sweep"), embedder)
    previous = app._state.get("kb")
    app._state["kb"] = knowledge
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app.demo.queue().launch(prevent_thread_lock=True, quiet=True, **{**app.launch_options(knowledge), "server_port": port})
    try:
        yield f"http://127.0.0.1:{port}", knowledge
    finally:
        app.demo.close()
        if previous is None:
            app._state.pop("kb", None)
        else:
            app._state["kb"] = previous


def found(text: str, forged: bool = False) -> list[str]:
    """Restricted names, titles and words in a response (a forged name the viewer typed may come back
    in its 'no document called ...' message: that is their own input, not a leak)."""
    low = text.lower()
    names = [n for n in RESTRICTED_NAMES if n.lower() in low]
    if forged:
        for n in RESTRICTED_NAMES:
            low = low.replace(n.lower(), "")
    hits = [w for w in SECRET_WORDS if w in low] + [t for t in RESTRICTED_TITLES if t.lower() in low]
    return hits if forged else hits + names


class Session:
    """One logged-in browser session, spoken to through Gradio's own queue protocol."""

    def __init__(self, url: str, user: str, password: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=120)
        assert self.http.post("/login", data={"username": user, "password": password}).json().get("success")
        self.config = self.http.get("/config").json()
        self.hash = uuid.uuid4().hex[:12]

    def call(self, fn_index: int, data: list[Any], event_data: Any = None) -> dict[str, Any]:
        joined = self.http.post("/gradio_api/queue/join", json={"data": data, "fn_index": fn_index, "session_hash": self.hash, "event_data": event_data})
        assert joined.status_code == 200, joined.text
        with self.http.stream("GET", "/gradio_api/queue/data", params={"session_hash": self.hash}) as stream:
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if message.get("msg") == "process_completed":
                        return message
        raise AssertionError(f"endpoint {fn_index} never completed")


def test_every_endpoint_shows_a_viewer_nothing_restricted(served: tuple[str, KB]) -> None:
    url, knowledge = served
    session = Session(url, VIEWER, PASSWORDS[VIEWER])
    components = {c["id"]: c for c in session.config["components"]}
    dependencies = session.config["dependencies"]
    assert len(dependencies) == len(app.demo.fns) and len(dependencies) >= 30
    offered: dict[int, list[Any]] = {}  # the choices each dropdown was given by an earlier response
    called: set[int] = set()
    rows = 0  # rows of the register table shown to the viewer
    responses: list[tuple[str, str, bool]] = []

    def inputs(dep: dict[str, Any], variant: str) -> Iterator[list[Any]]:
        """Input rows for one endpoint: one per choice offered to its dropdowns (and a forged restricted name)."""
        def value(cid: int, pick: int) -> Any:
            c = components[cid]
            kind, props = c.get("type"), c.get("props", {})
            if kind == "textbox":
                return "" if variant == "empty" else QUERY
            if kind == "dropdown":
                if variant == "forged":
                    return RESTRICTED_NAMES[pick % len(RESTRICTED_NAMES)]
                options = offered.get(cid) or [v for _, v in props.get("choices") or []]
                return options[pick % len(options)] if options and variant != "empty" else (props.get("value") if variant == "empty" else None)
            if kind == "radio":
                choices = [v for _, v in props.get("choices") or []]
                return choices[pick % len(choices)] if choices else None
            if kind == "slider":
                return 10
            if kind in ("checkbox",):
                return variant != "empty"
            return props.get("value") if kind not in ("state", "file") else None
        widest = max([len(offered.get(cid) or []) for cid in dep["inputs"] if components[cid].get("type") == "dropdown"] + [len(RESTRICTED_NAMES), 1])
        for pick in range(min(widest, 12)):
            yield [value(cid, pick) for cid in dep["inputs"]]

    order = [d for d in dependencies if any(t[1] == "load" for t in d["targets"])] + [d for d in dependencies if all(t[1] != "load" for t in d["targets"])]
    for _ in range(2):  # twice: choices an endpoint offers feed endpoints called before it
        for dep in order:
            for variant in ("ordinary", "empty", "forged"):
                for pick, data in enumerate(inputs(dep, variant)):
                    events: list[Any] = [None]
                    if any(t[1] == "select" for t in dep["targets"]):  # every row of the table the viewer was shown
                        if variant != "ordinary" or pick:
                            continue
                        events = [{"index": [i, 0], "value": "", "selected": True} for i in range(max(rows, 1))]
                    for event in events:
                        message = session.call(dep["id"], data, event)
                        called.add(dep["id"])
                        output = message.get("output", {})
                        text = json.dumps(output, ensure_ascii=False)
                        responses.append((dep["api_name"] or str(dep["id"]), text, variant == "forged"))
                        for cid, item in zip(dep["outputs"], output.get("data") or []):
                            if isinstance(item, dict) and isinstance(item.get("choices"), list):
                                offered[cid] = [c[1] if isinstance(c, list) else c for c in item["choices"]]
                            if isinstance(item, dict) and "Ref" in (item.get("headers") or []):
                                rows = max(rows, len(item.get("data") or []))
    assert called == {d["id"] for d in dependencies}
    leaked = [(name, found(text, forged)) for name, text, forged in responses if found(text, forged)]
    assert not leaked, leaked[:5]
    # the register's details were really shown (so the sweep reached the recommendation both speak to)
    assert any("hmicfrs-test-report-2026.md" in text and "What each document said" in text for _, text, _ in responses)
    # counts are the viewer's, never the whole store's
    mine, everything = knowledge.as_user(VIEWER).counts(), knowledge.counts()
    status = next(text for name, text, _ in responses if name == "status")
    assert f"**{mine['documents']}** documents" in status and mine["documents"] < everything["documents"]
    assert f"**{everything['documents']}** documents" not in status and f"**{everything['chunks']}** passages" not in status


def test_a_request_without_a_login_gets_nothing(served: tuple[str, KB]) -> None:
    """The facade never hands the console's view to the app: a handler called with no logged-in user
    (as a select event once was) is refused when users exist."""
    import gradio as gr

    with pytest.raises(gr.Error, match="log in first"):
        app.status(None)
    rows = app.rec_table("all", False, "", "", type("R", (), {"username": VIEWER})())[1]
    with pytest.raises(gr.Error, match="log in first"):
        app.rec_details_at(rows, 0, None)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def test_every_tab_in_the_browser_shows_a_viewer_nothing_restricted(served: tuple[str, KB], tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("browser tests skipped: chromium is not installed (apt-get install chromium; .ci/run does this)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    from test_browser import ARGS, login, shot

    url, _ = served
    seen: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = login(browser, url + "/", VIEWER, PASSWORDS[VIEWER])
        seen.append(page.inner_text("body"))
        tabs = [t.strip() for t in page.get_by_role("tab").all_inner_texts()]
        assert {"Search", "Ask", "Recommendations", "Documents"} <= set(tabs), tabs
        for tab in tabs:
            page.get_by_role("tab", name=tab, exact=True).click()
            page.wait_for_timeout(800)
            if tab == "Search":
                page.fill("#query textarea, #query input", QUERY)
                page.click("#search-button")
                page.wait_for_selector("#results .hit", timeout=60000)
            elif tab == "Ask":
                page.fill("#question textarea, #question input", QUERY)
                page.click("#ask-button")
                page.wait_for_selector("#answer .answer, #answer b", timeout=60000)
            elif tab == "Recommendations":  # the recommendation a public report and a restricted response both speak to
                page.get_by_label("Report, theme, owner or words").fill("dedicated officer monitors offenders")
                page.get_by_role("button", name="Show").click()
                page.wait_for_timeout(2000)
                rows = page.locator("#rec-table [role=row][data-index]").count()
                assert rows > 0
                for i in range(min(rows, 10)):
                    page.locator(f'#rec-table [data-testid="cell-{i}-2"]').click()
                    page.wait_for_selector("#rec-details h3", timeout=30000)
                    page.wait_for_timeout(500)
                    seen.append(page.inner_text("#rec-details"))
                assert any("What each document said" in s for s in seen)
            seen.append(page.inner_text("body"))
            shot(page, f"viewer-sweep-{tab.lower().replace(' ', '-').replace('.', '')}")
        browser.close()
    leaked = [found(text) for text in seen if found(text)]
    assert not leaked, leaked[:5]
