"""The FOI tab: earlier disclosures for a pasted request, per question, with differences flagged,
and the 20-working-day clock."""

from __future__ import annotations

import html

import gradio as gr

from kb.service import KB
from ui.common import Loads, kb_for, shows_errors


@shows_errors
def do_foi_similar(text: str, request: gr.Request | None = None) -> str:
    """FOI handler: earlier disclosures for a pasted request, per question, with differences flagged."""
    if not (text or "").strip():
        raise gr.Error("Paste the text of the request.")
    result = kb_for(request).foi_similar(text)
    out = []
    for i, q in enumerate(result.questions, start=1):
        out.append(f"<h4>Question {i}: {html.escape(q.question)}</h4>")
        if not q.precedents:
            out.append("<p>No earlier disclosure is close to this question.</p>")
        for p in q.precedents:
            flag = " <b style='color:#b00'>near-identical</b>" if p.near_identical else ""
            ex = f" · exemptions: {html.escape(', '.join(p.exemptions))}" if p.exemptions else ""
            out.append(f"<div style='border:1px solid #ccc;border-radius:6px;padding:6px 10px;margin:6px 0'>"
                       f"<b>{html.escape(p.reference or p.doc)}</b> Q{p.n} · disclosed {html.escape(p.disclosed or '?')} · "
                       f"similarity {p.similarity:.2f}{flag}{ex}<br><small>{html.escape(p.doc)}{' · page ' + str(p.page) if p.page else ''}</small>"
                       f"<p><i>{html.escape(p.question)}</i></p><p>{html.escape(p.answer)}</p>"
                       + (f"<p><b>{html.escape(p.published)}</b></p>" if p.published else "") + "</div>")
        for d in q.differences:
            out.append(f"<p style='color:#b00'>Inconsistent earlier answers: {html.escape(d)}</p>")
    return "\n".join(out)


@shows_errors
def do_foi_due(received: str, clarified: str, extended: bool) -> str:
    """Clock handler: the due date and what is left, in plain words."""
    if not (received or "").strip():
        raise gr.Error("Enter the date the request was received (YYYY-MM-DD).")
    c = KB.foi_due(received.strip(), (clarified or "").strip() or None, extended=extended)
    restart = f" The clock restarted on **{c.clock_starts}** when the clarification arrived." if c.clock_starts != c.received else ""
    holidays = f" Bank holidays skipped: {', '.join(c.skipped_holidays)}." if c.skipped_holidays else ""
    return (f"**Due {c.due}**: {c.status} (today {c.today}).{restart} With the public-interest extension: {c.public_interest_due}.{holidays}")



def tab(loads: Loads) -> None:
    """Build the tab (it reads nothing when the page loads)."""
    with gr.Tab("FOI"):
        request = gr.Textbox(label="New request (paste it)", lines=6, elem_id="foi-request")
        foi_button = gr.Button("Find earlier disclosures", variant="primary", elem_id="foi-button")
        precedents = gr.HTML(elem_id="foi-precedents")
        foi_button.click(do_foi_similar, request, precedents)
        gr.Markdown("### The clock: 20 working days")
        with gr.Row():
            received = gr.Textbox(label="Received", placeholder="YYYY-MM-DD", elem_id="foi-received")
            clarified = gr.Textbox(label="Clarification received (if asked)", placeholder="YYYY-MM-DD")
            extended = gr.Checkbox(label="Public-interest extension")
        clock_button = gr.Button("Work out the due date", elem_id="foi-clock-button")
        clock = gr.Markdown(elem_id="foi-clock")
        clock_button.click(do_foi_due, [received, clarified, extended], clock)
