"""The evals run on the shared corpus index and produce well-formed figures (the figures are in README)."""

from __future__ import annotations

from evals import recs as recs_eval
from evals import search as search_eval
from kb.service import KB


def test_search_eval_runs(corpus_kb: KB) -> None:
    gold = search_eval.load_gold()
    assert len(gold) >= 40
    result = search_eval.evaluate(corpus_kb, gold[:10], modes=("lexical", "hybrid"))
    for mode in ("lexical", "hybrid"):
        m = result[mode]
        assert m["queries"] == 10 and 0.0 <= m["hit@1"] <= m["hit@5"] <= 1.0 and 0.0 <= m["mrr@10"] <= 1.0


def test_recs_eval_runs_and_scores_the_register(corpus_kb: KB) -> None:
    gold = recs_eval.load_gold()
    result = recs_eval.score(corpus_kb.recommendations(), gold)
    assert result["gold"] == len(gold) == 51
    assert 0.0 <= result["precision"] <= 1.0 and 0.0 <= result["status_accuracy"] <= 1.0
    assert result["wrong_complete"] >= 0 and sum(result["confusion"].values()) == result["found"]
    # a broken register scores badly: the eval can fail
    assert recs_eval.score([], gold)["recall"] == 0.0


def test_ask_eval_runs(corpus_kb: KB) -> None:
    from evals import ask as ask_eval

    gold = ask_eval.load_gold()
    assert len(gold) >= 40 and sum(g["doc"] is None for g in gold) >= 5
    few = [g for g in gold if g["doc"]][:4] + [g for g in gold if g["doc"] is None][:2]
    result = ask_eval.answers(corpus_kb, few)
    assert result["citation_check_rate"] == 1.0
    assert 0.0 <= result["answer_correct"] <= 1.0 and result["ask_ms_p50"] > 0
    table = ask_eval.retrieval(corpus_kb, few, None, mode="hybrid", glossary=True, rerank=True)
    assert 0.0 <= table["hit@1"] <= table["hit@5"] <= 1.0


def test_foi_eval_runs(corpus_kb: KB) -> None:
    from evals import foi as foi_eval

    gold = foi_eval.load_gold()
    result = foi_eval.evaluate(corpus_kb, gold)  # the shared index has the seed only: the test layouts count as missing
    assert result["records"] == 5 and result["found"] == 1
    assert set(result["field_accuracy"]) == set(foi_eval.FIELDS) and 0.0 <= result["precedent_hit@3"] <= 1.0
