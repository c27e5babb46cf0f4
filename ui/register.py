"""The Recommendations tab: the register filtered by status, overdue, document or words; a row's
details (evidence, what each document said, the history); a person's change under their name;
closing a recommendation (ui.closure); a chart of statuses per report; Excel or CSV export."""

from __future__ import annotations

from typing import Any

import gradio as gr

from ingest.status import STATUSES
from kb.labels import STATUS_LABELS, value_label
from kb.register.records import RegisterRow
from ui import closure, dashboard
from ui.common import Loads, kb_for, md_text, short, shows_errors, user_of
from ui.exports import export_path
from ui.documents import doc_choices

REC_COLUMNS = ["Report", "Document", "Ref", "Status", "Deadline", "Days overdue", "Owner", "Recommendation"]
STATUS_CHOICES = [(STATUS_LABELS[code], code) for code in STATUSES]  # a person reads the label; the library gets the code


@shows_errors
def rec_table(status_filter: str, overdue: bool, doc: str, words: str = "", request: gr.Request | None = None) -> tuple[Any, list[RegisterRow]]:
    """The register as a table (and the rows behind it, for selection); ``words`` must all appear in
    the report, theme, owner, addressee or text."""
    rows = kb_for(request).recommendations(status=None if status_filter in ("", "all", None) else status_filter, overdue=bool(overdue), doc=doc or None,
                                           words=words or None)
    import pandas as pd

    data = [[short(r.report, 60), short(r.doc, 30), f"{r.parent}.{r.ref}" if r.parent else r.ref, r.status_label, r.due or r.deadline or "",
             r.days_overdue or "", r.owner or "", short(r.text, 120)] for r in rows]
    return pd.DataFrame(data, columns=REC_COLUMNS), rows


def rec_details(rows: list[RegisterRow], evt: gr.SelectData, request: gr.Request | None = None) -> tuple[str, RegisterRow | None, str, str, str, str]:
    """A selected row: its full text, response, evidence, what each document said and the history."""
    return rec_details_at(rows, evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index, request)


@shows_errors
def rec_details_at(rows: list[RegisterRow], index: int | None, request: gr.Request | None = None) -> tuple[str, RegisterRow | None, str, str, str, str]:
    """The details of row ``index`` of the shown register (see rec_details)."""
    if not rows or index is None or index >= len(rows):
        return "", None, "", "", "", ""
    r = rows[index]
    h = kb_for(request).recommendation_history(r.ref, r.doc, r.ordinal, r.parent)
    e_ = md_text  # every value below comes from a document or a person: shown as text, never as Markdown
    lines = [f"### {e_(r.report or '')}: {'part ' + e_(r.ref) + ' of ' + e_(r.parent) if r.parent else 'Recommendation ' + e_(r.ref)}",
             f"**Status:** {e_(r.status_label)}"
             + (f" (proposed by {e_(r.proposed_by if r.proposed_by != 'extraction' else 'a document')})" if r.verification == "awaiting"
                else f" ({e_(r.status_source)}{' by ' + e_(r.status_by) if r.status_by and r.status_source == 'confirmed' else ''})")
             + (f" · verified by {e_(r.verified_by)} on {e_((r.verified_at or '')[:10])}" if r.verification == "verified" else "")
             + f" · **Deadline:** {e_(r.deadline or 'none stated')}{' (' + e_(r.deadline_text) + ')' if r.deadline_text else ''}"
             + (f" · **Due:** {e_(r.due)}" if r.due and r.due != r.deadline else "")
             + (f" (revised from {e_(r.original_due)}: {e_(r.due_why)}; agreed by {e_(r.due_agreed_by)})" if r.original_due else "")
             + (f" · **Overdue by {e_(r.days_overdue)} days**" if r.overdue else ""),
             f"**Addressee:** {e_(r.addressee or '-')} · **Theme:** {e_(r.theme or '-')} · **Owner:** {e_(r.owner or '-')}",
             f"\n**Recommendation:** {e_(r.text)}",
             f"\n**Evidence for the status:** \u201c{e_(r.status_evidence or 'no response found')}\u201d ({e_(r.evidence_doc or ('a note' if r.status_evidence else '-'))})",
             f"\n**Response:** {e_(short(r.response, 1200))}", "\n**What each document said:**"]
    for s in h.statements:
        flag = f" — **proposed update ({e_(s.proposal)})**" if s.proposal != "none" else ""
        lines.append(f"- {e_(s.doc_date or 'undated')} {e_(s.doc)}: {e_(STATUS_LABELS.get(s.status, s.status))}{flag}")
    lines.append("\n**History:**")
    for e in h.history:
        lines.append(f"- {e_(e.at)} {e_(e.by)}: {e_(e.field)} {e_(value_label(e.field, e.old))} \u2192 {e_(value_label(e.field, e.new))}"
                     + (f" ({e_(e.why[:200])})" if e.why else ""))
    return "\n".join(lines), r, r.status, r.owner or "", r.due or "", ""


def rec_reselect(rows: list[RegisterRow], selected: RegisterRow | None, request: gr.Request | None = None) -> tuple[str, RegisterRow | None, str, str, str, str]:
    """After a save: the same recommendation's details, fresh (its new status and history)."""
    if not selected:
        return "", None, "", "", "", ""
    index = next((i for i, r in enumerate(rows) if r.key == selected.key), None)
    if index is None:  # it left the filtered view (an overdue one just completed): look in the whole register
        rows = kb_for(request).recommendations()
        index = next((i for i, r in enumerate(rows) if r.key == selected.key), None)
    return rec_details_at(rows, index, request)


