"""The FOI log tab: log a request (due date worked out, earlier disclosures attached), the open
requests against the clock, a request's events (clarification, fee, extension, response, review),
the statistics for a period as a table, a chart and CSV, and the applicant-blind disclosure log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from kb.foi.log import EVENT_KINDS, REVIEW_OUTCOMES, Request
from kb.labels import OUTCOME_LABELS
from ui.common import Loads, kb_for, md_text, shows_errors, user_of
from ui.exports import export_path

LOG_COLUMNS = ["Reference", "Received", "Due", "Status", "Clock", "Officer", "Events"]
OUTCOME_CHOICES = [(label, code) for code, label in OUTCOME_LABELS.items() if code != "unknown"] + \
                  [(f"Review: {o.replace('_', ' ')}", o) for o in REVIEW_OUTCOMES]


def _by(request: gr.Request | None, typed: str) -> str:
    name = user_of(request) or (typed or "").strip()
    if not name:
        raise gr.Error("Type your name: every entry in the log is recorded with it.")
    return name


def describe(r: Request) -> str:
    """A request in full: its clock, outcome, attached disclosures and events."""
    e_ = md_text
    lines = [f"### {e_(r.ref)}: {e_(r.status_label)}",
             f"**Received** {e_(r.received)} · **Clock from** {e_(r.clock_starts)} · **Due** {e_(r.due)}"
             + (f" (extended; {e_(r.due_without_extension)} without)" if r.extended else "") + f" · **{e_(r.days_label)}**",
             f"**Officer:** {e_(r.officer or 'not assigned')}"]
    if r.responded:
        lines.append(f"**Responded** {e_(r.responded)}: {e_(r.outcome_label)}; exemptions {e_(', '.join(r.exemptions) or 'none')}; "
                     + ("in time" if r.in_time else "**late**"))
    if r.removed:
        lines.append(f"*Taken out of the text so that no requester details are kept: {e_(', '.join(r.removed))}.*")
    lines.append(f"\n**Request:** {e_(r.request[:1500])}")
    if r.precedents:
        lines.append("\n**Earlier disclosures:**")
        lines += [f"- {e_(p.get('reference') or '-')} {e_(p['doc'])} (similarity {p['similarity']:.2f})" for p in r.precedents]
    lines.append("\n**Events:**" if r.events else "\n*No events yet.*")
    lines += [f"- {e_(ev.on_date)} {e_(ev.label)}" + (f": {e_(ev.note[:200])}" if ev.note else "") + (f" ({e_(OUTCOME_LABELS.get(ev.outcome, ev.outcome.replace('_', ' ')))})" if ev.outcome else "")
              + (f", exemptions {e_(', '.join(ev.exemptions))}" if ev.exemptions else "")
              + f" — {e_(ev.by)}" for ev in r.events]
    return "\n".join(lines)


@shows_errors
def table(open_only: bool, request: gr.Request | None = None) -> tuple[Any, list[str]]:
    """The log as a table, and the references behind its rows."""
    import pandas as pd

    found = kb_for(request).workflow.requests(open_only=bool(open_only))
    rows = [[r.ref, r.received, r.due, r.status_label, r.days_label, r.officer or "not assigned", len(r.events)] for r in found]
    return pd.DataFrame(rows, columns=LOG_COLUMNS), [r.ref for r in found]


@shows_errors
def pick(refs: list[str], evt: gr.SelectData, request: gr.Request | None = None) -> tuple[str, str, int]:
    """A selected row: the request in full, its reference and the number of events seen."""
    index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
    if not refs or index is None or index >= len(refs):
        return "", "", 0
    r = kb_for(request).workflow.request(refs[index])
    return describe(r), r.ref, len(r.events)


@shows_errors
def log_request(ref: str, received: str, officer: str, text: str, upload: Any, by: str, request: gr.Request | None = None) -> tuple[str, str, int]:
    """Log a new request (typed or from a file)."""
    if upload is not None and not (text or "").strip():
        try:
            text = Path(upload if isinstance(upload, str) else upload.name).read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise gr.Error(f"The request's file could not be read ({exc.strerror or exc}): paste its text instead.") from exc
    r = kb_for(request).workflow.log_request(ref, received, text, officer or None, _by(request, by), as_user=user_of(request))
    return f"Logged. {describe(r)}", r.ref, len(r.events)


@shows_errors
def add_event(ref: str, seen: int, kind: str, on_date: str, note: str, outcome: str, exemptions: str, response: str, by: str,
              request: gr.Request | None = None) -> tuple[str, str, int]:
    """Add an event to the selected request (refused if someone added one since it was shown)."""
    if not ref:
        raise gr.Error("Select a request in the table (or log one) first.")
    answers = kind in ("responded", "review_decided")  # the outcome and exemptions fields belong to these only
    r = kb_for(request).workflow.event(ref, kind, on_date, _by(request, by), note=note or "", outcome=(outcome or None) if answers else None,
                                       exemptions=(exemptions or None) if kind == "responded" else None,
                                       response=(response or None) if kind == "responded" else None, expected_events=int(seen or 0),
                                       as_user=user_of(request))
    return f"Saved. {describe(r)}", r.ref, len(r.events)


@shows_errors
def statistics(date_from: str, date_to: str, request: gr.Request | None = None) -> tuple[Any, Any, str]:
    """The period's figures: a table, the outcomes chart and the CSV to download."""
    import pandas as pd

    work = kb_for(request).workflow
    path = export_path("foi-statistics.csv", "foi-stats")
    s = work.write_stats(path, date_from or None, date_to or None)
    chart = pd.DataFrame([{"outcome": OUTCOME_LABELS.get(k, k), "requests": v} for k, v in s.by_outcome.items()], columns=["outcome", "requests"])
    most = max(s.by_outcome.values(), default=0)
    plot = gr.BarPlot(value=chart, y_lim=[0, most + 1])  # from zero: one answered request shows as a bar
    return pd.DataFrame(s.table(), columns=["Measure", f"{s.date_from} to {s.date_to}"]), plot, str(path)


