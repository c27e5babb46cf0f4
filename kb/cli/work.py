"""The ``kb`` commands of the teams' processes: ``kb dashboard``, ``kb recs verify``, ``kb foi log``,
``kb foi stats`` and ``kb report board`` (contract in docs/ARCHITECTURE.md). Each adds its parser
to the CLI's and has its handler here; the library does the work (``KB.workflow``).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import date
from typing import Any

from kb.foi.log import EVENT_KINDS, REVIEW_OUTCOMES
from kb.labels import OUTCOME_LABELS, value_label


def _me() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "console"


def _today(args: argparse.Namespace) -> date | None:
    return date.fromisoformat(args.today) if getattr(args, "today", None) else None


def add_dashboard(sub: Any) -> None:
    s = sub.add_parser("dashboard", help="where the register and the FOI log stand today", epilog="example: kb dashboard --json")
    s.add_argument("--json", action="store_true", help="one JSON object (status codes, with labels beside them)")
    s.add_argument("--today", help=argparse.SUPPRESS)


def add_report(sub: Any) -> None:
    s = sub.add_parser("report", help="reports to take to a meeting", epilog="example: kb report board board-2026-12.docx --from 2026-04-01")
    rs = s.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    t = rs.add_parser("board", help="the board report (.docx): counts, chart, overdue, each report's recommendations with evidence, FOI performance")
    t.add_argument("file")
    t.add_argument("--from", dest="date_from", help="FOI figures for requests received from YYYY-MM-DD (default: 1 January)")
    t.add_argument("--to", dest="date_to", help="... up to YYYY-MM-DD (default: today)")
    t.add_argument("--today", help=argparse.SUPPRESS)


def add_verify(rs: Any, target: Any) -> None:
    t = rs.add_parser("verify", help="verify a proposed complete (a verifier or admin, not its proposer), or send it back with --reject --why")
    target(t)
    t.add_argument("--by", required=True, help="your name (recorded; it must not be the proposer's)")
    t.add_argument("--reject", action="store_true", help="send it back: the status it had returns")
    t.add_argument("--why", help="the reason (needed with --reject)")
    t.add_argument("--version", type=int, help="the version you read: refused if someone changed it since")


def add_foi(fs: Any) -> None:
    t = fs.add_parser("log", help="the FOI request log: open requests against the clock, adding requests and events",
                      epilog="examples:\n  kb foi log --open\n  kb foi log add --ref FOI-2026-0412 --received 2026-11-30 --officer 'Sam Hughes' request.txt\n"
                             "  kb foi log event FOI-2026-0412 clarification_asked 2026-12-02 --note 'which years?'\n"
                             "  kb foi log event FOI-2026-0412 responded 2026-12-20 --outcome disclosed_in_part --exemptions 's40(2)' --response reply.txt\n"
                             "  kb foi log export disclosure-log.csv", formatter_class=argparse.RawDescriptionHelpFormatter)
    t.add_argument("--open", action="store_true", help="only requests still to be answered")
    t.add_argument("--json", action="store_true", help="one JSON line per request")
    t.add_argument("--today", help=argparse.SUPPRESS)
    ls = t.add_subparsers(dest="log_command", metavar="ACTION")
    a = ls.add_parser("add", help="log a new request (its due date is worked out; earlier disclosures are attached)")
    a.add_argument("file", metavar="FILE", help="the request's text, or - to read it from standard input")
    a.add_argument("--ref", required=True, help="the request's reference")
    a.add_argument("--received", required=True, help="the date it was received, YYYY-MM-DD")
    a.add_argument("--officer", help="the officer it is assigned to")
    a.add_argument("--by", help="your name (default: your login name)")
    a.add_argument("--json", action="store_true")
    a.add_argument("--today", help=argparse.SUPPRESS)
    e = ls.add_parser("event", help="add a dated event: " + ", ".join(EVENT_KINDS))
    e.add_argument("ref")
    e.add_argument("kind", choices=list(EVENT_KINDS))
    e.add_argument("date", help="YYYY-MM-DD")
    e.add_argument("--note", default="", help="what happened (for assigned: the officer's name)")
    e.add_argument("--outcome", help=f"responded: {', '.join(o for o in OUTCOME_LABELS if o != 'unknown')}; review_decided: {', '.join(REVIEW_OUTCOMES)}")
    e.add_argument("--exemptions", help="responded: the sections applied, e.g. 's40(2), s31'")
    e.add_argument("--response", help="responded: the file holding the response sent (it becomes a disclosure that search finds)")
    e.add_argument("--by", help="your name (default: your login name)")
    e.add_argument("--version", type=int, help="the number of events you saw: refused if someone added one since")
    e.add_argument("--json", action="store_true")
    e.add_argument("--today", help=argparse.SUPPRESS)
    x = ls.add_parser("export", help="the disclosure log as CSV (reference, date, request, outcome, exemptions; no requester details)")
    x.add_argument("file")
    t = fs.add_parser("stats", help="FOI statistics for a period: received, answered, in time, by outcome and exemption",
                      epilog="example: kb foi stats --from 2026-04-01 --to 2026-06-30 --csv q1.csv")
    t.add_argument("--from", dest="date_from", help="requests received from YYYY-MM-DD (default: 1 January)")
    t.add_argument("--to", dest="date_to", help="... up to YYYY-MM-DD (default: today)")
    t.add_argument("--json", action="store_true")
    t.add_argument("--csv", help="also write the table to this CSV file")
    t.add_argument("--today", help=argparse.SUPPRESS)


def dashboard(kb: Any, args: argparse.Namespace) -> int:
    d = kb.workflow.dashboard(_today(args))
    if args.json:
        print(json.dumps(d.to_json(), ensure_ascii=False))
        return 0
    print(f"As at {d.today}: {d.total} recommendations, {d.closed} closed (complete and verified, superseded or not applicable)")
    for key, n in d.to_json()["count_labels"].items():
        print(f"  {n:<34} {d.counts[key]}")
    sections = (("Overdue", d.overdue, lambda i: f"{i.days_overdue} days overdue, due {i.due}, owner {i.owner or 'not assigned'}"),
                ("Due in the next 30 days", d.due_soon, lambda i: f"due {i.due} ({i.days_left} days), owner {i.owner or 'not assigned'}"),
                ("Complete, awaiting verification", d.awaiting_verification, lambda i: f"proposed by {i.proposed_by or '-'}"))
    for title, items, say in sections:
        print(f"\n{title}: {len(items)}")
        for i in items[:20]:
            print(f"  {i.label} ({i.doc}): {say(i)}  {i.text[:70]}")
        if len(items) > 20:
            print(f"  ... and {len(items) - 20} more (kb dashboard --json)")
    print(f"\nLatest changes: {len(d.latest_changes)}")
    for c in d.latest_changes:
        print(f"  {c.at} {c.by}: {c.label} ({c.doc}) {c.field} {value_label(c.field, c.old)} -> {value_label(c.field, c.new)}")
    print(f"\nFOI: {d.foi_open} open, {len(d.foi_overdue)} overdue, {len(d.foi_due_this_week)} due in the next 7 days")
    for r in d.foi_overdue + d.foi_due_this_week:
        print(f"  {r.ref}: {r.status_label}, due {r.due} ({r.days_label}), officer {r.officer or 'not assigned'}")
    return 0


def verify(kb: Any, args: argparse.Namespace) -> int:
    row = kb.workflow.verify(args.ref, args.doc, args.by, reject=args.reject, why=args.why, ordinal=args.ordinal, parent=args.parent,
                             expected_version=args.version)
    if args.json:
        print(json.dumps(row.to_json(), ensure_ascii=False))
    else:
        print(f"{row.ref} ({row.doc}): {row.status_label}, now v{row.version}")
    return 0


def _text(path: str) -> str:
    from pathlib import Path

    from kb.errors import FileError

    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise FileError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _request_line(r: Any) -> str:
    return (f"{r.ref:<16} received {r.received}  due {r.due}  {r.status_label:<38} {r.days_label:<32} "
            f"officer {r.officer or 'not assigned'}  [{len(r.events)} events]")


def foi_log(kb: Any, args: argparse.Namespace) -> int:
    work, today = kb.workflow, _today(args)
    if args.log_command == "add":
        r = work.log_request(args.ref, args.received, _text(args.file), args.officer, args.by or _me(), today=today)
        if args.json:
            print(json.dumps(r.to_json(), ensure_ascii=False))
            return 0
        print(f"logged {r.ref}: due {r.due} ({r.days_label})")
        if r.removed:
            print(f"  taken out of the text, so no requester details are kept: {', '.join(r.removed)}")
        for p in r.precedents:
            print(f"  earlier disclosure: {p['reference'] or '-'} {p['doc']} (similarity {p['similarity']:.2f})")
        return 0
    if args.log_command == "event":
        r = work.event(args.ref, args.kind, args.date, args.by or _me(), note=args.note, outcome=args.outcome, exemptions=args.exemptions,
                       response=_text(args.response) if args.response else None, expected_events=args.version, today=today)
        if args.json:
            print(json.dumps(r.to_json(), ensure_ascii=False))
            return 0
        print(f"{r.ref}: {r.status_label}; {r.days_label} (due {r.due}); {len(r.events)} events")
        if args.kind == "responded":
            print(f"  {'in time' if r.in_time else 'LATE'}; the response is now a disclosure that search and kb foi similar find")
        return 0
    if args.log_command == "export":
        n = work.write_disclosure_log(args.file)
        print(f"wrote {n} answered requests to {args.file} (no requester details)")
        return 0
    requests = work.requests(open_only=args.open, today=today)
    for r in requests:
        print(json.dumps(r.to_json(), ensure_ascii=False) if args.json else _request_line(r))
    if not args.json:
        print(f"{len(requests)} request{'s' if len(requests) != 1 else ''}" if requests else "no requests logged yet: kb foi log add --ref REF --received DATE FILE")
    return 0


def foi_stats(kb: Any, args: argparse.Namespace) -> int:
    work = kb.workflow
    s = work.write_stats(args.csv, args.date_from, args.date_to, _today(args)) if args.csv else work.stats(args.date_from, args.date_to, _today(args))
    if args.json:
        print(json.dumps(s.to_json(), ensure_ascii=False))
        return 0
    print(f"FOI requests received {s.date_from} to {s.date_to}")
    for measure, value in s.table():
        print(f"  {measure:<42} {value}")
    if args.csv:
        print(f"wrote {args.csv}")
    return 0


def report(kb: Any, args: argparse.Namespace) -> int:
    path = kb.workflow.board_report(args.file, args.date_from, args.date_to, _today(args))
    print(f"wrote the board report to {path}")
    return 0
