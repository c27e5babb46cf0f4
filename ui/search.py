"""The Search tab: every passage by words and meaning together, with filters; results as HTML
cards in which every document text is escaped and the query's words are marked."""

from __future__ import annotations

import html
import re

import gradio as gr

from kb.labels import KIND_LABELS
from kb.search.hybrid import MODES, Hit, terms
from ui.common import Loads, kb_for, shows_errors
from ui.documents import doc_choices


def highlight(text: str, query: str) -> str:
    """HTML-escaped text with the query's terms marked."""
    escaped = html.escape(text, quote=False)
    words = sorted({t for t in terms(query) if len(t) > 2}, key=len, reverse=True)
    if not words:
        return escaped
    pattern = re.compile(r"(?<!&)\b(" + "|".join(re.escape(w) for w in words) + r")\w*", re.I)  # never inside &amp; &lt; &gt;
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


@shows_errors
def do_search(query: str, mode: str, k: float, kinds: list[str], docs: list[str], date_from: str, date_to: str, request: gr.Request | None = None) -> str:
    """Search handler: returns the results as HTML, or raises a message the user sees."""
    if not (query or "").strip():
        raise gr.Error("Type something to search for.")
    hits = kb_for(request).search(query, k=int(k), mode=mode, kinds=kinds or (), docs=docs or (), date_from=date_from or None, date_to=date_to or None)
    return render_hits(hits, query)



def tab(loads: Loads) -> None:
    """Build the tab; what it reads when the page loads joins ``loads``."""
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
    loads.append((doc_choices, None, docs))