@shows_errors
def rec_save(selected: RegisterRow | None, status_value: str, owner: str, due_date: str, note: str, by: str, evidence: str | None = None,
             why: str = "", agreed_by: str = "", request: gr.Request | None = None) -> str:
    """Save a person's change to the selected recommendation (refused if someone saved it since, or if their role may not)."""
    if not selected:
        raise gr.Error("Select a recommendation in the table first.")
    user = user_of(request)
    name = user or (by or "").strip()
    if not name:
        raise gr.Error("Type your name: every change is recorded with it.")
    row = kb_for(request).set_recommendation(selected.ref, selected.doc, name, status=status_value or None, owner=owner or None,
                                      due=due_date or None, note=note or None, ordinal=selected.ordinal, parent=selected.parent,
                                      expected_version=selected.version, as_user=user, evidence=evidence or None, why=why or None,
                                      agreed_by=agreed_by or None)
    return f"Saved: {md_text(row.ref)} is now **{md_text(row.status_label)}** (by {md_text(name)})."


@shows_errors
def rec_export(kind: str, request: gr.Request | None = None) -> str:
    """Write the register to a file for download."""
    path = export_path(f"recommendations.{'xlsx' if kind == 'Excel' else 'csv'}", "register")
    kb_for(request).export_recommendations(path)
    return str(path)


@shows_errors
def rec_chart(request: gr.Request | None = None) -> Any:
    """Statuses per report, for the chart (the dashboard's figures)."""
    return dashboard.chart(kb_for(request).workflow.dashboard())


def tab(loads: Loads) -> None:
    """Build the tab; what it reads when the page loads joins ``loads``."""
    with gr.Tab("Recommendations"):
        with gr.Row():
            rec_status = gr.Dropdown([("All", "all"), *STATUS_CHOICES], value="all", label="Status")
            rec_overdue = gr.Checkbox(label="Overdue only", elem_id="rec-overdue")
            rec_doc = gr.Dropdown(choices=[], label="Document", allow_custom_value=False)
            rec_words = gr.Textbox(label="Report, theme, owner or words", placeholder="e.g. TRAINING, DCI Smith, bail", elem_id="rec-words")
            rec_refresh = gr.Button("Show", elem_id="rec-show")
        rec_rows = gr.State([])
        rec_selected = gr.State(None)
        rec_grid = gr.Dataframe(headers=REC_COLUMNS, interactive=False, wrap=True, elem_id="rec-table",
                                column_widths=["18%", "14%", "5%", "9%", "9%", "6%", "8%", "31%"])
        with gr.Row():
            with gr.Column(scale=3):
                rec_info = gr.Markdown(elem_id="rec-details")
            with gr.Column(scale=2):
                gr.Markdown("**Update the selected recommendation** (recorded with your name)")
                rec_new_status = gr.Dropdown(STATUS_CHOICES, label="Status", elem_id="rec-new-status")
                rec_owner = gr.Textbox(label="Owner")
                rec_due = gr.Textbox(label="Due date", placeholder="YYYY-MM-DD", elem_id="rec-due")
                rec_note = gr.Textbox(label="Note or evidence", lines=2, elem_id="rec-note")
                rec_by = gr.Textbox(label="Your name", elem_id="rec-by")
                closing = closure.controls()
                rec_save_button = gr.Button("Save", variant="primary", elem_id="rec-save")
                rec_saved = gr.Markdown(elem_id="rec-saved")
        with gr.Accordion("Chart and export", open=False):
            rec_plot = gr.BarPlot(x="report", y="recommendations", color="status", label="Recommendations by status, per report")
            with gr.Row():
                export_kind = gr.Radio(["Excel", "CSV"], value="Excel", label="Export format")
                export_button = gr.Button("Export the register")
                export_file = gr.File(label="Download")
        show = [rec_status, rec_overdue, rec_doc, rec_words]
        rec_refresh.click(rec_table, show, [rec_grid, rec_rows])
        detail_outputs = [rec_info, rec_selected, rec_new_status, rec_owner, rec_due, rec_note]
        rec_grid.select(rec_details, rec_rows, detail_outputs).then(closure.evidence_for, rec_selected, closing["evidence"])
        rec_save_button.click(rec_save, [rec_selected, rec_new_status, rec_owner, rec_due, rec_note, rec_by, closing["evidence"], closing["why"],
                                         closing["agreed_by"]], rec_saved).success(
            rec_table, show, [rec_grid, rec_rows]).then(rec_reselect, [rec_rows, rec_selected], detail_outputs)
        for act, handler in ((closing["verify"], closure.verify), (closing["back"], closure.send_back)):
            act.click(handler, [rec_selected, rec_by, closing["verify_why"]], rec_saved).success(
                rec_table, show, [rec_grid, rec_rows]).then(rec_reselect, [rec_rows, rec_selected], detail_outputs)
        export_button.click(rec_export, export_kind, export_file)
    loads += [(doc_choices, None, rec_doc), (rec_table, show, [rec_grid, rec_rows]), (rec_chart, None, rec_plot)]
