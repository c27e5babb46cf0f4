"""The Draft s.55 tab: a cited draft of the PCC's response to a published report, as Markdown to
read and a Word file to edit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from ui.common import Loads, kb_for, md_text, shows_errors
from ui.exports import export_path
from ui.documents import doc_choices


@shows_errors
def do_draft(doc: str, published: str, request: gr.Request | None = None) -> tuple[str, str]:
    """Draft handler: the s.55 draft as Markdown, and a Word file to download."""
    if not doc:
        raise gr.Error("Choose the report to respond to.")
    d = kb_for(request).draft(doc, (published or "").strip() or None)
    path = d.to_docx(export_path(f"draft-response-{Path(doc).stem}.docx", "draft"))
    return markdown_draft(d), str(path)


def markdown_draft(d: Any) -> str:
    """A draft as Markdown, every text in it from a document shown as written (see md_text)."""
    from dataclasses import replace

    items = [replace(i, ref=md_text(i.ref), text=md_text(i.text), draft=md_text(i.draft)) for i in d.recommendations]
    sources = [replace(s, title=md_text(s.title), doc=md_text(s.doc), quote=md_text(s.quote), date=s.date and md_text(s.date)) for s in d.sources]
    return str(replace(d, report=md_text(d.report), recommendations=items, sources=sources).to_markdown())



def tab(loads: Loads) -> None:
    """Build the tab; what it reads when the page loads joins ``loads``."""
    with gr.Tab("Draft s.55"):
        gr.Markdown("A draft of the PCC's section 55 response to a published report: what was said before, quoted and cited, "
                    "with every gap marked **[Force update required]**. Edit it in Word.")
        with gr.Row():
            draft_doc = gr.Dropdown(choices=[], label="Report", elem_id="draft-doc")
            draft_published = gr.Textbox(label="Published (if the report does not say)", placeholder="YYYY-MM-DD")
            draft_button = gr.Button("Draft the response", variant="primary", elem_id="draft-button")
        draft_file = gr.File(label="Word document")
        draft_view = gr.Markdown(elem_id="draft-view")
        draft_button.click(do_draft, [draft_doc, draft_published], [draft_view, draft_file])
    loads.append((doc_choices, None, draft_doc))
