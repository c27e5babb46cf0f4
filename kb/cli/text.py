"""What the ``kb`` commands print: one line per row, or JSON lines, with terminal-safe text."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def plain(text: object, limit: int | None = None) -> str:
    """Text for one line of the terminal: control characters (a newline in a file name, a bidi
    override) shown as escapes, and at most ``limit`` characters, saying how long it was."""
    out = _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), str(text))
    if limit is not None and len(out) > limit:
        out = f"{out[:limit]}... ({len(str(text)):,} characters)"
    return out


def emit(rows: list[dict[str, Any]], as_json: bool, line: Callable[[dict[str, Any]], str], empty: str) -> None:
    """Rows as JSON lines, or one readable line each (with a message when there are none)."""
    for r in rows:
        print(json.dumps(r, ensure_ascii=False) if as_json else line(r))
    if not rows and not as_json:
        print(empty)


def queries(text: str) -> Iterator[str]:
    if text == "-":
        for line in sys.stdin:
            if line.strip():
                yield line.strip()
    else:
        yield text


def print_reports(reports: list[Any], as_json: bool) -> int:
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
