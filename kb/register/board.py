"""The board report: a dated Word document of where the recommendations and the FOI log stand.

Summary counts, the status chart as a picture, the overdue table, what awaits verification, each
report's recommendations with status, owner, deadline (original and revised) and the evidence
quote with its source, and FOI performance for the period. Written with python-docx (it opens in
Word and LibreOffice); the chart is drawn with Pillow, so nothing beyond the fixed packages is needed.
"""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from kb.register.dashboard import STATUS_ORDER, Dashboard, key_label
from kb.errors import InputError
from kb.files import save_docx
from kb.foi.stats import Stats
from kb.register.records import RegisterRow
from kb.register.tracker import rec_label

COLOURS = {"unknown": (160, 160, 160), "not_started": (192, 0, 0), "planned": (237, 125, 49), "in_progress": (255, 192, 0),
           "complete_awaiting": (112, 173, 71), "complete_verified": (46, 117, 182), "superseded": (112, 48, 160), "not_applicable": (89, 89, 89)}


def chart_png(dashboard: Dashboard, width: int = 1400) -> bytes:
    """Recommendations by status per report, as a horizontal stacked bar chart (PNG bytes)."""
    from PIL import Image, ImageDraw, ImageFont

    per: dict[str, dict[str, int]] = defaultdict(dict)
    for row in dashboard.by_report:
        per[row.report][row.status] = row.recommendations
    reports = sorted(per) or ["(no recommendations yet)"]
    font = ImageFont.load_default(size=22)
    small = ImageFont.load_default(size=18)
    label_w, bar_h, gap, top = 520, 34, 18, 20
    keys = [k for k in STATUS_ORDER if any(k in v for v in per.values())]
    legend_rows = (len(keys) + 2) // 3
    height = top + len(reports) * (bar_h + gap) + 40 + legend_rows * 34 + 20
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    most = max([sum(v.values()) for v in per.values()] or [1])
    scale = (width - label_w - 80) / most
    for i, report in enumerate(reports):
        y = top + i * (bar_h + gap)
        name = report if len(report) <= 44 else report[:43] + "\u2026"
        draw.text((10, y + 6), name, fill="black", font=small)
        x = label_w
        for key in keys:
            n = per[report].get(key, 0)
            if not n:
                continue
            w = max(int(n * scale), 2)
            draw.rectangle([x, y, x + w, y + bar_h], fill=COLOURS.get(key, (0, 0, 0)))
            if w > 26:
                draw.text((x + 6, y + 5), str(n), fill="white", font=font)
            x += w
        draw.text((x + 8, y + 5), str(sum(per[report].values())), fill="black", font=font)
    y = top + len(reports) * (bar_h + gap) + 20
    for j, key in enumerate(keys):
        lx, ly = 10 + (j % 3) * (width // 3), y + (j // 3) * 34
        draw.rectangle([lx, ly, lx + 24, ly + 24], fill=COLOURS.get(key, (0, 0, 0)))
        draw.text((lx + 32, ly + 2), key_label(key), fill="black", font=small)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _table(doc: Any, header: list[str], rows: list[list[str]], widths: list[float] | None = None) -> None:
    from docx.shared import Cm, Pt

    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values):
            cell.text = text
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(9)
    if widths:  # Word reads the cells' widths, LibreOffice the grid's: both are set
        table.autofit = False
        for column, w in zip(table.columns, widths):
            column.width = Cm(w)
        for row in table.rows:
            for cell, w in zip(row.cells, widths):
                cell.width = Cm(w)


def _deadline(r: RegisterRow) -> str:
    due = r.effective_due or ""
    if r.original_due and r.original_due != due:
        return f"{due} (revised from {r.original_due}: {r.due_why or 'no reason recorded'}; agreed by {r.due_agreed_by or '-'})"
    return due or "none set"


