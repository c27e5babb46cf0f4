"""FOI records and precedents against the gold set (evals/foi_gold.jsonl): accuracy per parsed
field over the seed disclosure and the test layouts in tests/data/foi, and precedent hit@1 and
hit@3 for new requests written for the purpose. Run: ``python -m evals.foi [--json]``.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from evals.common import CORPUS, finish, parser
from kb.service import KB

GOLD = Path(__file__).resolve().parent / "foi_gold.jsonl"
TEST_LAYOUTS = Path(__file__).resolve().parent.parent / "tests" / "data" / "foi"
FIELDS = ("reference", "received", "disclosed", "exemptions", "questions", "outcome")


def load_gold(path: Path = GOLD) -> list[dict[str, Any]]:
    """Gold records and requests."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def evaluate(kb: KB, gold: list[dict[str, Any]]) -> dict[str, Any]:
    """Field accuracy and precedent hit rates."""
    records = {r.doc: r.to_json() for r in kb.foi_records()}
    want = [g["record"] for g in gold if "record" in g]
    fields: dict[str, float] = {}
    for f in FIELDS:
        ok = 0
        for w in want:
            got = records.get(w["doc"], {})
            value = len(got.get("questions", [])) if f == "questions" else got.get(f)
            ok += value == w[f]
        fields[f] = round(ok / len(want), 3)
    requests = [g for g in gold if "request" in g]
    ranks = []
    for g in requests:
        docs = [d.doc for d in kb.foi_similar(g["request"]).documents]
        ranks.append(docs.index(g["doc"]) + 1 if g["doc"] in docs else None)
    return {
        "records": len(want), "found": sum(w["doc"] in records for w in want), "field_accuracy": fields,
        "requests": len(requests), "precedent_hit@1": round(sum(r == 1 for r in ranks) / len(requests), 3),
        "precedent_hit@3": round(sum(r is not None and r <= 3 for r in ranks) / len(requests), 3),
        "missed": [g["request"] for g, r in zip(requests, ranks) if r != 1],
    }


def main(argv: list[str] | None = None) -> int:
    """Index corpus/ and the test layouts into a temporary data home (or use --home) and print the figures."""
    args = parser("python -m evals.foi", __doc__).parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        kb = KB(home=args.home or tmp)
        if not args.home:
            kb.ingest([CORPUS, TEST_LAYOUTS])
        result = evaluate(kb, load_gold())
    return finish(args, result, _report)


def _report(result: dict[str, Any]) -> None:
    print(f"records: {result['found']} of {result['records']} disclosures parsed")
    print("field accuracy: " + ", ".join(f"{f} {v:.3f}" for f, v in result["field_accuracy"].items()))
    print(f"precedents ({result['requests']} new requests): hit@1 {result['precedent_hit@1']:.3f}, hit@3 {result['precedent_hit@3']:.3f}")
    for m in result["missed"]:
        print(f"  not first: {m}")

if __name__ == "__main__":
    sys.exit(main())
