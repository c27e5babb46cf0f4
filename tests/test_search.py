"""Search over the real corpus index: every mode finds known passages, filters hold, input is safe."""

from __future__ import annotations

import pytest
from conftest import CSA, FOI, IOM, MAPPA, STALKING

from kb.errors import EmptyIndexError, KBError
from kb.search import fts_query, rrf, terms
from kb.service import KB

KNOWN = [
    ("which tool is used to prioritise online child abuse referrals", CSA, "KIRAT"),
    ("high harm offender management unit", FOI, "high-harm"),
    ("workloads of offender managers above national guidance in Pembrokeshire and Carmarthenshire", MAPPA, "12% and 28%"),
    ("Civil Orders Officer post to monitor offenders subject to civil orders", STALKING, "Civil Orders Officer"),
    ("IOM Cymru local delivery schemes functions", IOM, "IOM"),
]


def test_done_when_queries(corpus_kb: KB) -> None:
    top = corpus_kb.search("which tool is used to prioritise online child abuse referrals", k=10)[0]
    assert top.doc == CSA and "KIRAT (Kent Internet Risk Assessment Tool)" in top.text and top.ref == "1"
    lex = corpus_kb.search("high harm offender management unit", mode="lexical", k=10)
    assert lex[0].doc == FOI


@pytest.mark.parametrize("mode", ["hybrid", "lexical", "dense"])
@pytest.mark.parametrize("query,doc,needle", KNOWN)
def test_every_mode_finds_known_passages(corpus_kb: KB, mode: str, query: str, doc: str, needle: str) -> None:
    hits = corpus_kb.search(query, k=3, mode=mode)
    assert any(h.doc == doc and needle in h.text for h in hits), [(h.doc, h.text[:60]) for h in hits]
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert all(h.score >= hits[-1].score for h in hits)


@pytest.mark.parametrize("mode", ["hybrid", "lexical", "dense"])
def test_filters_by_kind_document_and_date(corpus_kb: KB, mode: str) -> None:
    q = "offender management and MAPPA"
    only_foi = corpus_kb.search(q, k=10, mode=mode, kinds=["foi_disclosure"])
    assert only_foi and {h.doc for h in only_foi} == {FOI}
    only_doc = corpus_kb.search(q, k=10, mode=mode, docs=[MAPPA])
    assert only_doc and {h.doc for h in only_doc} == {MAPPA}
    recent = corpus_kb.search(q, k=20, mode=mode, date_from="2026-01-01")
    assert recent and {h.doc for h in recent} <= {FOI, CSA}
    old = corpus_kb.search(q, k=20, mode=mode, date_to="2023-12-31")
    assert old and {h.doc for h in old} <= {MAPPA, STALKING}
    assert corpus_kb.search(q, k=5, mode=mode, kinds=["inspection_report"]) == []


def test_hits_carry_citation_fields(corpus_kb: KB) -> None:
    h = corpus_kb.search("Category 3 referrals for domestic abuse", k=1)[0]
    assert h.doc == MAPPA and h.ref == "14" and h.kind == "pcc_response" and h.date == "2022-09-08"
    source = corpus_kb.source_text(MAPPA)
    assert "Category 3 referrals" in source[h.start:h.end]


@pytest.mark.parametrize("query", [
    'NEAR(mappa iom', '"unbalanced', "MAPPA*", "^IOM", "AND OR NOT", "a' OR 1=1; DROP TABLE chunks; --",
    "(((", "col:text", "x" * 5000, "MAPPA " * 300, "   ", "!!!", "Cymraeg ŵ ŷ â",
])
def test_hostile_queries_never_raise(corpus_kb: KB, query: str) -> None:
    for mode in ("lexical", "hybrid"):
        hits = corpus_kb.search(query, k=5, mode=mode)
        assert isinstance(hits, list)
    assert corpus_kb.store.counts()["chunks"] > 0  # nothing was dropped


def test_bad_arguments_are_clear(corpus_kb: KB) -> None:
    with pytest.raises(KBError, match="unknown search mode"):
        corpus_kb.search("x", mode="fuzzy")
    with pytest.raises(KBError, match="YYYY-MM-DD"):
        corpus_kb.search("x", date_from="31/10/2026")


def test_empty_index_says_so(fresh_kb: KB) -> None:
    with pytest.raises(EmptyIndexError, match="kb ingest"):
        fresh_kb.search("MAPPA")


def test_query_builder_and_fusion_are_pure() -> None:
    assert terms("What is the MAPPA process?") == ["mappa", "process"]
    assert fts_query('say "hi" NEAR(x)') == '"say" OR "hi" OR "near" OR "x"'
    assert fts_query("the of and") == '"the" OR "of" OR "and"'
    fused = rrf([["a", "b", "c"], ["c", "a"]], k=60)
    assert [i for i, _ in fused] == ["a", "c", "b"]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)
