"""Cited answers on the question set (evals/ask_gold.jsonl): retrieval per configuration, what each
rerank signal adds, abstention, the citation check, and time per question.

Run: ``python -m evals.ask [--json]``. A question is retrieved at rank r when the r-th passage is
from the gold document and holds the gold quote; an answer is right when one of its quotes
overlaps the gold quote.
"""

from __future__ import annotations

import copy
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from evals.common import corpus_kb, parser
from evals.search import rank_of
from kb.answers.answer import ABSTAIN_BELOW, DOUBTFUL_BELOW, SURE_ABOVE, UNKNOWN_WORDS
from kb.search.rerank import WEIGHTS
from kb.service import KB
from kb.store.filters import Filters

GOLD = Path(__file__).resolve().parent / "ask_gold.jsonl"
TRIED = {"exact": 0.25, "kind": 0.1}  # weights the dropped signals were tried at
CONFIGS: dict[str, dict[str, Any]] = {
    "lexical": {"mode": "lexical"},
    "dense": {"mode": "dense"},
    "hybrid (fusion only)": {"mode": "hybrid", "glossary": False, "rerank": False},
    "hybrid + glossary": {"mode": "hybrid", "glossary": True, "rerank": False},
    "hybrid + rerank": {"mode": "hybrid", "glossary": False, "rerank": True},
    "hybrid + glossary + rerank": {"mode": "hybrid", "glossary": True, "rerank": True},
}


def load_gold(path: Path = GOLD) -> list[dict[str, Any]]:
    """The questions."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _norm(text: str | None) -> str:
    return " ".join((text or "").lower().split())


def retrieval(kb: KB, gold: list[dict[str, Any]], weights: dict[str, float] | None = None, **config: Any) -> dict[str, float]:
    """hit@1, hit@3, hit@5 and MRR@10 of one configuration on the answerable questions."""
    answerable = [g for g in gold if g["doc"]]
    searcher = copy.copy(kb.searcher)  # the knowledge base's own searcher keeps its weights
    if weights is not None:
        searcher.rerank_weights = weights
    mode = config.pop("mode")
    ranks = []
    for g in answerable:
        hits = searcher.search(g["question"], k=10, mode=mode, filters=Filters(), **config)
        ranks.append(rank_of(hits, {"doc": g["doc"], "quote": g["quote"]}))
    n = len(answerable)
    return {
        "hit@1": round(sum(r == 1 for r in ranks) / n, 3), "hit@3": round(sum(r is not None and r <= 3 for r in ranks) / n, 3),
        "hit@5": round(sum(r is not None and r <= 5 for r in ranks) / n, 3), "mrr@10": round(sum(1 / r for r in ranks if r) / n, 3),
    }


def answers(kb: KB, gold: list[dict[str, Any]]) -> dict[str, Any]:
    """Abstention, answer correctness, the citation check and time per question."""
    times, right, answered, abstained_ok, cited, verified = [], 0, 0, 0, 0, 0
    for g in gold:
        t = time.perf_counter()
        a = kb.ask(g["question"])
        times.append((time.perf_counter() - t) * 1000)
        if g["doc"] is None:
            abstained_ok += a.abstained
            continue
        answered += not a.abstained
        right += any(c.doc == g["doc"] and (_norm(g["quote"]) in _norm(c.quote) or _norm(c.quote) in _norm(g["quote"])) for c in a.citations)
        rows = kb.store.chunks_by_ids([c.chunk_id for c in a.citations])
        for c in a.citations:
            cited += 1
            verified += c.quote in rows[c.chunk_id]["text"]  # checked again here, against the stored passage
    n_ans = sum(1 for g in gold if g["doc"])
    n_un = len(gold) - n_ans
    return {
        "answer_correct": round(right / n_ans, 3), "answered": round(answered / n_ans, 3),
        "abstained_when_unanswerable": round(abstained_ok / n_un, 3) if n_un else None,
        "citations": cited, "citation_check_rate": round(verified / cited, 3) if cited else None,
        "ask_ms_p50": round(statistics.median(times), 1), "ask_ms_p95": round(sorted(times)[int(0.95 * (len(times) - 1))], 1),
        "abstain_rule": (f"best sentence < {ABSTAIN_BELOW}; or < {DOUBTFUL_BELOW} with {UNKNOWN_WORDS}+ words the quoted document never uses; "
                         f"or < {SURE_ABOVE} naming a year no document mentions; or a quantity asked and none quoted"),
    }


def evaluate(kb: KB, gold: list[dict[str, Any]]) -> dict[str, Any]:
    """Everything: the retrieval table, the signal ablation and the answers."""
    answered = answers(kb, gold)  # first, so its timings start from a cold sentence cache
    table = {name: retrieval(kb, gold, None, **dict(cfg)) for name, cfg in CONFIGS.items()}
    ablation = {}
    for signal, weight in WEIGHTS.items():
        if weight:
            ablation[f"without {signal}"] = retrieval(kb, gold, {**WEIGHTS, signal: 0.0}, mode="hybrid", glossary=True, rerank=True)
        else:  # a signal that did not earn its place: what it would do at the weight it was tried with
            ablation[f"with {signal} ({TRIED[signal]})"] = retrieval(kb, gold, {**WEIGHTS, signal: TRIED[signal]}, mode="hybrid", glossary=True, rerank=True)
    return {"retrieval": table, "ablation": ablation, "answers": answered, "questions": len(gold)}


def main(argv: list[str] | None = None) -> int:
    """Print the tables (or one JSON object)."""
    args = parser("python -m evals.ask", __doc__).parse_args(argv)
    with corpus_kb(args.home) as kb:
        kb.ask("warm up the model")
        result = evaluate(kb, load_gold())
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{'retrieval (' + str(sum(1 for g in load_gold() if g['doc'])) + ' answerable questions)':<34} hit@1  hit@3  hit@5  MRR@10")
    for name, m in {**result["retrieval"], **{"  " + k: v for k, v in result["ablation"].items()}}.items():
        print(f"{name:<34} {m['hit@1']:.3f}  {m['hit@3']:.3f}  {m['hit@5']:.3f}  {m['mrr@10']:.3f}")
    a = result["answers"]
    print(f"answers: correct quote {a['answer_correct']:.3f}, answered {a['answered']:.3f}; unanswerable abstained {a['abstained_when_unanswerable']}")
    print(f"citation check: {a['citation_check_rate']} of {a['citations']} quotes verbatim in their passage")
    print(f"time per question: p50 {a['ask_ms_p50']} ms, p95 {a['ask_ms_p95']} ms; abstain rule: {a['abstain_rule']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
