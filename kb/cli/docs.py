"""The ``kb`` commands about documents: ingest (with progress bars), list and correct, delete, the
section 55 draft and the glossary. Each is one handler of the CLI's table (kb.cli.COMMANDS)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kb.cli.text import emit, plain, print_reports

def ingest(kb: Any, args: argparse.Namespace) -> int:
    """kb ingest: files and folders, with a bar of files and one of passages for long work."""
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
    return print_reports(reports, args.json)

def docs(kb: Any, args: argparse.Namespace) -> int:
    """kb docs: the documents, or a correction of one's kind or title."""
    if args.docs_command == "set":
        import getpass

        reports = kb.correct_document(args.name, args.by or getpass.getuser(), kind=args.kind, title=args.title)
        for r in reports:
            print(f"{plain(r.name)}: now {r.kind}, titled {plain(r.title, 120)!r}" if r.status != "failed" else f"FAILED     {plain(r.name)}: {plain(r.error)}")
        return 1 if any(r.status == "failed" for r in reports) else 0
    emit([d.to_json() for d in kb.documents()], args.json,
         lambda d: f"{plain(d['name'])}  [{d['marking']}, {d['kind']}, {d['date'] or 'undated'}, {d['pages']} pages, {d['chunks']} chunks]  "
                   f"{plain(d['title'], 90)}",
         "no documents yet: kb ingest corpus/")
    return 0


def delete(kb: Any, args: argparse.Namespace) -> int:
    """kb delete: a document, its passages and vectors."""
    for path in kb.delete(args.name):
        print(f"removed {path}")
    return 0


def draft(kb: Any, args: argparse.Namespace) -> int:
    """kb draft: a cited section 55 response draft, as Markdown, JSON, Word or a Markdown file."""
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


def glossary(kb: Any, args: argparse.Namespace) -> int:
    """kb glossary: the corpus's acronyms."""
    rows = [{"acronym": a, "expansion": e, "documents": n} for a, e, n in kb.glossary()]
    emit(rows, args.json, lambda r: f"{r['acronym']:<10} {r['expansion']}" + (f"  ({r['documents']} documents)" if r["documents"] > 1 else ""),
         "no acronyms found yet")
    return 0

