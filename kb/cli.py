"""The ``kb`` command line (contract in docs/ARCHITECTURE.md). Expected failures print one line and exit 1."""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kb import cli_work
from kb.errors import ConfigError, InputError, KBError
from kb.labels import value_label
from kb.search import MODES
from kb.store import MARKINGS
from kb.users import ROLES

EXAMPLES = """examples:
  kb ingest corpus/
  kb search "which tool prioritises online child abuse referrals" --k 5
  kb search "high harm offender management unit" --mode lexical --json
  kb search - --json < queries.txt
  kb docs
  kb serve
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kb", description="Offline knowledge base of inspection reports, responses and FOI disclosures.",
                                epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--home", help="data home folder (default: $KB_HOME or ./data)")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress details to stderr")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("ingest", help="add or update documents (files or folders)", epilog="example: kb ingest corpus/ new-report.pdf")
    s.add_argument("paths", nargs="+", metavar="PATH")
    s.add_argument("--prune", action="store_true", help="also remove documents whose files were deleted from these folders")
    s.add_argument("--marking", choices=MARKINGS, help="protective marking for these files (raises, never lowers, what a document prints)")
    s.add_argument("--json", action="store_true", help="one JSON line per file")

    s = sub.add_parser("search", help="search passages", epilog='example: kb search "MAPPA training" --k 5 --kind pcc_response')
    s.add_argument("query", metavar="QUERY", help="the search text, or - to read one query per line from standard input")
    s.add_argument("--k", type=int, default=10, help="number of results (default 10)")
    s.add_argument("--mode", choices=MODES, default="hybrid", help="hybrid (default), lexical or dense")
    s.add_argument("--kind", action="append", default=[], help="only this document kind (repeatable)")
    s.add_argument("--doc", action="append", default=[], help="only this document, by file name (repeatable)")
    s.add_argument("--from", dest="date_from", help="only documents dated on or after YYYY-MM-DD")
    s.add_argument("--to", dest="date_to", help="only documents dated on or before YYYY-MM-DD")
    s.add_argument("--json", action="store_true", help="JSON lines: one per hit")

    s = sub.add_parser("ask", help="a cited answer: quoted sentences, each with its source",
                       epilog='example: kb ask "Which teams manage high-harm offenders if there is no specialist unit?"')
    s.add_argument("question", metavar="QUESTION", help="the question, or - to read one per line from standard input")
    s.add_argument("--kind", action="append", default=[], help="only this document kind (repeatable)")
    s.add_argument("--doc", action="append", default=[], help="only this document (repeatable)")
    s.add_argument("--quotes", action="store_true", help="quoted sentences only, even when an LLM is configured")
    s.add_argument("--json", action="store_true", help="one JSON line per question")

    s = sub.add_parser("foi", help="FOI disclosures, precedents for a new request, and the 20-working-day clock",
                       epilog="examples:\n  kb foi --json\n  kb foi similar \"How are high-harm domestic abuse offenders chosen for management?\"\n"
                              "  kb foi similar - < request.txt\n  kb foi due 2026-12-18\n  kb foi due 2026-12-18 --clarified 2027-01-05",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("--json", action="store_true")
    fs = s.add_subparsers(dest="foi_command", metavar="ACTION")
    t = fs.add_parser("similar", help="earlier disclosures for a new request, best first")
    t.add_argument("text", help="the request, or - to read it from standard input")
    t.add_argument("--k", type=int, default=3, help="precedents per question (default 3)")
    t.add_argument("--json", action="store_true")
    t = fs.add_parser("due", help="the due date of a request (20 working days, England and Wales bank holidays)")
    t.add_argument("received", help="the date the request was received, YYYY-MM-DD")
    t.add_argument("--clarified", help="the date the requester's clarification arrived (the clock restarts)")
    t.add_argument("--extended", action="store_true", help="count the public-interest extension (40 working days)")
    t.add_argument("--today", help="judge 'days left' as of this date (default: today)")
    t.add_argument("--json", action="store_true")
    cli_work.add_foi(fs)

    s = sub.add_parser("users", help="people who may log in to the app", epilog="examples:\n  kb users add 'Jane Davies' --role editor\n"
                       "  echo \"$PASSWORD\" | kb users add viewer1 --role viewer\n  kb users list", formatter_class=argparse.RawDescriptionHelpFormatter)
    us = s.add_subparsers(dest="users_command", metavar="ACTION")
    t = us.add_parser("add", help="add a user (or change a user's role and password); the password is asked for, or read from standard input")
    t.add_argument("name")
    t.add_argument("--role", required=True, choices=list(ROLES))
    t.add_argument("--clearance", choices=MARKINGS, default=MARKINGS[0],
                   help=f"the highest protective marking the user may read (default {MARKINGS[0]})")
    us.add_parser("list", help="names, roles and clearances")

    s = sub.add_parser("mark", help="set a document's protective marking", epilog="example: kb mark tasking-review.pdf OFFICIAL-SENSITIVE")
    s.add_argument("name", help="file name (as in kb docs)")
    s.add_argument("marking", choices=MARKINGS)

    s = sub.add_parser("audit", help="who searched, asked, changed or exported what, newest first", epilog="example: kb audit --user 'Jane Davies'")
    s.add_argument("--user", help="only this user")
    s.add_argument("--action", help="only this action (search, ask, register change, export register, ingest, delete, backup, ...)")
    s.add_argument("--limit", type=int, default=100, help="how many entries (default 100)")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("backup", help="write the whole data home to a .zip (documents, vectors, register, FOI, users, audit, uploads)",
                       epilog="example: kb backup backups/kb-2026-11-23.zip")
    s.add_argument("file")
    s = sub.add_parser("restore", help="restore a backup into an empty data home", epilog="example: KB_HOME=data-restored kb restore kb-2026-11-23.zip")
    s.add_argument("file")

    s = sub.add_parser("draft", help="a cited section 55 response draft for a published report",
                       epilog="example: kb draft hmicfrs-report.pdf --published 2026-11-15 --docx draft.docx")
    s.add_argument("doc", help="the report's file name (as in kb docs)")
    s.add_argument("--published", help="publication date YYYY-MM-DD (default: read from the document)")
    s.add_argument("--lead-days", type=int, default=14, help="days before the deadline the chief constable's comments are needed (default 14)")
    s.add_argument("--json", action="store_true")
    s.add_argument("--docx", help="also write the draft to this Word file")
    s.add_argument("--markdown", help="also write the draft to this Markdown file")

    s = sub.add_parser("glossary", help="acronyms found in the corpus", epilog="example: kb glossary")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("docs", help="list ingested documents, or correct one's kind or title",
                       epilog="examples:\n  kb docs --json\n  kb docs set foi-552-25.html --kind foi_disclosure --title 'FOI 552/25 Sex offenders' --by 'Jane Davies'",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("--json", action="store_true")
    ds = s.add_subparsers(dest="docs_command")
    t = ds.add_parser("set", help="correct a document's kind or title (kept when the file is read again)")
    t.add_argument("name", help="file name (as in kb docs)")
    t.add_argument("--kind", help="inspection_report, pcc_response, force_response, foi_disclosure, guidance, other")
    t.add_argument("--title")
    t.add_argument("--by", default=None, help="your name (recorded; default: your login name)")

    s = sub.add_parser("delete", help="remove a document and its chunks and vectors", epilog="example: kb delete old-report.pdf")
    s.add_argument("name", help="file name (as in kb docs) or full path")

    s = sub.add_parser("recs", help="the recommendation register (list, set, export, history)",
                       epilog="examples:\n  kb recs --overdue\n  kb recs --status in_progress --json\n"
                              "  kb recs set 11 --doc force-response.txt --ordinal 2 --status complete --by 'A. Jones' --note 'audit done'\n"
                              "  kb recs export register.xlsx\n  kb recs history A --doc pcc-response.txt",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("--status", help="only this status")
    s.add_argument("--overdue", action="store_true", help="only recommendations past their deadline and not closed")
    s.add_argument("--doc", help="only recommendations stated in this document (file name)")
    s.add_argument("--words", help="only those whose report, theme, owner, addressee or text hold all these words (as the app's filter)")
    s.add_argument("--today", help=argparse.SUPPRESS)  # fixes 'today' for tests and evals
    s.add_argument("--json", action="store_true", help="JSON lines: one per recommendation")
    rs = s.add_subparsers(dest="recs_command", metavar="ACTION")
    t = rs.add_parser("set", help="change status, owner, due date or note (recorded with your name)")
    t.add_argument("ref", help="the ref as printed: 14, 11, B")
    t.add_argument("--doc", required=True, help="a document that states it (file name)")
    t.add_argument("--status", help="not_started, planned, in_progress, complete, superseded, not_applicable, unknown")
    t.add_argument("--by", required=True, help="your name (recorded in the history)")
    t.add_argument("--owner")
    t.add_argument("--due", help="YYYY-MM-DD")
    t.add_argument("--note")
    t.add_argument("--ordinal", type=int, help="which one, when a ref is printed twice (1, 2)")
    t.add_argument("--parent", help="for a lettered part: its recommendation's ref")
    t.add_argument("--version", type=int, help="the version you read (kb recs shows it as v3, --json as 'version'): "
                                                "a change someone else made since is refused, as in the app")
    t.add_argument("--evidence", metavar="CHUNK_ID", help="with --status complete: the passage that shows it (a chunk_id from kb search --json)")
    t.add_argument("--why", help="with --due: the reason the due date changes")
    t.add_argument("--agreed-by", dest="agreed_by", help="with --due: who agreed the revised date")
    cli_work.add_verify(rs, _rec_target)
    t = rs.add_parser("export", help="write the register to FILE.csv or FILE.xlsx")
    t.add_argument("file")
    _rec_target(rs.add_parser("related", help="recommendations from other reports most alike in meaning"))
    _rec_target(rs.add_parser("history", help="every change and what each document said"))
    cli_work.add_dashboard(sub)
    cli_work.add_report(sub)
    sub.add_parser("stats", help="counts of documents, chunks and vectors", epilog="example: kb stats")
    sub.add_parser("config", help="every setting with its environment variable and default", epilog="example: kb config")
    sub.add_parser("serve", help="run the web app (same as: python app.py)", epilog="example: KB_PORT=8080 kb serve")
    return p


def _rec_target(t: argparse.ArgumentParser) -> None:
    """The arguments that name one recommendation."""
    t.add_argument("ref", help="the ref as printed: 14, 11, B")
    t.add_argument("--doc", required=True, help="a document that states it (file name)")
    t.add_argument("--ordinal", type=int, help="which one, when a ref is printed twice (1, 2)")
    t.add_argument("--parent", help="for a lettered part: its recommendation's ref")
    t.add_argument("--json", action="store_true")


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def plain(text: object, limit: int | None = None) -> str:
    """Text for one line of the terminal: control characters (a newline in a file name, a bidi
    override) shown as escapes, and at most ``limit`` characters, saying how long it was."""
    out = _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), str(text))
    if limit is not None and len(out) > limit:
        out = f"{out[:limit]}... ({len(str(text)):,} characters)"
    return out


def _emit(rows: list[dict[str, Any]], as_json: bool, line: Callable[[dict[str, Any]], str], empty: str) -> None:
    """Rows as JSON lines, or one readable line each (with a message when there are none)."""
    for r in rows:
        print(json.dumps(r, ensure_ascii=False) if as_json else line(r))
    if not rows and not as_json:
        print(empty)


def _queries(text: str) -> Iterator[str]:
    if text == "-":
        for line in sys.stdin:
            if line.strip():
                yield line.strip()
    else:
        yield text


def _print_reports(reports: list[Any], as_json: bool) -> int:
    failed = 0
    for r in reports:
        failed += r.status == "failed"
        if as_json:
            print(json.dumps(r.to_json(), ensure_ascii=False))
            continue
        if r.status == "failed":
            print(f"FAILED     {plain(r.name)}: {plain(r.error)}")
            continue
        if r.status == "skipped":
            print(f"skipped    {plain(r.name)}: {plain('; '.join(r.warnings))}")
            continue
        detail = f"{r.kind}, {r.pages} pages, {r.chunks} chunks" if r.pages else f"{r.kind}, {r.chunks} chunks"
        print(f"{r.status:<10} {plain(r.name)} ({detail}; {r.embedded} embedded, {r.seconds:.1f}s)")
        for w in r.warnings:
            print(f"           warning: {plain(w)}")
    if not as_json:
        counts: dict[str, int] = {}
        for r in reports:
            counts[r.status] = counts.get(r.status, 0) + 1
        print("total: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) if counts else "no files found")
    return 1 if failed else 0


def _ingest(kb: Any, args: argparse.Namespace) -> int:
    bar: Any = None

    def progress(i: int, n: int, name: str) -> None:
        nonlocal bar
        if n <= 3:
            return
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=n, unit="file", file=sys.stderr, desc="ingesting")
        bar.n = i
        bar.set_postfix_str(name[:40])
        bar.refresh()

    passages: Any = None

    def on_embed(done: int, total: int, name: str, seconds_left: float) -> None:
        """A bar of passages for a long job (a large file, or many files): tqdm shows the time left."""
        nonlocal passages
        if total <= 2 * kb.config.embed_group:  # a bar only for work of several groups (a large file, many files)
            return
        if passages is None:
            from tqdm import tqdm

            passages = tqdm(total=total, unit="passage", file=sys.stderr, desc="embedding", mininterval=1.0)
        passages.n = done
        passages.set_postfix_str(name[:40])
        passages.refresh()
        if done >= total:
            passages.close()
            passages = None

    reports = kb.ingest(args.paths, progress=progress, marking=args.marking, on_embed=on_embed)
    for b in (bar, passages):
        if b is not None:
            b.close()
    if args.prune:
        for path in kb.prune([p for p in args.paths]):
            print(f"removed    {path} (file deleted)")
    return _print_reports(reports, args.json)


def _search(kb: Any, args: argparse.Namespace) -> int:
    for query in _queries(args.query):
        hits = kb.search(query, k=args.k, mode=args.mode, kinds=args.kind, docs=args.doc, date_from=args.date_from, date_to=args.date_to)
        if args.json:
            for h in hits:
                row = h.to_json()
                if len(query) > QUERY_ECHO:  # a 100 KB query is not echoed back on every line
                    row["query"], row["query_truncated"] = query[:QUERY_ECHO], True
                print(json.dumps(row, ensure_ascii=False), flush=True)
            continue
        print(f'"{plain(query, 200)}": {len(hits)} result{"s" if len(hits) != 1 else ""}')
        for h in hits:
            where = f"p.{h.page}" if h.page else ""
            ref = f"Recommendation {h.ref}" if h.ref else h.section
            print(f"{h.rank:>3}. {h.doc} {where} [{ref}] ({h.kind}, {h.date or 'undated'}) score {h.score:.3f}")
            print(textwrap.indent(textwrap.fill(" ".join(h.text.split())[:400], 100), "     "))
        sys.stdout.flush()
    return 0


QUERY_ECHO = 1000  # characters of a query repeated in each JSON hit

REC_FIELDS = ["doc", "ref", "ordinal", "parent", "text", "addressee", "deadline", "theme", "status", "status_evidence", "status_source", "overdue"]


def _recs(kb: Any, args: argparse.Namespace) -> int:
    from datetime import date

    today = date.fromisoformat(args.today) if args.today else None
    if args.recs_command == "set":
        before = kb.recommendation(args.ref, args.doc, args.ordinal, args.parent)
        row = kb.set_recommendation(args.ref, args.doc, args.by, status=args.status, owner=args.owner, due=args.due, note=args.note,
                                    ordinal=args.ordinal, parent=args.parent, expected_version=args.version, evidence=args.evidence,
                                    why=args.why, agreed_by=args.agreed_by)
        revised = f" (originally {row['original_due']})" if row["original_due"] and row["original_due"] != row["due"] else ""
        print(f"{row['ref']} ({row['doc']}): {row['status_label']} ({row['status_source']} by {row['status_by']}), owner {row['owner'] or '-'}, "
              f"due {row['due'] or row['deadline'] or '-'}{revised}, now v{row['version']}")
        if args.version is None and before["status_source"] == "confirmed" and before["status_by"] != args.by:
            print(f"  it was {before['status']} (confirmed by {before['status_by']} at {before['status_at']}, v{before['version']}); "
                  f"pass --version to refuse a change made since you looked")
        return 0
    if args.recs_command == "verify":
        return cli_work.verify(kb, args)
    if args.recs_command == "export":
        n = kb.export_recommendations(args.file, today=today)
        print(f"wrote {n} recommendations to {args.file}")
        return 0
    if args.recs_command == "related":
        related = [{k: r[k] for k in ("doc", "ref", "ordinal", "report", "text", "status", "similarity")}
                   for r in kb.related_recommendations(args.ref, args.doc, args.ordinal, args.parent)]
        _emit(related, args.json, lambda r: f"{r['similarity']:.2f}  {r['doc']} {r['ref']} [{r['status']}]  {r['text'][:90]}",
              "no similar recommendation in other reports")
        return 0
    if args.recs_command == "history":
        h = kb.recommendation_history(args.ref, args.doc, args.ordinal, args.parent)
        if args.json:
            print(json.dumps(h, ensure_ascii=False))
            return 0
        print("What each document said:")
        for s in h["statements"]:
            flag = f" [proposed update: {s['proposal']}]" if s["proposal"] != "none" else ""
            print(f"  {s['doc_date'] or 'undated'}  {s['doc']} p.{s['page'] or '-'}: {value_label('status', s['status'])}{flag}  \u201c{s['quote'][:120]}\u201d")
        print("History:")
        for e in h["history"]:
            print(f"  {e['at']}  {e['by']}: {e['field']} {value_label(e['field'], e['old'])} -> {value_label(e['field'], e['new'])}"
                  + (f"  ({e['why']})" if e["why"] else ""))
        return 0
    rows = kb.recommendations(status=args.status, overdue=args.overdue, doc=args.doc, today=today, words=args.words)
    for r in rows:
        if args.json:
            print(json.dumps({**{k: r[k] for k in REC_FIELDS}, **{k: v for k, v in r.items() if k not in REC_FIELDS}}, ensure_ascii=False))
            continue
        late = f"  OVERDUE {r['days_overdue']} days" if r["overdue"] else ""
        ref = f"{r['parent']}{r['ref']}" if r["parent"] else (r["ref"] or "-")
        print(f"{r['doc'][:40]:<40} {ref:>4} v{r['version']:<3} {r['status_label']:<32} {r['due'] or r['deadline'] or '-':<10}{late}  {r['text'][:70]}")
    if not args.json:
        print(f"{len(rows)} recommendation{'s' if len(rows) != 1 else ''}")
    return 0


def _ask(kb: Any, args: argparse.Namespace) -> int:
    for question in _queries(args.question):
        a = kb.ask(question, kinds=args.kind, docs=args.doc, written=False if args.quotes else None)
        if args.json:
            print(json.dumps(a.to_json(), ensure_ascii=False), flush=True)
            continue
        print(f"Q: {a.question}")
        print(textwrap.fill(a.answer, 100))
        for c in a.citations:
            where = f", page {c.page}" if c.page else ""
            ref = f", Recommendation {c.ref}" if c.ref else (f", {c.section}" if c.section else "")
            print(f"  [{c.n}] {c.title} ({c.doc}, {c.kind}, {c.date or 'undated'}{where}{ref})")
        for d in a.dropped:
            print(f"  (removed, {d['why']}: {d['sentence'][:100]})")
        if a.warning:
            print(f"  note: {a.warning}")
        if a.abstained and a.closest:
            print("  Closest documents: " + "; ".join(f"{d['title'][:70]} ({d['doc']})" for d in a.closest))
        print(flush=True)
    return 0


def _foi(kb: Any, args: argparse.Namespace) -> int:
    from dataclasses import asdict
    from datetime import date

    if args.foi_command == "log":
        return cli_work.foi_log(kb, args)
    if args.foi_command == "stats":
        return cli_work.foi_stats(kb, args)
    if args.foi_command == "due":
        c = kb.foi_due(args.received, args.clarified, date.fromisoformat(args.today) if args.today else None, args.extended)
        if args.json:
            print(json.dumps(c.to_json()))
            return 0
        restart = f" (clock restarted on {c.clock_starts})" if c.clock_starts != c.received else ""
        print(f"received {c.received}{restart}: due {c.due}; {c.status} as of {c.today}")
        print(f"with the public-interest extension: {c.public_interest_due}")
        if c.skipped_holidays:
            print("bank holidays skipped: " + ", ".join(c.skipped_holidays))
        return 0
    if args.foi_command == "similar":
        text = sys.stdin.read() if args.text == "-" else args.text
        result = kb.foi_similar(text, k=args.k)
        if args.json:
            print(json.dumps({"documents": result["documents"], "questions": [asdict(q) for q in result["questions"]]}, ensure_ascii=False))
            return 0
        if result["documents"]:
            print("Closest earlier disclosures: " + "; ".join(f"{d['doc']} ({d['best_similarity']:.2f})" for d in result["documents"][:5]))
        for i, q in enumerate(result["questions"], start=1):
            print(f"\nQuestion {i}: {q.question}")
            for p in q.precedents:
                flag = "  NEAR-IDENTICAL" if p.near_identical else ""
                print(f"  {p.similarity:.2f} {p.reference or p.doc} Q{p.n} ({p.doc}, disclosed {p.disclosed or '?'}){flag}: {p.question[:90]}")
                print(f"       answer: {p.answer[:160]}" + (f"  [exemptions: {', '.join(p.exemptions)}]" if p.exemptions else ""))
                if p.published:
                    print(f"       {p.published}")
            for d in q.differences:
                print(f"  ! {d}")
        return 0
    records = kb.foi_records()
    _emit(records, args.json, lambda r: f"{r['reference'] or '-':<14} {r['disclosed'] or '-':<10} {r['outcome']:<24} "
                                         f"{', '.join(r['exemptions']) or '-':<16} {len(r['questions'])} questions  {r['doc']}",
          "no FOI disclosures indexed")
    return 0


def _serve(kb: Any) -> int:
    """Run app.py (the top floor) without importing it from here: imports point down only."""
    import runpy


    script = Path(__file__).resolve().parent.parent / "app.py"
    if not script.is_file():
        raise ConfigError(f"app.py not found next to the kb package ({script}); run the app from the project folder: python app.py")
    import os

    os.environ["KB_HOME"] = str(kb.config.home)  # a --home flag reaches the app through its config
    kb.store.close()
    runpy.run_path(str(script), run_name="__main__")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kb`` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if not args.command:
        parser.print_help()
        return 2
    try:
        if args.command == "config":
            from kb.config import describe

            for name, env, default, help_ in describe():
                print(f"{name:<13} {env:<16} default: {default:<12} {help_}")
            return 0
        from kb.service import KB

        kb = KB(home=args.home)
        if args.command in ("search", "ask") and getattr(args, "mode", "hybrid") != "lexical":
            kb.prepare_queries()  # Chroma's import (~1.2 s) overlaps the rest of the start
        if args.command == "ingest":
            return _ingest(kb, args)
        if args.command == "search":
            return _search(kb, args)
        if args.command == "ask":
            return _ask(kb, args)
        if args.command == "draft":
            d = kb.draft(args.doc, args.published, args.lead_days)
            if args.docx:
                d.to_docx(args.docx)
            if args.markdown:
                Path(args.markdown).write_text(d.to_markdown(), encoding="utf-8")
            if args.json:
                data = d.to_json()
                out = {"report": data["report"], "published": data["published"], "due": data["due"],
                       "recommendations": [{k: r[k] for k in ("ref", "text", "addressee", "applies_to_force", "related", "prior_statements",
                                                               "other_responses", "draft")} for r in data["recommendations"]],
                       "chief_constable_due": data["chief_constable_due"], "sources": data["sources"]}
                print(json.dumps(out, ensure_ascii=False))
            else:
                print(d.to_markdown())
            return 0
        if args.command == "glossary":
            rows = [{"acronym": a, "expansion": e, "documents": n} for a, e, n in kb.glossary()]
            _emit(rows, args.json, lambda r: f"{r['acronym']:<10} {r['expansion']}" + (f"  ({r['documents']} documents)" if r["documents"] > 1 else ""),
                  "no acronyms found yet")
            return 0
        if args.command == "recs":
            return _recs(kb, args)
        if args.command == "foi":
            return _foi(kb, args)
        if args.command == "users":
            if args.users_command == "add":
                if sys.stdin.isatty():
                    import getpass

                    password = getpass.getpass(f"password for {args.name}: ")
                    if getpass.getpass("again: ") != password:
                        raise InputError("the two passwords differ")
                else:
                    password = sys.stdin.readline().rstrip("\n")
                kb.add_user(args.name, args.role, password, clearance=args.clearance)
                print(f"{args.name} can now log in as {args.role}, cleared for {args.clearance}")
                return 0
            for u in kb.users.list():
                print(f"{u['name']:<30} {u['role']:<8} {u['clearance']:<20} added {u['created_at']}")
            return 0
        if args.command == "mark":
            kb.mark(args.name, args.marking)
            print(f"{args.name} is now {args.marking}")
            return 0
        if args.command == "audit":
            _emit(kb.audit_log(args.limit, args.user, args.action), args.json,
                  lambda e: f"{e['at']}  {e['user']:<24} {e['action']:<16} {e['detail'][:100]}", "the audit log is empty")
            return 0
        if args.command == "backup":
            m = kb.backup(args.file)
            c = m["counts"]
            print(f"backed up {c['documents']} documents, {c['chunks']} passages, {c['vectors']} vectors, {c['recommendations']} recommendations "
                  f"({c['rec_history']} history entries), {c['foi_records']} FOI records and {c['users']} users to {args.file}")
            return 0
        if args.command == "restore":
            m = kb.restore(args.file)
            c = m["counts"]
            print(f"restored {c['documents']} documents, {c['vectors']} vectors, {c['recommendations']} recommendations and {c['users']} users "
                  f"from a backup made {m['created_at']} into {kb.config.home}")
            return 0
        if args.command == "docs" and args.docs_command == "set":
            import getpass

            reports = kb.correct_document(args.name, args.by or getpass.getuser(), kind=args.kind, title=args.title)
            for r in reports:
                print(f"{plain(r.name)}: now {r.kind}, titled {plain(r.title, 120)!r}" if r.status != "failed" else f"FAILED     {plain(r.name)}: {plain(r.error)}")
            return 1 if any(r.status == "failed" for r in reports) else 0
        if args.command == "docs":
            _emit(kb.documents(), args.json,
                  lambda d: f"{plain(d['name'])}  [{d['marking']}, {d['kind']}, {d['date'] or 'undated'}, {d['pages']} pages, {d['chunks']} chunks]  "
                            f"{plain(d['title'], 90)}",
                  "no documents yet: kb ingest corpus/")
            return 0
        if args.command == "delete":
            for path in kb.delete(args.name):
                print(f"removed {path}")
            return 0
        if args.command == "dashboard":
            return cli_work.dashboard(kb, args)
        if args.command == "report":
            return cli_work.report(kb, args)
        if args.command == "stats":
            print(json.dumps(kb.stats(), indent=2))
            return 0
        if args.command == "serve":
            return _serve(kb)
    except KBError as exc:
        print(f"kb: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kb: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
