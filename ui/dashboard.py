"""The Dashboard tab (the app's first): counts by status per report as a chart, what is overdue, due
soon or awaiting verification, the latest changes, FOI requests due this week or overdue, and the
board report to download."""

from __future__ import annotations

from datetime import date
from typing import Any

import gradio as gr

from kb.register.dashboard import Dashboard, FoiItem, Item
from kb.labels import value_label
from ui.common import Loads, kb_for, md_text, short, shows_errors, user_of
from ui.exports import export_path

REC_COLUMNS = ["Recommendation", "Report", "Status", "Owner", "Due", "Days"]
FOI_COLUMNS = ["Reference", "Received", "Due", "Status", "Clock", "Officer"]
CHANGE_COLUMNS = ["When", "Who", "Recommendation", "Change", "Why"]



def summary(d: Dashboard) -> str:
    """The headline figures, in words."""
    parts = [f"**{d.total}** recommendations tracked, **{d.closed}** closed (complete and verified, superseded or not applicable)",
             f"**{len(d.overdue)}** overdue", f"**{len(d.due_soon)}** due in the next 30 days",
             f"**{len(d.awaiting_verification)}** complete, awaiting verification",
             f"FOI: **{d.foi_open}** open, **{len(d.foi_overdue)}** overdue, **{len(d.foi_due_this_week)}** due in the next 7 days"]
    return f"As at {md_text(d.today)}: " + " · ".join(parts) + "."


def _recs(items: list[Item], days: str) -> Any:
    import pandas as pd

    who = lambda i: i.owner or ("stated in a document" if i.proposed_by == "extraction" else i.proposed_by) or "not assigned"  # noqa: E731
    rows = [[i.label, short(i.report or i.doc, 50), i.status_label, who(i) if days == "proposed" else (i.owner or "not assigned"),
             i.due or "", i.days_overdue if days == "overdue" else (i.days_left if days == "left" else "")] for i in items]
    return pd.DataFrame(rows, columns=REC_COLUMNS)


def _foi(items: list[FoiItem]) -> Any:
    import pandas as pd

    return pd.DataFrame([[r.ref, r.received, r.due, r.status_label, r.days_label, r.officer or "not assigned"] for r in items],
                        columns=FOI_COLUMNS)


def chart(d: Dashboard) -> Any:
    """Recommendations by status per report, for the bar chart."""
    import pandas as pd

    return pd.DataFrame([{"report": short(r.report, 40), "status": r.status_label, "recommendations": r.recommendations} for r in d.by_report],
                        columns=["report", "status", "recommendations"])


@shows_errors
def show(request: gr.Request | None = None) -> tuple[Any, ...]:
    """Everything the tab shows, read afresh."""
    import pandas as pd

    d = kb_for(request).workflow.dashboard()
    changes = pd.DataFrame([[c.at[:16].replace("T", " "), c.by, f"{c.label} ({short(c.doc, 30)})",
                             f"{c.field}: {value_label(c.field, c.old)} \u2192 {value_label(c.field, c.new)}", short(c.why, 80)] for c in d.latest_changes],
                           columns=CHANGE_COLUMNS)
    return (summary(d), chart(d), _recs(d.overdue, "overdue"), _recs(d.due_soon, "left"), _recs(d.awaiting_verification, "proposed"), changes,
            _foi(d.foi_overdue + d.foi_due_this_week))


@shows_errors
def board_report(date_from: str, date_to: str, request: gr.Request | None = None) -> str:
    """Write the board report for download."""
    view = kb_for(request)
    path = export_path(f"board-report-{date.today().isoformat()}.docx", "board")
    view.workflow.board_report(path, date_from or None, date_to or None, as_user=user_of(request))
    return str(path)


def tab(loads: Loads) -> None:
    """Build the tab; what it reads when the page loads joins ``loads``."""
    with gr.Tab("Dashboard"):
        with gr.Row():
            headline = gr.Markdown(elem_id="dash-summary")
            refresh = gr.Button("Refresh", scale=0, elem_id="dash-refresh")
        plot = gr.BarPlot(x="report", y="recommendations", color="status", label="Recommendations by status, per report",
                          elem_id="dash-chart", height=320)
        gr.Markdown("### Overdue")
        overdue = gr.Dataframe(headers=REC_COLUMNS, interactive=False, wrap=True, elem_id="dash-overdue")
        with gr.Row():
            with gr.Column():
                gr.Markdown("### Due in the next 30 days")
                soon = gr.Dataframe(headers=REC_COLUMNS, interactive=False, wrap=True, elem_id="dash-soon")
            with gr.Column():
                gr.Markdown("### Complete, awaiting verification")
                awaiting = gr.Dataframe(headers=REC_COLUMNS, interactive=False, wrap=True, elem_id="dash-awaiting")
        gr.Markdown("### FOI requests overdue or due in the next 7 days")
        foi = gr.Dataframe(headers=FOI_COLUMNS, interactive=False, wrap=True, elem_id="dash-foi")
        gr.Markdown("### Latest changes")
        changes = gr.Dataframe(headers=CHANGE_COLUMNS, interactive=False, wrap=True, elem_id="dash-changes")
        with gr.Accordion("Board report (Word)", open=True):
            with gr.Row():
                report_from = gr.Textbox(label="FOI figures from", placeholder="YYYY-MM-DD (default: 1 January)")
                report_to = gr.Textbox(label="to", placeholder="YYYY-MM-DD (default: today)")
                report_button = gr.Button("Make the board report", variant="primary", elem_id="board-button")
            report_file = gr.File(label="Download", elem_id="board-file")
        outputs = [headline, plot, overdue, soon, awaiting, changes, foi]
        refresh.click(show, None, outputs)
        report_button.click(board_report, [report_from, report_to], report_file)
    loads.append((show, None, outputs))
