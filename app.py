"""The Gradio app: a thin layer over the facade (kb.service.KB). Importing it starts nothing.

Run it with ``python app.py`` or ``kb serve``; ``make run`` does both set-up and this.
"""

from __future__ import annotations

import html
import logging
import re
import threading
from pathlib import Path
from typing import Any

import kb  # noqa: F401  (offline switches before gradio imports)
import gradio as gr

from kb.answer import Answer
from kb.errors import KBError
from kb.search import MODES, Hit, terms
from ingest.status import STATUSES
from kb.labels import STATUS_LABELS, value_label
from kb.service import AUDIT_ACTIONS, KB
from ui import closure, dashboard, foi_log
from ui.common import _state, get_kb, kb_for, md_text, shows_errors, user_error, user_of  # noqa: F401  (the app's shared state and helpers)

log = logging.getLogger("app")

KIND_LABELS = {
    "inspection_report": "Inspection report", "pcc_response": "PCC response", "force_response": "Force response",
    "foi_disclosure": "FOI disclosure", "guidance": "Guidance", "other": "Other",
}

def highlight(text: str, query: str) -> str:
    """HTML-escaped text with the query's terms marked."""
    escaped = html.escape(text, quote=False)
    words = sorted({t for t in terms(query) if len(t) > 2}, key=len, reverse=True)
    if not words:
        return escaped
    pattern = re.compile(r"(?<!&)\b(" + "|".join(re.escape(w) for w in words) + r")\w*", re.I)  # never inside &amp; &lt; &gt;
    return pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped)


def render_hits(hits: list[Hit], query: str) -> str:
    """Search results as HTML cards (all document text escaped)."""
    if not hits:
        return "<p>No passages match. Try other words, or remove a filter.</p>"
    cards = [f"<p><b>{len(hits)}</b> result{'s' if len(hits) != 1 else ''} for <i>{html.escape(query)}</i></p>"]
    for h in hits:
        where = f"page {h.page}" if h.page else "no page numbers"
        ref = f"Recommendation {html.escape(h.ref)}" if h.ref else html.escape(h.section or "")
        cards.append(
            "<div class='hit' style='border:1px solid #ccc;border-radius:6px;padding:8px 12px;margin:8px 0'>"
            f"<div><b>{h.rank}. {html.escape(h.title or h.doc)}</b></div>"
            f"<div style='font-size:0.85em;color:#555'>{html.escape(h.doc)} · {KIND_LABELS.get(h.kind, h.kind)} · "
            f"{html.escape(h.date or 'undated')} · {where}{' · ' + ref if ref else ''} · score {h.score:.3f}</div>"
            f"<div style='white-space:pre-wrap;margin-top:6px'>{highlight(h.text, query)}</div></div>"
        )
    return "\n".join(cards)


def do_search(query: str, mode: str, k: float, kinds: list[str], docs: list[str], date_from: str, date_to: str, request: gr.Request | None = None) -> str:
    """Search handler: returns the results as HTML, or raises a message the user sees."""
    if not (query or "").strip():
        raise gr.Error("Type something to search for.")
    try:
        hits = kb_for(request).search(query, k=int(k), mode=mode, kinds=kinds or (), docs=docs or (), date_from=date_from or None, date_to=date_to or None)
    except KBError as exc:
        raise user_error(exc) from exc
    return render_hits(hits, query)


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


def do_ask(question: str, request: gr.Request | None = None) -> tuple[str, Any, list[dict[str, Any]]]:
    """Ask handler: a cited answer (and the sources it cites, for the document viewer), or a message the user sees."""
    if not (question or "").strip():
        raise gr.Error("Type a question.")
    try:
        a = kb_for(request).ask(question)
    except KBError as exc:
        raise user_error(exc) from exc
    sources = [{"n": c.n, "doc": c.doc, "page": c.page, "start": c.start, "end": c.end, "label": f"[{c.n}] {c.doc}" + (f", page {c.page}" if c.page else "")}
               for c in a.citations]
    choices: list[str] = [str(s["label"]) for s in sources]
    return render_answer(a), gr.Dropdown(choices=choices, value=choices[0] if choices else None), sources


