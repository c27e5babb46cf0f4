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


def test_retrieval_baselines_rank_the_document_that_holds_the_evidence(embedder) -> None:  # type: ignore[no-untyped-def]
    """The three baselines of evals.retrieval, on the seeds, scored by the eval's own rule (which can fail)."""
    from evals import retrieval

    paths = sorted(p for p in retrieval.CORPUS.iterdir() if p.suffix == ".txt")
    base = retrieval.Baselines(paths, embedder)
    assert len(base.nodes) > len(paths) and all(len(t) > 0 for _, t in base.nodes)
    q = retrieval.Question("foi-392-2026-vawg-high-harm-offenders.txt", "tuning", "How many high harm VAWG offenders are there?",
                           "high harm", "keyword", "fact")
    lists = base.run("high harm offenders violence against women and girls", 10)
    assert set(lists) == {"baseline bm25", "baseline dense", "baseline rrf"} and all(len(v) == 10 for v in lists.values())
    assert any(retrieval.rank(v, q) is not None for v in lists.values())
    assert retrieval.rank([("other.txt", "high harm")], q) is None  # the wrong document never counts
    assert retrieval.holds("a passage about high harm offenders", "high harm offenders") and not retrieval.holds("unrelated text", "high harm offenders")
    assert retrieval.figures([1, 3, None, None]) == {"hit@1": 0.25, "hit@5": 0.5, "mrr": 0.333, "n": 4}
    assert len(retrieval.questions()) >= 400  # every development document has at least two


def test_a_batch_is_asked_over_the_corpus_as_it_stood_when_it_came() -> None:
    """--batch N: batch N's questions over the documents of batches 1 to N; --upto N: batches 1 to N."""
    from evals import answers, reading, retrieval

    first = retrieval.documents(upto=1)
    assert first and all(reading.batch_of(p.name) == 1 for p in first if p.parent.name == "docs")
    assert len(retrieval.documents(upto=2)) > len(first) and len(retrieval.documents(batch=2)) == len(retrieval.documents(upto=2))
    assert any(p.parent == retrieval.CORPUS for p in first)  # the seeds are always indexed
    second = {q.doc for q in retrieval.questions(batch=2)}
    assert second and all(reading.batch_of(d) == 2 for d in second)
    assert {q.doc for q in retrieval.questions(upto=2)} >= second | {q.doc for q in retrieval.questions(batch=1)}
    assert len(answers.unanswerable(upto=1)) <= len(answers.unanswerable()) and answers.unanswerable(batch=1)
    assert not reading.in_batches("not-in-any-batch.txt", upto=3) and reading.in_batches("not-in-any-batch.txt")
