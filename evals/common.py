"""What the eval scripts share: their command line, how they print their figures, and a knowledge base over corpus/."""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kb.service import KB

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def parser(prog: str, doc: str | None) -> argparse.ArgumentParser:
    """--home (use an existing data home) and --json."""
    p = argparse.ArgumentParser(prog=prog, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--home", help="use an existing data home instead of indexing corpus/ into a temporary one")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p


def add_batches(p: argparse.ArgumentParser) -> None:
    """--batch N (a new batch's first run: its questions, over batches 1 to N) and --upto N (batches 1 to N)."""
    g = p.add_mutually_exclusive_group()
    g.add_argument("--batch", type=int, help="only the questions of batch N's documents, over the documents of batches 1 to N")
    g.add_argument("--upto", type=int, help="only the documents and questions of batches 1 to N (the corpus as it stood then)")


@contextmanager
def corpus_kb(home: str | None) -> Iterator[KB]:
    """The given data home, or corpus/ freshly indexed into a temporary one."""
    with tempfile.TemporaryDirectory() as tmp:
        kb = KB(home=home or tmp)
        if not home:
            kb.ingest([CORPUS])
        yield kb


def finish(args: argparse.Namespace, out: dict[str, Any], report: Callable[[dict[str, Any]], None]) -> int:
    """Print the figures: one JSON object with --json, else the eval's own report; the exit status (0)."""
    if args.json:
        print(json.dumps(out))
    else:
        report(out)
    return 0


def print_items(title: str, items: Iterable[object]) -> None:
    """A titled list of what failed, one item a line, with its count."""
    shown = list(items)
    print(f"\n{title}: {len(shown)}")
    for item in shown:
        print(f"  {item}")
