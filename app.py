"""The Gradio app: a thin layer over the facade (kb.service.KB). Importing it starts nothing.

Run it with ``python app.py`` or ``kb serve``; ``make run`` does both set-up and this.
"""

from __future__ import annotations

import html
import logging
import re

import kb  # noqa: F401  (offline switches before gradio imports)
import gradio as gr

from kb.errors import KBError
from kb.search import MODES, Hit, terms
from kb.service import KB

log = logging.getLogger("app")

KIND_LABELS = {
    "inspection_report": "Inspection report", "pcc_response": "PCC response", "force_response": "Force response",
    "foi_disclosure": "FOI disclosure", "guidance": "Guidance", "other": "Other",
}

_state: dict[str, KB] = {}


def get_kb() -> KB:
    """The app's knowledge base (opened on first use, so importing this module touches no disk)."""
    if "kb" not in _state:
        _state["kb"] = KB()
    return _state["kb"]


def highlight(text: str, query: str) -> str:
    """HTML-escaped text with the query's terms marked."""
    escaped = html.escape(text)
    words = sorted({t for t in terms(query) if len(t) > 2}, key=len, reverse=True)
    if not words:
        return escaped
    pattern = re.compile(r"\b(" + "|".join(re.escape(html.escape(w)) for w in words) + r")\w*", re.I)
    return pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped)


def render_hits(hits: list[Hit], query: str) -> str:
    """Search results as HTML cards (all document text escaped)."""
    if not hits:
        return "<p>No passages match. Try other words, or remove a filter.</p>"
    cards = [f"<p><b>{len(hits)}</b> result{'s' if len(hits) != 1 else ''} for <i>{html.escape(query)}</i></p>"]
    for h in hits:
        where = f"page {h.page}" if h.page else "no page numbers"
        ref = f"Recommendation {html.escape(h.ref)}" if h.ref else html.escape(h.section or "")
        cards.append(
            "<div class='hit' style='border:1px solid #ccc;border-radius:6px;padding:8px 12px;margin:8px 0'>"
            f"<div><b>{h.rank}. {html.escape(h.title or h.doc)}</b></div>"
            f"<div style='font-size:0.85em;color:#555'>{html.escape(h.doc)} · {KIND_LABELS.get(h.kind, h.kind)} · "
            f"{html.escape(h.date or 'undated')} · {where}{' · ' + ref if ref else ''} · score {h.score:.3f}</div>"
            f"<div style='white-space:pre-wrap;margin-top:6px'>{highlight(h.text, query)}</div></div>"
        )
    return "\n".join(cards)


def do_search(query: str, mode: str, k: float, kinds: list[str], docs: list[str], date_from: str, date_to: str) -> str:
    """Search handler: returns the results as HTML, or raises a message the user sees."""
    if not (query or "").strip():
        raise gr.Error("Type something to search for.")
    try:
        hits = get_kb().search(query, k=int(k), mode=mode, kinds=kinds or (), docs=docs or (), date_from=date_from or None, date_to=date_to or None)
    except KBError as exc:
        raise gr.Error(str(exc)) from exc
    return render_hits(hits, query)


def status() -> str:
    """One line on what is indexed, and the mode the app runs in."""
    knowledge = get_kb()
    s = knowledge.store.counts()
    host = knowledge.config.host
    where = ("Single-user mode: this app is served on this computer only (127.0.0.1)." if host in ("127.0.0.1", "localhost", "::1")
             else f"Served on {host}:{knowledge.config.port}.")
    return f"**{s['documents']}** documents, **{s['chunks']}** passages indexed. {where}"


def doc_choices() -> gr.Dropdown:
    """The document filter's choices, read when the page loads."""
    return gr.Dropdown(choices=[d["name"] for d in get_kb().documents()])


def build() -> gr.Blocks:
    """The app's layout and wiring."""
    with gr.Blocks(title="OPCC knowledge base") as demo:
        gr.Markdown("# OPCC knowledge base\nSearch inspection reports, force and PCC responses, and FOI disclosures. Nothing leaves this computer.")
        info = gr.Markdown()
        with gr.Tab("Search"):
            with gr.Row():
                query = gr.Textbox(label="Search", placeholder="e.g. which tool is used to prioritise online child abuse referrals", scale=4, elem_id="query")
                button = gr.Button("Search", variant="primary", scale=1, elem_id="search-button")
            with gr.Accordion("Filters and options", open=False):
                with gr.Row():
                    mode = gr.Radio(list(MODES), value="hybrid", label="Method", info="hybrid = words and meaning together")
                    k = gr.Slider(1, 50, value=10, step=1, label="Number of results")
                with gr.Row():
                    kinds = gr.CheckboxGroup(choices=[(v, key) for key, v in KIND_LABELS.items()], label="Document kind")
                    docs = gr.Dropdown(choices=[], multiselect=True, label="Documents")
                with gr.Row():
                    date_from = gr.Textbox(label="From date", placeholder="YYYY-MM-DD")
                    date_to = gr.Textbox(label="To date", placeholder="YYYY-MM-DD")
            results = gr.HTML(elem_id="results")
        inputs = [query, mode, k, kinds, docs, date_from, date_to]
        button.click(do_search, inputs, results)
        query.submit(do_search, inputs, results)
        demo.load(status, None, info)
        demo.load(doc_choices, None, docs)
    return demo


demo = build()


def serve(kb_: KB | None = None) -> None:
    """Ingest corpus/ if the data home is empty, then serve the app (blocks until stopped)."""
    knowledge = kb_ or get_kb()
    _state["kb"] = knowledge
    reports = knowledge.ensure_corpus(progress=lambda i, n, name: log.info("ingesting %d/%d %s", i + 1, n, name) if name else None)
    for r in reports:
        log.info("%s %s (%d chunks)%s", r.status, r.name, r.chunks, f": {r.error}" if r.error else "")
    demo.queue().launch(server_name=knowledge.config.host, server_port=knowledge.config.port)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    log.setLevel(logging.INFO)  # the app's own progress lines, without the libraries' chatter
    log.info("starting: the first start indexes corpus/ (about 20 seconds), then serves http://%s:%s", get_kb().config.host, get_kb().config.port)
    serve()
