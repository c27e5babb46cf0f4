"""The Ask tab: a cited answer (quoted sentences, each source with its quote marked inside its
passage) and the whole document or PDF page with the cited passage highlighted."""

from __future__ import annotations

import html
from typing import Any

import gradio as gr

from kb.answers.answer import Answer
from kb.labels import KIND_LABELS
from ui.common import Loads, kb_for, shows_errors


def render_answer(a: Answer) -> str:
    """A cited answer as HTML: the quoted sentences with [n], then each source (all text escaped)."""
    if a.abstained:
        closest = "".join(f"<li>{html.escape(d['title'] or d['doc'])} <small>({html.escape(d['doc'])})</small></li>" for d in a.closest)
        return (f"<p><b>{html.escape(a.answer)}</b></p>" + (f"<p>Closest documents:</p><ul>{closest}</ul>" if closest else ""))
    parts = [f"<div class='answer' style='font-size:1.05em;line-height:1.5'>{html.escape(a.answer)}</div>"]
    if a.warning:
        parts.append(f"<p><i>{html.escape(a.warning)}</i></p>")
    parts.append("<ol class='sources'>")
    for c in a.citations:
        where = f"page {c.page}" if c.page else "no page numbers"
        ref = f" · Recommendation {html.escape(c.ref)}" if c.ref else (f" · {html.escape(c.section)}" if c.section else "")
        parts.append(f"<li value='{c.n}'><b>{html.escape(c.title or c.doc)}</b><br><small>{html.escape(c.doc)} · "
                     f"{KIND_LABELS.get(c.kind, c.kind)} · {html.escape(c.date or 'undated')} · {where}{ref}</small>"
                     f"<blockquote style='margin:4px 0 8px 0;border-left:3px solid #999;padding-left:8px;white-space:pre-wrap'>"
                     f"{in_context(c.passage, c.quote)}</blockquote></li>")
    parts.append("</ol>")
    for d in a.dropped:
        parts.append(f"<p><small>Removed ({html.escape(d['why'])}): <s>{html.escape(d['sentence'])}</s></small></p>")
    return "\n".join(parts)


def in_context(passage: str, quote: str) -> str:
    """The passage, escaped, with the quote marked where it stands."""
    i = passage.find(quote) if quote else -1
    if i < 0:
        return f"<mark>{html.escape(quote)}</mark>"
    return html.escape(passage[:i]) + f"<mark>{html.escape(quote)}</mark>" + html.escape(passage[i + len(quote):])


@shows_errors
def do_ask(question: str, request: gr.Request | None = None) -> tuple[str, Any, list[dict[str, Any]]]:
    """Ask handler: a cited answer (and the sources it cites, for the document viewer), or a message the user sees."""
    if not (question or "").strip():
        raise gr.Error("Type a question.")
    a = kb_for(request).ask(question)
    sources = [{"n": c.n, "doc": c.doc, "page": c.page, "start": c.start, "end": c.end, "label": f"[{c.n}] {c.doc}" + (f", page {c.page}" if c.page else "")}
               for c in a.citations]
    choices: list[str] = [str(s["label"]) for s in sources]
    return render_answer(a), gr.Dropdown(choices=choices, value=choices[0] if choices else None), sources


@shows_errors
def do_open(label: str, sources: list[dict[str, Any]], request: gr.Request | None = None) -> str:
    """The whole document (or the cited page of a PDF) with the cited passage highlighted."""
    source = next((s for s in sources or [] if s["label"] == label), None)
    if source is None:
        raise gr.Error("Ask a question first, then choose one of its sources.")
    text, offset = kb_for(request).page_text(source["doc"], source["page"])
    s, e = max(0, source["start"] - offset), max(0, source["end"] - offset)
    where = f"page {source['page']}" if source["page"] else "the whole document"
    return (f"<p><b>{html.escape(source['doc'])}</b>, {where}</p><div style='white-space:pre-wrap;max-height:600px;overflow:auto;"
            f"border:1px solid #ccc;padding:8px'>{html.escape(text[:s])}<mark id='cited'>{html.escape(text[s:e])}</mark>{html.escape(text[e:])}</div>")



def tab(loads: Loads) -> None:
    """Build the tab (it reads nothing when the page loads)."""
    with gr.Tab("Ask"):
        with gr.Row():
            question = gr.Textbox(label="Question", placeholder="e.g. Which teams manage high-harm offenders if there is no specialist unit?",
                                  scale=4, elem_id="question")
            ask_button = gr.Button("Ask", variant="primary", scale=1, elem_id="ask-button")
        answer = gr.HTML(elem_id="answer")
        cited = gr.State([])
        with gr.Row():
            source_pick = gr.Dropdown(choices=[], label="Open a source in its document", elem_id="source-pick")
            open_button = gr.Button("Open document", elem_id="open-button")
        document_view = gr.HTML(elem_id="document-view")
        ask_button.click(do_ask, question, [answer, source_pick, cited])
        question.submit(do_ask, question, [answer, source_pick, cited])
        open_button.click(do_open, [source_pick, cited], document_view)