def do_open(label: str, sources: list[dict[str, Any]], request: gr.Request | None = None) -> str:
    """The whole document (or the cited page of a PDF) with the cited passage highlighted."""
    source = next((s for s in sources or [] if s["label"] == label), None)
    if source is None:
        raise gr.Error("Ask a question first, then choose one of its sources.")
    try:
        text, offset = kb_for(request).page_text(source["doc"], source["page"])
    except KBError as exc:
        raise user_error(exc) from exc
    s, e = max(0, source["start"] - offset), max(0, source["end"] - offset)
    where = f"page {source['page']}" if source["page"] else "the whole document"
    return (f"<p><b>{html.escape(source['doc'])}</b>, {where}</p><div style='white-space:pre-wrap;max-height:600px;overflow:auto;"
            f"border:1px solid #ccc;padding:8px'>{html.escape(text[:s])}<mark id='cited'>{html.escape(text[s:e])}</mark>{html.escape(text[e:])}</div>")


def do_foi_similar(text: str, request: gr.Request | None = None) -> str:
    """FOI handler: earlier disclosures for a pasted request, per question, with differences flagged."""
    if not (text or "").strip():
        raise gr.Error("Paste the text of the request.")
    try:
        result = kb_for(request).foi_similar(text)
    except KBError as exc:
        raise user_error(exc) from exc
    out = []
    for i, q in enumerate(result["questions"], start=1):
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


def do_foi_due(received: str, clarified: str, extended: bool) -> str:
    """Clock handler: the due date and what is left, in plain words."""
    if not (received or "").strip():
        raise gr.Error("Enter the date the request was received (YYYY-MM-DD).")
    try:
        c = KB.foi_due(received.strip(), (clarified or "").strip() or None, extended=extended)
    except KBError as exc:
        raise user_error(exc) from exc
    restart = f" The clock restarted on **{c.clock_starts}** when the clarification arrived." if c.clock_starts != c.received else ""
    holidays = f" Bank holidays skipped: {', '.join(c.skipped_holidays)}." if c.skipped_holidays else ""
    return (f"**Due {c.due}**: {c.status} (today {c.today}).{restart} With the public-interest extension: {c.public_interest_due}.{holidays}")


REC_COLUMNS = ["Report", "Document", "Ref", "Status", "Deadline", "Days overdue", "Owner", "Recommendation"]
STATUS_CHOICES = [(STATUS_LABELS[code], code) for code in STATUSES]  # a person reads the label; the library gets the code


