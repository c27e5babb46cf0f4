"""The ``kb`` command line (contract in docs/ARCHITECTURE.md). Expected failures print one line and exit 1."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from typing import Any

from kb.cli import admin as cli_admin

from kb.cli import docs as cli_docs

from kb.cli import find as cli_find

from kb.cli import work as cli_work
from kb.errors import KBError
from kb.search.hybrid import MODES
from kb.store.filters import MARKINGS
from kb.access.users import ROLES

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


COMMANDS: dict[str, Callable[[Any, argparse.Namespace], int]] = {
    "ingest": cli_docs.ingest, "docs": cli_docs.docs, "delete": cli_docs.delete, "draft": cli_docs.draft, "glossary": cli_docs.glossary,
    "search": cli_find.search, "ask": cli_find.ask, "recs": cli_find.recs, "foi": cli_find.foi,
    "dashboard": cli_work.dashboard, "report": cli_work.report,
    "users": cli_admin.users, "mark": cli_admin.mark, "audit": cli_admin.audit, "backup": cli_admin.backup, "restore": cli_admin.restore,
    "stats": cli_admin.stats, "serve": cli_admin.serve,
}  # each subcommand and its handler ("config" needs no data home: main runs it first)


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
            return cli_admin.config(args)
        from kb.service import KB

        kb = KB(home=args.home)
        if args.command in ("search", "ask") and getattr(args, "mode", "hybrid") != "lexical":
            kb.prepare_queries()  # Chroma's import (~1.2 s) overlaps the rest of the start
        return COMMANDS[args.command](kb, args)
    except KBError as exc:
        print(f"kb: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kb: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
