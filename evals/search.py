"""Retrieval quality on the gold set: hit@1, hit@5 and MRR@10 per search mode.

A query is answered at rank r when the r-th hit is from the gold document and its text
contains the gold quote (whitespace-normalised). Run: ``python -m evals.search [--json]``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from evals.common import corpus_kb, parser
from kb.search.hybrid import MODES
from kb.service import KB

GOLD = Path(__file__).resolve().parent / "search_gold.jsonl"


def load_gold(path: Path = GOLD) -> list[dict[str, str]]:
    """The gold queries."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _norm(text: str) -> str:
    return " ".join(text.split())


def rank_of(hits: list, item: dict[str, str]) -> int | None:  # type: ignore[type-arg]
    """1-based rank of the first hit holding the gold passage, or None."""
    for h in hits:
        if h.doc == item["doc"] and _norm(item["quote"]) in _norm(h.text):
            return int(h.rank)
    return None


def evaluate(kb: KB, gold: list[dict[str, str]], modes: tuple[str, ...] = MODES, k: int = 10) -> dict[str, dict[str, Any]]:
    """Metrics per mode, plus the queries each mode missed."""
    out: dict[str, dict[str, Any]] = {}
    for mode in modes:
        ranks = [rank_of(kb.search(g["query"], k=k, mode=mode), g) for g in gold]
        n = len(gold)
        out[mode] = {
            "queries": n,
            "hit@1": round(sum(r == 1 for r in ranks) / n, 3),
            "hit@5": round(sum(r is not None and r <= 5 for r in ranks) / n, 3),
            "mrr@10": round(sum(1 / r for r in ranks if r) / n, 3),
            "missed@10": [g["query"] for g, r in zip(gold, ranks, strict=False) if r is None],
        }
    return out


def main(argv: list[str] | None = None) -> int:
    """Build a fresh index of corpus/ (or use --home) and print the metrics."""
    args = parser("python -m evals.search", __doc__).parse_args(argv)
    with corpus_kb(args.home) as kb:
        results = evaluate(kb, load_gold())
    if args.json:
        print(json.dumps(results))
        return 0
    print(f"{'mode':<8} {'hit@1':>6} {'hit@5':>6} {'mrr@10':>7}  (n={results['hybrid']['queries']})")
    for mode, m in results.items():
        print(f"{mode:<8} {m['hit@1']:>6.3f} {m['hit@5']:>6.3f} {m['mrr@10']:>7.3f}  missed@10: {len(m['missed@10'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