def _short(text: str | None, n: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def rec_table(status_filter: str, overdue: bool, doc: str, words: str = "", request: gr.Request | None = None) -> tuple[Any, list[dict[str, Any]]]:
    """The register as a table (and the rows behind it, for selection); ``words`` must all appear in
    the report, theme, owner, addressee or text."""
    try:
        rows = kb_for(request).recommendations(status=None if status_filter in ("", "all", None) else status_filter, overdue=bool(overdue), doc=doc or None)
    except KBError as exc:
        raise user_error(exc) from exc
    wanted = (words or "").lower().split()
    if wanted:
        rows = [r for r in rows if all(w in " ".join(str(r[k] or "") for k in ("report", "theme", "owner", "addressee", "text")).lower() for w in wanted)]
    import pandas as pd

    data = [[_short(r["report"], 60), _short(r["doc"], 30), f"{r['parent']}.{r['ref']}" if r["parent"] else r["ref"], r["status_label"], r["due"] or r["deadline"] or "",
             r["days_overdue"] or "", r["owner"] or "", _short(r["text"], 120)] for r in rows]
    return pd.DataFrame(data, columns=REC_COLUMNS), rows


def rec_details(rows: list[dict[str, Any]], evt: gr.SelectData, request: gr.Request | None = None) -> tuple[str, dict[str, Any] | None, str, str, str, str]:
    """A selected row: its full text, response, evidence, what each document said and the history."""
    return rec_details_at(rows, evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index, request)


def rec_details_at(rows: list[dict[str, Any]], index: int | None, request: gr.Request | None = None) -> tuple[str, dict[str, Any] | None, str, str, str, str]:
    """The details of row ``index`` of the shown register (see rec_details)."""
    if not rows or index is None or index >= len(rows):
        return "", None, "", "", "", ""
    r = rows[index]
    try:
        h = kb_for(request).recommendation_history(r["ref"], r["doc"], r["ordinal"], r["parent"])
    except KBError as exc:
        raise user_error(exc) from exc
    e_ = md_text  # every value below comes from a document or a person: shown as text, never as Markdown
    lines = [f"### {e_(r['report'] or '')}: {'part ' + e_(r['ref']) + ' of ' + e_(r['parent']) if r['parent'] else 'Recommendation ' + e_(r['ref'])}",
             f"**Status:** {e_(r['status_label'])}"
             + (f" (proposed by {e_(r['proposed_by'] if r['proposed_by'] != 'extraction' else 'a document')})" if r["verification"] == "awaiting"
                else f" ({e_(r['status_source'])}{' by ' + e_(r['status_by']) if r['status_by'] and r['status_source'] == 'confirmed' else ''})")
             + (f" · verified by {e_(r['verified_by'])} on {e_((r['verified_at'] or '')[:10])}" if r["verification"] == "verified" else "")
             + f" · **Deadline:** {e_(r['deadline'] or 'none stated')}{' (' + e_(r['deadline_text']) + ')' if r['deadline_text'] else ''}"
             + (f" · **Due:** {e_(r['due'])}" if r["due"] and r["due"] != r["deadline"] else "")
             + (f" (revised from {e_(r['original_due'])}: {e_(r['due_why'])}; agreed by {e_(r['due_agreed_by'])})" if r["original_due"] else "")
             + (f" · **Overdue by {e_(r['days_overdue'])} days**" if r["overdue"] else ""),
             f"**Addressee:** {e_(r['addressee'] or '-')} · **Theme:** {e_(r['theme'] or '-')} · **Owner:** {e_(r['owner'] or '-')}",
             f"\n**Recommendation:** {e_(r['text'])}",
             f"\n**Evidence for the status:** \u201c{e_(r['status_evidence'] or 'no response found')}\u201d ({e_(r['evidence_doc'] or ('a note' if r['status_evidence'] else '-'))})",
             f"\n**Response:** {e_(_short(r['response'], 1200))}", "\n**What each document said:**"]
    for s in h["statements"]:
        flag = f" — **proposed update ({e_(s['proposal'])})**" if s["proposal"] != "none" else ""
        lines.append(f"- {e_(s['doc_date'] or 'undated')} {e_(s['doc'])}: {e_(STATUS_LABELS.get(s['status'], s['status']))}{flag}")
    lines.append("\n**History:**")
    for e in h["history"]:
        lines.append(f"- {e_(e['at'])} {e_(e['by'])}: {e_(e['field'])} {e_(value_label(e['field'], e['old']))} \u2192 {e_(value_label(e['field'], e['new']))}"
                     + (f" ({e_(e['why'][:200])})" if e["why"] else ""))
    return "\n".join(lines), r, r["status"], r["owner"] or "", r["due"] or "", ""


def rec_reselect(rows: list[dict[str, Any]], selected: dict[str, Any] | None, request: gr.Request | None = None) -> tuple[str, dict[str, Any] | None, str, str, str, str]:
    """After a save: the same recommendation's details, fresh (its new status and history)."""
    if not selected:
        return "", None, "", "", "", ""
    index = next((i for i, r in enumerate(rows) if r["key"] == selected["key"]), None)
    if index is None:  # it left the filtered view (an overdue one just completed): look in the whole register
        rows = kb_for(request).recommendations()
        index = next((i for i, r in enumerate(rows) if r["key"] == selected["key"]), None)
    return rec_details_at(rows, index, request)


def rec_save(selected: dict[str, Any] | None, status_value: str, owner: str, due_date: str, note: str, by: str, evidence: str | None = None,
             why: str = "", agreed_by: str = "", request: gr.Request | None = None) -> str:
    """Save a person's change to the selected recommendation (refused if someone saved it since, or if their role may not)."""
    if not selected:
        raise gr.Error("Select a recommendation in the table first.")
    user = user_of(request)
    name = user or (by or "").strip()
    if not name:
        raise gr.Error("Type your name: every change is recorded with it.")
    try:
        row = kb_for(request).set_recommendation(selected["ref"], selected["doc"], name, status=status_value or None, owner=owner or None,
                                          due=due_date or None, note=note or None, ordinal=selected["ordinal"], parent=selected["parent"],
                                          expected_version=selected["version"], as_user=user, evidence=evidence or None, why=why or None,
                                          agreed_by=agreed_by or None)
    except KBError as exc:
        raise user_error(exc) from exc
    return f"Saved: {md_text(row['ref'])} is now **{md_text(row['status_label'])}** (by {md_text(name)})."


def rec_export(kind: str, request: gr.Request | None = None) -> str:
    """Write the register to a file for download."""
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="register-")) / f"recommendations.{'xlsx' if kind == 'Excel' else 'csv'}"
    try:
        kb_for(request).export_recommendations(path)
    except KBError as exc:
        raise user_error(exc) from exc
    return str(path)


