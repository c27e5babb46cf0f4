"""The Gradio app: a thin layer over the facade (kb.service.KB). Importing it starts nothing.

Each tab is built, and its handlers live, in a module of ``ui/``; this file puts the tabs
together, serves them, and keeps the handlers' old names (``app.do_search`` ...) for callers.
Run it with ``python app.py`` or ``kb serve``; ``make run`` does both set-up and this.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import kb  # noqa: F401  (offline switches before gradio imports)
import gradio as gr

from kb.service import KB
from ui import ask, audit, dashboard, documents, draft, exports, foi, foi_log, register, search
from ui.ask import do_ask, do_open, in_context, render_answer  # noqa: F401  (the handlers' old names)
from ui.audit import audit_table  # noqa: F401
from ui.common import Loads, _state, get_kb, kb_for, md_text, user_error, user_of  # noqa: F401
from ui.documents import do_correct, do_delete, do_reingest, do_upload, doc_choices, docs_table  # noqa: F401
from ui.draft import do_draft, markdown_draft  # noqa: F401
from ui.foi import do_foi_due, do_foi_similar  # noqa: F401
from ui.register import (REC_COLUMNS, STATUS_CHOICES, rec_chart, rec_details, rec_details_at, rec_export, rec_reselect,  # noqa: F401
                         rec_save, rec_table)
from ui.search import do_search, highlight, render_hits  # noqa: F401

log = logging.getLogger("app")

TABS = (dashboard, search, ask, foi, register, foi_log, draft, documents, audit)  # in the order they show


def status(request: gr.Request | None = None) -> str:
    """One line on what this user can read, and who they are."""
    view = kb_for(request)
    s = view.counts()
    if view.user:
        who = f"Logged in as **{md_text(view.user)}** ({md_text(view.users.role(view.user))}, cleared for {md_text(view.users.clearance(view.user))})."
    else:
        who = "Single-user mode: this app is served on this computer only (127.0.0.1)."
    return f"**{s['documents']}** documents, **{s['chunks']}** passages you can read. {who}"


def check_login(username: str, password: str) -> bool:
    """Gradio's login check against the users table (scrypt)."""
    return get_kb().users.check(username, password)


def launch_options(knowledge: KB) -> dict[str, Any]:
    """How to serve: with logins when users exist; otherwise on this computer only."""
    if knowledge.users.any():
        return {"server_name": knowledge.config.host, "server_port": knowledge.config.port, "auth": check_login,
                "auth_message": "OPCC knowledge base: log in with the name and password your administrator gave you."}
    if knowledge.config.host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("no users are defined (kb users add NAME --role R): serving on 127.0.0.1 only, not %s", knowledge.config.host)
    return {"server_name": "127.0.0.1", "server_port": knowledge.config.port}


def build() -> gr.Blocks:
    """The app's layout and wiring: the tabs in order, and what each reads when the page loads."""
    loads: Loads = []
    with gr.Blocks(title="OPCC knowledge base", delete_cache=(600, exports.KEEP_SECONDS)) as demo:
        gr.Markdown("# OPCC knowledge base\nSearch inspection reports, force and PCC responses, and FOI disclosures. Nothing leaves this computer.")
        info = gr.Markdown()
        loads.append((status, None, info))
        for module in TABS:
            module.tab(loads)
        for handler, inputs, outputs in loads:
            demo.load(handler, inputs, outputs)
    return demo


demo = build()

def serve(kb_: KB | None = None) -> None:
    """Ingest corpus/ if the data home is empty, then serve the app (blocks until stopped)."""
    knowledge = kb_ or get_kb()
    _state["kb"] = knowledge
    reports = knowledge.ensure_corpus(progress=lambda i, n, name: log.info("ingesting %d/%d %s", i + 1, n, name) if name else None)
    for r in reports:
        log.info("%s %s (%d chunks)%s", r.status, r.name, r.chunks, f": {r.error}" if r.error else "")
    threading.Thread(target=knowledge.warm, name="warm-up", daemon=True).start()
    demo.queue().launch(**launch_options(knowledge))


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    log.setLevel(logging.INFO)  # the app's own progress lines, without the libraries' chatter
    log.info("starting: the first start indexes corpus/ (about 20 seconds), then serves http://%s:%s", get_kb().config.host, get_kb().config.port)
    serve()
