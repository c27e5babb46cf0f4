"""The ``kb`` commands that find and track: search, ask, the recommendation register and FOI. Each is
one handler of the CLI's table (kb.cli.COMMANDS)."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from typing import Any

from kb.cli import work as cli_work
from kb.cli.text import emit, plain, queries
from kb.labels import value_label

QUERY_ECHO = 1000  # characters of a query repeated in each JSON hit



def search(kb: Any, args: argparse.Namespace) -> int:
    """kb search: one query, or one per line of standard input; JSON lines or a readable list."""
    for query in queries(args.query):
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


def ask(kb: Any, args: argparse.Namespace) -> int:
    """kb ask: a cited answer per question."""
    for question in queries(args.question):
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


def recs(kb: Any, args: argparse.Namespace) -> int:
    """kb recs: the register, and its set, verify, export, related and history actions."""
    from datetime import date

    today = date.fromisoformat(args.today) if args.today else None
    if args.recs_command == "set":
        before = kb.recommendation(args.ref, args.doc, args.ordinal, args.parent)
        row = kb.set_recommendation(args.ref, args.doc, args.by, status=args.status, owner=args.owner, due=args.due, note=args.note,
                                    ordinal=args.ordinal, parent=args.parent, expected_version=args.version, evidence=args.evidence,
                                    why=args.why, agreed_by=args.agreed_by)
        revised = f" (originally {row.original_due})" if row.original_due and row.original_due != row.due else ""
        print(f"{row.ref} ({row.doc}): {row.status_label} ({row.status_source} by {row.status_by}), owner {row.owner or '-'}, "
              f"due {row.due or row.deadline or '-'}{revised}, now v{row.version}")
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
        related = [{k: j[k] for k in ("doc", "ref", "ordinal", "report", "text", "status", "similarity")}
                   for j in (r.to_json() for r in kb.related_recommendations(args.ref, args.doc, args.ordinal, args.parent))]
        emit(related, args.json, lambda r: f"{r['similarity']:.2f}  {r['doc']} {r['ref']} [{r['status']}]  {r['text'][:90]}",
             "no similar recommendation in other reports")
        return 0
    if args.recs_command == "history":
        h = kb.recommendation_history(args.ref, args.doc, args.ordinal, args.parent)
        if args.json:
            print(json.dumps(h.to_json(), ensure_ascii=False))
            return 0
        print("What each document said:")
        for s in h.statements:
            flag = f" [proposed update: {s.proposal}]" if s.proposal != "none" else ""
            print(f"  {s.doc_date or 'undated'}  {s.doc} p.{s.page or '-'}: {value_label('status', s.status)}{flag}  \u201c{s.quote[:120]}\u201d")
        print("History:")
        for e in h.history:
            print(f"  {e.at}  {e.by}: {e.field} {value_label(e.field, e.old)} -> {value_label(e.field, e.new)}" + (f"  ({e.why})" if e.why else ""))
        return 0
    rows = kb.recommendations(status=args.status, overdue=args.overdue, doc=args.doc, today=today, words=args.words)
    for r in rows:
        if args.json:
            print(json.dumps(r.to_json(), ensure_ascii=False))
            continue
        late = f"  OVERDUE {r.days_overdue} days" if r.overdue else ""
        ref = f"{r.parent}{r.ref}" if r.parent else (r.ref or "-")
        print(f"{r.doc[:40]:<40} {ref:>4} v{r.version:<3} {r.status_label:<32} {r.due or r.deadline or '-':<10}{late}  {r.text[:70]}")
    if not args.json:
        print(f"{len(rows)} recommendation{'s' if len(rows) != 1 else ''}")
    return 0


def foi(kb: Any, args: argparse.Namespace) -> int:
    """kb foi: disclosures, precedents, the clock, the request log and its statistics."""
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
            print(json.dumps(result.to_json(), ensure_ascii=False))
            return 0
        if result.documents:
            print("Closest earlier disclosures: " + "; ".join(f"{d.doc} ({d.best_similarity:.2f})" for d in result.documents[:5]))
        for i, q in enumerate(result.questions, start=1):
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
    records = [r.to_json() for r in kb.foi_records()]
    emit(records, args.json, lambda r: f"{r['reference'] or '-':<14} {r['disclosed'] or '-':<10} {r['outcome']:<24} "
                                        f"{', '.join(r['exemptions']) or '-':<16} {len(r['questions'])} questions  {r['doc']}",
         "no FOI disclosures indexed")
    return 0
