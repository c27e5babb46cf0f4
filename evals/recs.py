"""Recommendation extraction and status proposals against the gold set (evals/recs_gold.jsonl).

Prints precision, recall and F1 of extraction (a recommendation is found when doc, ref,
ordinal and parent match), then over the ones found: text, addressee and deadline accuracy,
status accuracy with a confusion matrix, and the count of wrong "complete"s (proposed
complete where the gold says otherwise: the costly mistake). Run: ``python -m evals.recs [--json]``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from evals.common import corpus_kb, parser
from ingest.status import STATUSES
from kb.register.records import RegisterRow

GOLD = Path(__file__).resolve().parent / "recs_gold.jsonl"


def _norm(text: str | None) -> str:
    return " ".join((text or "").lower().replace("*", "").split())


def _key(r: dict[str, Any]) -> tuple[str, str, int, str]:
    return (r["doc"], str(r["ref"]), int(r["ordinal"]), r.get("parent") or "")


def score(rows: list[RegisterRow], gold: list[dict[str, Any]]) -> dict[str, Any]:
    """All the figures for predicted register rows against gold rows (both as ``kb recs --json`` gives them)."""
    docs = {g["doc"] for g in gold} | {"foi-392-2026-vawg-high-harm-offenders.txt", "iom-cymru-local-delivery-schemes.txt"}
    pred = {_key(r): r for r in (row.to_json() for row in rows) if r["doc"] in docs}
    want = {_key(g): g for g in gold}
    found = set(pred) & set(want)
    p = len(found) / len(pred) if pred else 0.0
    r = len(found) / len(want) if want else 0.0
    pairs = [(want[k], pred[k]) for k in sorted(found)]
    n = len(pairs) or 1
    confusion: Counter[tuple[str, str]] = Counter((g["status"], q["status"]) for g, q in pairs)
    return {
        "gold": len(want), "predicted": len(pred), "found": len(found),
        "precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
        "text_accuracy": round(sum(_norm(g["text_start"]) in _norm(q["text"])[:200] for g, q in pairs) / n, 3),
        "addressee_accuracy": round(sum(_norm(g["addressee"]) == _norm(q["addressee"]) for g, q in pairs) / n, 3),
        "deadline_accuracy": round(sum(g["deadline"] == q["deadline"] for g, q in pairs) / n, 3),
        "status_accuracy": round(sum(g["status"] == q["status"] for g, q in pairs) / n, 3),
        "evidence_accuracy": round(sum(bool(g["evidence"]) and _norm(g["evidence"]) in _norm(q["status_evidence"]) for g, q in pairs if g["status"] == q["status"]) / n, 3),
        "wrong_complete": sum(q["status"] == "complete" and g["status"] != "complete" for g, q in pairs),
        "confusion": {f"{a}->{b}": c for (a, b), c in sorted(confusion.items())},
        "missing": [list(k) for k in sorted(set(want) - found)],
        "extra": [list(k) for k in sorted(set(pred) - found)],
        "status_errors": [[g["doc"][:20], g["ref"], g["status"], q["status"]] for g, q in pairs if g["status"] != q["status"]],
    }


def load_gold(path: Path = GOLD) -> list[dict[str, Any]]:
    """The gold rows."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    """Index corpus/ into a temporary data home (or use --home) and print the figures."""
    args = parser("python -m evals.recs", __doc__).parse_args(argv)
    with corpus_kb(args.home) as kb:
        result = score(kb.recommendations(), load_gold())
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"extraction: precision {result['precision']:.3f}  recall {result['recall']:.3f}  F1 {result['f1']:.3f}  "
          f"({result['found']} of {result['gold']} gold found, {result['predicted']} predicted)")
    print(f"on those found: text {result['text_accuracy']:.3f}  addressee {result['addressee_accuracy']:.3f}  "
          f"deadline {result['deadline_accuracy']:.3f}  status {result['status_accuracy']:.3f}  evidence {result['evidence_accuracy']:.3f}")
    print(f"wrong 'complete' proposals: {result['wrong_complete']}")
    labels = [s for s in STATUSES if any(k.startswith(s + "->") or k.endswith("->" + s) for k in result["confusion"])]
    print("confusion (rows: gold, columns: proposed)")
    print(" " * 15 + "".join(f"{s[:11]:>12}" for s in labels))
    for g in labels:
        print(f"{g:<15}" + "".join(f"{result['confusion'].get(f'{g}->{p}', 0):>12}" for p in labels))
    for label in ("missing", "extra", "status_errors"):
        if result[label]:
            print(f"{label}: {result[label]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
