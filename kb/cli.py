"""The ``kb`` command line (contract in DESIGN.md). Expected failures print one line and exit 1."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

from kb.errors import KBError
from kb.search import MODES

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

    s = sub.add_parser("docs", help="list ingested documents", epilog="example: kb docs --json")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("delete", help="remove a document and its chunks and vectors", epilog="example: kb delete old-report.pdf")
    s.add_argument("name", help="file name (as in kb docs) or full path")

    sub.add_parser("stats", help="counts of documents, chunks and vectors", epilog="example: kb stats")
    sub.add_parser("config", help="every setting with its environment variable and default", epilog="example: kb config")
    sub.add_parser("serve", help="run the web app (same as: python app.py)", epilog="example: KB_PORT=8080 kb serve")
    return p


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
            print(f"FAILED     {r.name}: {r.error}")
            continue
        detail = f"{r.kind}, {r.pages} pages, {r.chunks} chunks" if r.pages else f"{r.kind}, {r.chunks} chunks"
        print(f"{r.status:<10} {r.name} ({detail}; {r.embedded} embedded, {r.seconds:.1f}s)")
        for w in r.warnings:
            print(f"           warning: {w}")
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

    reports = kb.ingest(args.paths, progress=progress)
    if bar is not None:
        bar.close()
    if args.prune:
        for path in kb.prune([p for p in args.paths]):
            print(f"removed    {path} (file deleted)")
    return _print_reports(reports, args.json)


def _search(kb: Any, args: argparse.Namespace) -> int:
    for query in _queries(args.query):
        hits = kb.search(query, k=args.k, mode=args.mode, kinds=args.kind, docs=args.doc, date_from=args.date_from, date_to=args.date_to)
        if args.json:
            for h in hits:
                print(json.dumps(h.to_json(), ensure_ascii=False), flush=True)
            continue
        print(f'"{query}": {len(hits)} result{"s" if len(hits) != 1 else ""}')
        for h in hits:
            where = f"p.{h.page}" if h.page else ""
            ref = f"Recommendation {h.ref}" if h.ref else h.section
            print(f"{h.rank:>3}. {h.doc} {where} [{ref}] ({h.kind}, {h.date or 'undated'}) score {h.score:.3f}")
            print(textwrap.indent(textwrap.fill(" ".join(h.text.split())[:400], 100), "     "))
        sys.stdout.flush()
    return 0


def _serve(kb: Any) -> int:
    """Run app.py (the top floor) without importing it from here: imports point down only."""
    import runpy
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "app.py"
    if not script.is_file():
        raise KBError(f"app.py not found next to the kb package ({script}); run the app from the project folder: python app.py")
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
        if args.command == "ingest":
            return _ingest(kb, args)
        if args.command == "search":
            return _search(kb, args)
        if args.command == "docs":
            docs = kb.documents()
            for d in docs:
                if args.json:
                    print(json.dumps(d, ensure_ascii=False))
                else:
                    print(f"{d['name']}  [{d['kind']}, {d['date'] or 'undated'}, {d['pages']} pages, {d['chunks']} chunks]  {d['title'][:90]}")
            if not docs and not args.json:
                print("no documents yet: kb ingest corpus/")
            return 0
        if args.command == "delete":
            for path in kb.delete(args.name):
                print(f"removed {path}")
            return 0
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