@shows_errors
def disclosure_log(request: gr.Request | None = None) -> str:
    """The disclosure log CSV to download."""
    path = export_path("disclosure-log.csv", "disclosure-log")
    kb_for(request).workflow.write_disclosure_log(path)
    return str(path)


def tab(loads: Loads) -> None:
    """Build the tab; what it reads when the page loads joins ``loads``."""
    with gr.Tab("FOI log"):
        ref_state, seen_state, refs_state = gr.State(""), gr.State(0), gr.State([])
        with gr.Accordion("Log a new request", open=True):
            with gr.Row():
                ref = gr.Textbox(label="Reference", placeholder="e.g. FOI-2026-0412", elem_id="log-ref")
                received = gr.Textbox(label="Received", placeholder="YYYY-MM-DD", elem_id="log-received")
                officer = gr.Textbox(label="Officer", elem_id="log-officer")
                by = gr.Textbox(label="Your name", elem_id="log-by")
            text = gr.Textbox(label="The request (paste it; names and contact details are taken out)", lines=4, elem_id="log-text")
            upload = gr.File(label="...or the request as a file", file_types=[".txt"], type="filepath")
            log_button = gr.Button("Log the request", variant="primary", elem_id="log-button")
        with gr.Row():
            open_only = gr.Checkbox(value=True, label="Open requests only", elem_id="log-open")
            show_button = gr.Button("Show the log", elem_id="log-show")
        grid = gr.Dataframe(headers=LOG_COLUMNS, interactive=False, wrap=True, elem_id="log-table")
        with gr.Row():
            with gr.Column(scale=3):
                details = gr.Markdown(elem_id="log-details")
            with gr.Column(scale=2):
                gr.Markdown("**Add an event to the selected request**")
                kind = gr.Dropdown([(label, k) for k, label in EVENT_KINDS.items()], label="Event", elem_id="log-kind")
                on_date = gr.Textbox(label="Date", placeholder="YYYY-MM-DD", elem_id="log-date")
                note = gr.Textbox(label="Note (for an assignment: the officer)", elem_id="log-note")
                outcome = gr.Dropdown(OUTCOME_CHOICES, label="Outcome (response or review)", elem_id="log-outcome")
                exemptions = gr.Textbox(label="Exemptions applied", placeholder="e.g. s40(2), s31", elem_id="log-exemptions")
                response = gr.Textbox(label="The response sent (it becomes a disclosure search finds)", lines=3, elem_id="log-response")
                event_button = gr.Button("Add the event", variant="primary", elem_id="log-event")
        with gr.Accordion("Statistics and the disclosure log", open=True):
            with gr.Row():
                stats_from = gr.Textbox(label="Received from", placeholder="YYYY-MM-DD (default: 1 January)", elem_id="stats-from")
                stats_to = gr.Textbox(label="to", placeholder="YYYY-MM-DD (default: today)", elem_id="stats-to")
                stats_button = gr.Button("Show the statistics", elem_id="stats-button")
            with gr.Row():
                stats_table = gr.Dataframe(interactive=False, elem_id="stats-table")
                stats_chart = gr.BarPlot(x="outcome", y="requests", label="Answered requests by outcome", elem_id="stats-chart")
            with gr.Row():
                stats_file = gr.File(label="Statistics (CSV)", elem_id="stats-file")
                dlog_button = gr.Button("Export the disclosure log (CSV)", elem_id="dlog-button")
                dlog_file = gr.File(label="Disclosure log", elem_id="dlog-file")
        shown = [details, ref_state, seen_state]
        log_button.click(log_request, [ref, received, officer, text, upload, by], shown).success(table, open_only, [grid, refs_state])
        show_button.click(table, open_only, [grid, refs_state])
        grid.select(pick, refs_state, shown)
        event_button.click(add_event, [ref_state, seen_state, kind, on_date, note, outcome, exemptions, response, by], shown).success(
            table, open_only, [grid, refs_state])
        stats_button.click(statistics, [stats_from, stats_to], [stats_table, stats_chart, stats_file])
        dlog_button.click(disclosure_log, None, dlog_file)
    loads.append((table, open_only, [grid, refs_state]))
