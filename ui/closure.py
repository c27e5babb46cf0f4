"""Closing a recommendation, in the Recommendations tab: the passage that evidences a complete
(chosen from what the documents said about it, or found by a search), a revised due date's reason
and who agreed it, and verifying or sending back a complete someone else proposed."""

from __future__ import annotations

from typing import Any

import gradio as gr

from kb.register.records import RegisterRow
from ui.common import kb_for, md_text, shows_errors, user_of


def _choice(doc: str, page: int | None, text: str) -> str:
    text = " ".join((text or "").split())
    return f"{doc}{f' p.{page}' if page else ''}: {text[:110]}{'…' if len(text) > 110 else ''}"


@shows_errors
def evidence_for(selected: RegisterRow | None, request: gr.Request | None = None) -> Any:
    """The passages that could evidence the selected recommendation: what each document said about it."""
    if not selected:
        return gr.Dropdown(choices=[], value=None)
    h = kb_for(request).recommendation_history(selected.ref, selected.doc, selected.ordinal, selected.parent)
    choices = [(_choice(s.doc, s.page, s.quote), s.chunk_id) for s in h.statements if s.chunk_id and s.quote]
    return gr.Dropdown(choices=list(dict.fromkeys(choices)), value=None)


@shows_errors
def find_evidence(words: str, request: gr.Request | None = None) -> Any:
    """Passages matching the words typed, to choose the evidence from."""
    if not (words or "").strip():
        raise gr.Error("Type the words of the passage you want to quote as evidence.")
    hits = kb_for(request).search(words, k=8, mode="lexical")
    choices = [(_choice(h.doc, h.page, h.text), h.chunk_id) for h in hits]
    return gr.Dropdown(choices=choices, value=choices[0][1] if choices else None)


def _verify(selected: RegisterRow | None, by: str, why: str, reject: bool, request: gr.Request | None) -> str:
    if not selected:
        raise gr.Error("Select a recommendation in the table first.")
    name = user_of(request) or (by or "").strip()
    if not name:
        raise gr.Error("Type your name: every verification is recorded with it.")
    row = kb_for(request).workflow.verify(selected.ref, selected.doc, name, reject=reject, why=why or None, ordinal=selected.ordinal,
                                          parent=selected.parent, expected_version=selected.version, as_user=user_of(request))
    if reject:
        return f"Sent back: {md_text(row.ref)} is **{md_text(row.status_label)}** again, with your reason recorded."
    return f"Verified by {md_text(name)}: {md_text(row.ref)} is **{md_text(row.status_label)}** and now counts as closed."


@shows_errors
def verify(selected: RegisterRow | None, by: str, why: str, request: gr.Request | None = None) -> str:
    """Verify the selected recommendation's proposed complete."""
    return _verify(selected, by, why, False, request)


@shows_errors
def send_back(selected: RegisterRow | None, by: str, why: str, request: gr.Request | None = None) -> str:
    """Send the selected recommendation's proposed complete back, with the reason."""
    return _verify(selected, by, why, True, request)


def controls() -> dict[str, Any]:
    """The closure controls (inside the tab's update column); the tab wires them to its table."""
    with gr.Accordion("Evidence for a complete", open=True):
        evidence = gr.Dropdown(choices=[], label="Evidence: a passage of an indexed document", elem_id="rec-evidence", allow_custom_value=False)
        with gr.Row():
            evidence_words = gr.Textbox(label="Find another passage", placeholder="words from the passage", scale=3, elem_id="rec-evidence-words")
            evidence_find = gr.Button("Find", scale=1, elem_id="rec-evidence-find")
    with gr.Accordion("A revised due date", open=False):
        why = gr.Textbox(label="Why the due date changes", elem_id="rec-why")
        agreed_by = gr.Textbox(label="Agreed by", elem_id="rec-agreed-by")
    with gr.Accordion("Verify a complete (verifier or admin; not the proposer)", open=False):
        verify_why = gr.Textbox(label="Reason (needed to send it back)", elem_id="rec-verify-why")
        with gr.Row():
            verify_button = gr.Button("Verify", variant="primary", elem_id="rec-verify")
            back_button = gr.Button("Send back", variant="stop", elem_id="rec-send-back")
    evidence_find.click(find_evidence, evidence_words, evidence)
    return {"evidence": evidence, "why": why, "agreed_by": agreed_by, "verify_why": verify_why, "verify": verify_button, "back": back_button}
