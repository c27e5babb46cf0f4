"""The Audit tab: who searched, asked, changed or exported what (admins only)."""

from __future__ import annotations

from typing import Any

import gradio as gr

from kb.access.guard import AUDIT_ACTIONS
from ui.common import Loads, kb_for, short, shows_errors


@shows_errors
def audit_table(who: str = "", action: str = "", request: gr.Request | None = None) -> Any:
    """The audit log, newest first (admins only; in single-user mode, the local user)."""
    import pandas as pd

    rows = kb_for(request).audit_log(500, (who or "").strip() or None, (action or "").strip() or None)
    return pd.DataFrame([[e.at, e.user, e.action, short(e.detail, 160)] for e in rows], columns=["When (UTC)", "Who", "Action", "What"])



def tab(loads: Loads) -> None:
    """Build the tab (it reads nothing when the page loads: the log is shown on request)."""
    with gr.Tab("Audit"):
        gr.Markdown("Who searched, asked, changed or exported what (admins only).")
        with gr.Row():
            audit_who = gr.Textbox(label="User", scale=2)
            audit_action = gr.Dropdown(["", *AUDIT_ACTIONS], value="", label="Action", scale=2)
            audit_button = gr.Button("Show", scale=1)
        audit_grid = gr.Dataframe(interactive=False, wrap=True, elem_id="audit-log")
        audit_button.click(audit_table, [audit_who, audit_action], audit_grid)
