"""The Documents tab: add files with a progress bar and a line per file, the document list, read
one again, correct its kind or title, remove it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from kb.labels import KIND_LABELS
from kb.store.filters import MARKINGS
from ui.common import Loads, kb_for, md_text, short, shows_errors, user_of


def docs_table(request: gr.Request | None = None) -> Any:
    """The document list."""
    import pandas as pd

    return pd.DataFrame([[d.name, d.marking, KIND_LABELS.get(d.kind, d.kind), d.date or "", d.pages, d.chunks, short(d.title, 90)]
                         for d in kb_for(request).documents()], columns=["File", "Marking", "Kind", "Date", "Pages", "Passages", "Title"])


def doc_choices(request: gr.Request | None = None) -> gr.Dropdown:
    """The document filter's choices, read when the page loads."""
    return gr.Dropdown(choices=[d.name for d in kb_for(request).documents()])


@shows_errors
def do_upload(files: list[Any] | None, marking: str | None = None, request: gr.Request | None = None,
              progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
    """Add uploaded files with a progress bar; a line per file (passages, recommendations, warnings or the reason it failed)."""
    if not files:
        raise gr.Error("Choose one or more files first (PDF, DOCX, HTML, TXT or MD).")
    pairs = []
    for f in files:
        path = getattr(f, "name", None) or str(f)
        pairs.append((getattr(f, "orig_name", None) or Path(path).name, path))
    progress(0, desc="Reading documents")

    def embedding(done: int, total: int, name: str, seconds_left: float) -> None:
        """Passages embedded of how many, and the time left: a large file takes minutes."""
        left = f"about {max(1, round(seconds_left / 60))} min left" if seconds_left >= 60 else f"about {max(1, round(seconds_left))} s left"
        progress((done, total), desc=f"Embedding {name}: {done:,} of {total:,} passages, {left}", unit="passages")

    reports = kb_for(request).add_files(pairs, progress=lambda i, n, name: progress((i, n), desc=f"Reading {name}" if name else "Done"),
                                        as_user=user_of(request), marking=marking or None, on_embed=embedding)
    lines = []
    for r in reports:
        if r.status == "failed":
            lines.append(f"- **{md_text(r.name)}**: not added. {md_text(r.error)}")
        else:
            extra = "".join(f"<br>&nbsp;&nbsp;warning: {md_text(w)}" for w in r.warnings)
            lines.append(f"- **{md_text(r.name)}**: {r.status}, {r.marking or 'OFFICIAL'}, {KIND_LABELS.get(r.kind, r.kind)}, {r.chunks} passages, "
                         f"{r.recommendations} recommendations{extra}")
    return "\n".join(lines)


@shows_errors
def do_reingest(name: str, request: gr.Request | None = None) -> str:
    """Read a document again from its file; statuses people confirmed are kept."""
    if not name:
        raise gr.Error("Choose a document to read again.")
    reports = kb_for(request).reingest(name, as_user=user_of(request))
    return "; ".join(f"{md_text(r.name)}: read again, {r.chunks} passages, {r.recommendations} recommendations" if r.status != "failed"
                     else f"{md_text(r.name)}: {md_text(r.error)}" for r in reports)


@shows_errors
def do_correct(name: str, kind: str, title: str, by: str = "", request: gr.Request | None = None) -> str:
    """Correct a document's kind or title (kept when it is read again); it is read again at once."""
    if not name:
        raise gr.Error("Choose the document to correct.")
    user = user_of(request)
    who = user or (by or "").strip()
    if not who:
        raise gr.Error("Type your name: every correction is recorded with it.")
    reports = kb_for(request).correct_document(name, who, kind=kind or None, title=(title or "").strip() or None, as_user=user)
    return "; ".join(f"{md_text(r.name)}: now {KIND_LABELS.get(r.kind, r.kind)}, titled \u201c{md_text(r.title)}\u201d" if r.status != "failed"
                     else f"{md_text(r.name)}: {md_text(r.error)}" for r in reports)


@shows_errors
def do_delete(name: str, request: gr.Request | None = None) -> str:
    """Remove a document (its passages and vectors; recommendations people confirmed stay)."""
    if not name:
        raise gr.Error("Choose a document to remove.")
    removed = kb_for(request).delete(name, as_user=user_of(request))
    return f"Removed {md_text(name)} ({len(removed)} file{'s' if len(removed) != 1 else ''})."



def tab(loads: Loads) -> None:
    """Build the tab; what it reads when the page loads joins ``loads``."""
    with gr.Tab("Documents"):
        uploads = gr.File(label="Add documents (PDF, DOCX, HTML, TXT, MD)", file_count="multiple", elem_id="uploads")
        upload_marking = gr.Radio(list(MARKINGS), value=MARKINGS[0], label="Protective marking",
                                  info="A marking printed on the document is kept if it is higher.", elem_id="upload-marking")
        upload_button = gr.Button("Add to the knowledge base", variant="primary", elem_id="upload-button")
        upload_result = gr.Markdown(elem_id="upload-result")
        doc_list = gr.Dataframe(interactive=False, wrap=True, elem_id="doc-list")
        with gr.Row():
            doc_to_delete = gr.Dropdown(choices=[], label="A document")
            reingest_button = gr.Button("Read again")
            delete_button = gr.Button("Remove", variant="stop")
        with gr.Row():
            correct_kind = gr.Dropdown([("(keep)", "")] + [(v, k) for k, v in KIND_LABELS.items()], value="", label="Correct its kind",
                                       elem_id="correct-kind")
            correct_title = gr.Textbox(label="Correct its title", placeholder="leave empty to keep", elem_id="correct-title")
            correct_by = gr.Textbox(label="Your name (single-user mode)", elem_id="correct-by")
            correct_button = gr.Button("Save the correction", elem_id="correct-button")
        delete_result = gr.Markdown(elem_id="doc-result")
        correct_button.click(do_correct, [doc_to_delete, correct_kind, correct_title, correct_by], delete_result).then(docs_table, None, doc_list)
        reingest_button.click(do_reingest, doc_to_delete, delete_result).then(docs_table, None, doc_list)
        upload_button.click(do_upload, [uploads, upload_marking], upload_result).then(docs_table, None, doc_list).then(doc_choices, None, doc_to_delete)
        delete_button.click(do_delete, doc_to_delete, delete_result).then(docs_table, None, doc_list).then(doc_choices, None, doc_to_delete)
    loads += [(doc_choices, None, doc_to_delete), (docs_table, None, doc_list)]