def rec_chart(request: gr.Request | None = None) -> Any:
    """Statuses per report, for the dashboard chart."""
    import pandas as pd

    counts: dict[tuple[str, str], int] = {}
    for r in kb_for(request).recommendations():
        if r["parent"]:
            continue  # parts are counted through their recommendation
        key = (_short(r["report"], 40), r["status_label"])
        counts[key] = counts.get(key, 0) + 1
    return pd.DataFrame([{"report": k[0], "status": k[1], "recommendations": v} for k, v in sorted(counts.items())],
                        columns=["report", "status", "recommendations"])


def docs_table(request: gr.Request | None = None) -> Any:
    """The document list."""
    import pandas as pd

    return pd.DataFrame([[d["name"], d["marking"], KIND_LABELS.get(d["kind"], d["kind"]), d["date"] or "", d["pages"], d["chunks"], _short(d["title"], 90)]
                         for d in kb_for(request).documents()], columns=["File", "Marking", "Kind", "Date", "Pages", "Passages", "Title"])


def audit_table(who: str = "", action: str = "", request: gr.Request | None = None) -> Any:
    """The audit log, newest first (admins only; in single-user mode, the local user)."""
    import pandas as pd

    try:
        rows = kb_for(request).audit_log(500, (who or "").strip() or None, (action or "").strip() or None)
    except KBError as exc:
        raise user_error(exc) from exc
    return pd.DataFrame([[e["at"], e["user"], e["action"], _short(e["detail"], 160)] for e in rows], columns=["When (UTC)", "Who", "Action", "What"])


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

    try:
        reports = kb_for(request).add_files(pairs, progress=lambda i, n, name: progress((i, n), desc=f"Reading {name}" if name else "Done"),
                                            as_user=user_of(request), marking=marking or None, on_embed=embedding)
    except KBError as exc:
        raise user_error(exc) from exc
    lines = []
    for r in reports:
        if r.status == "failed":
            lines.append(f"- **{md_text(r.name)}**: not added. {md_text(r.error)}")
        else:
            extra = "".join(f"<br>&nbsp;&nbsp;warning: {md_text(w)}" for w in r.warnings)
            lines.append(f"- **{md_text(r.name)}**: {r.status}, {r.marking or 'OFFICIAL'}, {KIND_LABELS.get(r.kind, r.kind)}, {r.chunks} passages, "
                         f"{r.recommendations} recommendations{extra}")
    return "\n".join(lines)


def do_reingest(name: str, request: gr.Request | None = None) -> str:
    """Read a document again from its file; statuses people confirmed are kept."""
    if not name:
        raise gr.Error("Choose a document to read again.")
    try:
        reports = kb_for(request).reingest(name, as_user=user_of(request))
    except KBError as exc:
        raise user_error(exc) from exc
    return "; ".join(f"{md_text(r.name)}: read again, {r.chunks} passages, {r.recommendations} recommendations" if r.status != "failed"
                     else f"{md_text(r.name)}: {md_text(r.error)}" for r in reports)