def _evidence(quote: str | None, doc: str | None, page: int | None) -> str:
    quote = " ".join((quote or "").split())
    if not quote:
        return "no evidence recorded"
    if len(quote) > 400:
        quote = quote[:400].rsplit(" ", 1)[0] + " \u2026"
    source = f" ({doc}{', p.' + str(page) if page else ''})" if doc else " (note)"
    return f"\u201c{quote}\u201d{source}"


def write(path: str | Path, dashboard: Dashboard, rows: list[RegisterRow], foi: Stats, made_by: str | None = None) -> Path:
    """Write the board report to ``path`` (.docx)."""
    from docx import Document
    from docx.shared import Cm, Pt

    target = Path(path)
    if target.suffix.lower() != ".docx":
        raise InputError(f"the board report is a Word file: give a name ending .docx; got '{target.name}'")
    doc = Document()
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(10)
    today = date.fromisoformat(dashboard.today)
    doc.add_heading("Recommendations and FOI performance: report to the board", level=0)
    doc.add_paragraph(f"As at {today.day} {today:%B %Y}." + (f" Prepared from the knowledge base by {made_by}." if made_by else ""))

    doc.add_heading("Summary", level=1)
    doc.add_paragraph(f"{dashboard.total} recommendations and areas for improvement are tracked; {dashboard.closed} are closed "
                      f"(complete and verified, superseded or not applicable). {len(dashboard.overdue)} are overdue, "
                      f"{len(dashboard.awaiting_verification)} are complete and await verification, and {len(dashboard.due_soon)} fall due "
                      f"in the next 30 days. A lettered part is counted through its recommendation.")
    _table(doc, ["Status", "Recommendations"], [[key_label(k), str(v)] for k, v in dashboard.counts.items()] + [["Total", str(dashboard.total)]])
    doc.add_paragraph()
    doc.add_picture(io.BytesIO(chart_png(dashboard)), width=Cm(16.5))
    doc.add_paragraph("Recommendations by status, per report.").runs[0].italic = True

    doc.add_heading("Overdue", level=1)
    if dashboard.overdue:
        _table(doc, ["Recommendation", "Report", "Owner", "Due", "Days overdue", "Status"],
               [[i.label, i.report or i.doc, i.owner or "not assigned", i.due or "", str(i.days_overdue), i.status_label]
                for i in dashboard.overdue], [3, 5, 3, 2.2, 1.8, 2.5])
    else:
        doc.add_paragraph("Nothing is overdue.")
    doc.add_heading("Complete, awaiting verification", level=1)
    if dashboard.awaiting_verification:
        _table(doc, ["Recommendation", "Report", "Proposed by", "Evidence"],
               [[i.label, i.report or i.doc, i.proposed_by or "-", _evidence(i.evidence, i.evidence_doc, i.evidence_page)]
                for i in dashboard.awaiting_verification], [3, 4, 2.5, 7])
    else:
        doc.add_paragraph("None awaits verification.")

    doc.add_heading("Recommendations by report", level=1)
    by_report: dict[str, list[RegisterRow]] = defaultdict(list)
    for r in rows:
        by_report[r.report or r.doc].append(r)
    for report, items in sorted(by_report.items()):
        doc.add_heading(report, level=2)
        _table(doc, ["Ref", "Recommendation", "Status", "Owner", "Deadline", "Evidence"],
               [[rec_label(r.type, r.ref, r.parent, r.ordinal).replace("Recommendation ", "Rec. "),
                 " ".join((r.text or "").split())[:350], r.status_label + (" (overdue)" if r.overdue else ""), r.owner or "-",
                 _deadline(r), _evidence(r.status_evidence, r.evidence_doc, r.evidence_page)] for r in items], [1.8, 5.5, 2.2, 2, 2, 4.5])

    doc.add_heading(f"FOI performance, {foi.date_from} to {foi.date_to}", level=1)
    _table(doc, ["Measure", "Value"], [list(row) for row in foi.table()])
    return save_docx(doc, target)