def do_correct(name: str, kind: str, title: str, by: str = "", request: gr.Request | None = None) -> str:
    """Correct a document's kind or title (kept when it is read again); it is read again at once."""
    if not name:
        raise gr.Error("Choose the document to correct.")
    user = user_of(request)
    who = user or (by or "").strip()
    if not who:
        raise gr.Error("Type your name: every correction is recorded with it.")
    try:
        reports = kb_for(request).correct_document(name, who, kind=kind or None, title=(title or "").strip() or None, as_user=user)
    except KBError as exc:
        raise user_error(exc) from exc
    return "; ".join(f"{md_text(r.name)}: now {KIND_LABELS.get(r.kind, r.kind)}, titled \u201c{md_text(r.title)}\u201d" if r.status != "failed"
                     else f"{md_text(r.name)}: {md_text(r.error)}" for r in reports)


def do_delete(name: str, request: gr.Request | None = None) -> str:
    """Remove a document (its passages and vectors; recommendations people confirmed stay)."""
    if not name:
        raise gr.Error("Choose a document to remove.")
    try:
        removed = kb_for(request).delete(name, as_user=user_of(request))
    except KBError as exc:
        raise user_error(exc) from exc
    return f"Removed {md_text(name)} ({len(removed)} file{'s' if len(removed) != 1 else ''})."


def do_draft(doc: str, published: str, request: gr.Request | None = None) -> tuple[str, str]:
    """Draft handler: the s.55 draft as Markdown, and a Word file to download."""
    if not doc:
        raise gr.Error("Choose the report to respond to.")
    import tempfile

    try:
        d = kb_for(request).draft(doc, (published or "").strip() or None)
        path = d.to_docx(Path(tempfile.mkdtemp(prefix="draft-")) / f"draft-response-{Path(doc).stem}.docx")
    except KBError as exc:
        raise user_error(exc) from exc
    return markdown_draft(d), str(path)


def markdown_draft(d: Any) -> str:
    """A draft as Markdown, every text in it from a document shown as written (see md_text)."""
    from dataclasses import replace

    items = [replace(i, ref=md_text(i.ref), text=md_text(i.text), draft=md_text(i.draft)) for i in d.recommendations]
    sources = [replace(s, title=md_text(s.title), doc=md_text(s.doc), quote=md_text(s.quote), date=s.date and md_text(s.date)) for s in d.sources]
    return str(replace(d, report=md_text(d.report), recommendations=items, sources=sources).to_markdown())


def status(request: gr.Request | None = None) -> str:
    """One line on what this user can read, and who they are."""
    view = kb_for(request)
    s = view.counts()
    if view.user:
        who = f"Logged in as **{md_text(view.user)}** ({md_text(view.users.role(view.user))}, cleared for {md_text(view.users.clearance(view.user))})."
    else:
        who = "Single-user mode: this app is served on this computer only (127.0.0.1)."
    return f"**{s['documents']}** documents, **{s['chunks']}** passages you can read. {who}"


def check_login(username: str, password: str) -> bool:
    """Gradio's login check against the users table (scrypt)."""
    return get_kb().users.check(username, password)


def launch_options(knowledge: KB) -> dict[str, Any]:
    """How to serve: with logins when users exist; otherwise on this computer only."""
    if knowledge.users.any():
        return {"server_name": knowledge.config.host, "server_port": knowledge.config.port, "auth": check_login,
                "auth_message": "OPCC knowledge base: log in with the name and password your administrator gave you."}
    if knowledge.config.host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("no users are defined (kb users add NAME --role R): serving on 127.0.0.1 only, not %s", knowledge.config.host)
    return {"server_name": "127.0.0.1", "server_port": knowledge.config.port}


def doc_choices(request: gr.Request | None = None) -> gr.Dropdown:
    """The document filter's choices, read when the page loads."""
    return gr.Dropdown(choices=[d["name"] for d in kb_for(request).documents()])


def build() -> gr.Blocks:
    """The app's layout and wiring."""
    with gr.Blocks(title="OPCC knowledge base") as demo:
        gr.Markdown("# OPCC knowledge base\nSearch inspection reports, force and PCC responses, and FOI disclosures. Nothing leaves this computer.")
        info = gr.Markdown()
        dash_refresh, dash_outputs, dash_show = dashboard.tab()
        with gr.Tab("Search"):
            with gr.Row():
                query = gr.Textbox(label="Search", placeholder="e.g. which tool is used to prioritise online child abuse referrals", scale=4, elem_id="query")
                button = gr.Button("Search", variant="primary", scale=1, elem_id="search-button")
            with gr.Accordion("Filters and options", open=False):
                with gr.Row():
                    mode = gr.Radio(list(MODES), value="hybrid", label="Method", info="hybrid = words and meaning together")
                    k = gr.Slider(1, 50, value=10, step=1, label="Number of results")
                with gr.Row():
                    kinds = gr.CheckboxGroup(choices=[(v, key) for key, v in KIND_LABELS.items()], label="Document kind")
                    docs = gr.Dropdown(choices=[], multiselect=True, label="Documents")
                with gr.Row():
                    date_from = gr.Textbox(label="From date", placeholder="YYYY-MM-DD")
                    date_to = gr.Textbox(label="To date", placeholder="YYYY-MM-DD")
            results = gr.HTML(elem_id="results")
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
        with gr.Tab("Recommendations"):
            with gr.Row():
                rec_status = gr.Dropdown(["all", *STATUS_CHOICES], value="all", label="Status")
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
        log_show, log_open, log_outputs = foi_log.tab()
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
        with gr.Tab("Documents"):
            uploads = gr.File(label="Add documents (PDF, DOCX, HTML, TXT, MD)", file_count="multiple", elem_id="uploads")
            upload_marking = gr.Radio(["OFFICIAL", "OFFICIAL-SENSITIVE"], value="OFFICIAL", label="Protective marking",
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
        with gr.Tab("Audit"):
            gr.Markdown("Who searched, asked, changed or exported what (admins only).")
            with gr.Row():
                audit_who = gr.Textbox(label="User", scale=2)
                audit_action = gr.Dropdown(["", *AUDIT_ACTIONS], value="", label="Action", scale=2)
                audit_button = gr.Button("Show", scale=1)
            audit_grid = gr.Dataframe(interactive=False, wrap=True, elem_id="audit-log")
            audit_button.click(audit_table, [audit_who, audit_action], audit_grid)
        inputs = [query, mode, k, kinds, docs, date_from, date_to]
        button.click(do_search, inputs, results)
        query.submit(do_search, inputs, results)
        demo.load(status, None, info)
        demo.load(doc_choices, None, docs)
        demo.load(doc_choices, None, rec_doc)
        demo.load(doc_choices, None, doc_to_delete)
        demo.load(doc_choices, None, draft_doc)
        demo.load(rec_table, show, [rec_grid, rec_rows])
        demo.load(rec_chart, None, rec_plot)
        demo.load(dash_show, None, dash_outputs)
        demo.load(log_show, log_open, log_outputs)
        demo.load(docs_table, None, doc_list)
    return demo


demo = build()


def serve(kb_: KB | None = None) -> None:
    """Ingest corpus/ if the data home is empty, then serve the app (blocks until stopped)."""
    knowledge = kb_ or get_kb()
    _state["kb"] = knowledge
    reports = knowledge.ensure_corpus(progress=lambda i, n, name: log.info("ingesting %d/%d %s", i + 1, n, name) if name else None)
    for r in reports:
        log.info("%s %s (%d chunks)%s", r.status, r.name, r.chunks, f": {r.error}" if r.error else "")
    threading.Thread(target=knowledge.warm, name="warm-up", daemon=True).start()
    demo.queue().launch(**launch_options(knowledge))


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    log.setLevel(logging.INFO)  # the app's own progress lines, without the libraries' chatter
    log.info("starting: the first start indexes corpus/ (about 20 seconds), then serves http://%s:%s", get_kb().config.host, get_kb().config.port)
    serve()
