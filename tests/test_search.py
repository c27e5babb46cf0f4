"""Search over the real corpus index: every mode finds known passages, filters hold, input is safe."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CSA, FOI, IOM, MAPPA, STALKING

from kb.store import db as store_module
from kb.errors import EmptyIndexError, KBError
from kb.documents.rows import doc_key
from kb.search.hybrid import fts_query, rrf, terms
from kb.service import KB
from kb.store.filters import Filters, runs
from kb.store.db import Store

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


STRATEGY_FILTERS = [
    Filters(kinds=("foi_disclosure",)), Filters(docs=(MAPPA,)), Filters(docs=(MAPPA, FOI)), Filters(date_from="2026-01-01"),
    Filters(date_to="2023-12-31"), Filters(kinds=("pcc_response", "force_response", "foi_disclosure", "other")),
    Filters(markings=("OFFICIAL",)), Filters(kinds=("inspection_report",)),
]


@pytest.mark.parametrize("max_ids,max_ranges", [(20000, 8), (20000, 0), (0, 0)], ids=["runs of rowids", "listed ids", "per-result checks"])
def test_every_filter_strategy_ranks_as_the_plain_filtered_query(corpus_kb: KB, monkeypatch: pytest.MonkeyPatch, max_ids: int, max_ranges: int) -> None:
    """Filtered search takes a shortcut by the filter's size (rowid runs, listed ids, over-fetch and check);
    each must give exactly what the plain query does: a join filtered in SQL, and Chroma's own filter."""
    monkeypatch.setattr(store_module, "MAX_PASSING_IDS", max_ids)
    monkeypatch.setattr(store_module, "MAX_RANGES", max_ranges)
    corpus_kb.store._passing.clear()
    q = "offender management, MAPPA and the response to the recommendation"
    vector = corpus_kb.embedder.embed_query(q)
    for f in STRATEGY_FILTERS:
        where, params = f.where()
        expected = [(r[0], r[1]) for r in corpus_kb.store.db.execute(
            f"""SELECT c.id, -bm25(chunks_fts, 1.0, 0.6, 0.3) AS score FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid
                JOIN documents d ON d.id = c.doc_id WHERE chunks_fts MATCH ? AND {where} ORDER BY score DESC, c.id LIMIT 10""", [fts_query(q), *params])]
        got = corpus_kb.searcher.lexical(q, 10, f)
        assert [i for i, _ in got] == [i for i, _ in expected], f
        assert [s for _, s in got] == pytest.approx([s for _, s in expected])
        keys = [doc_key(h) for h in corpus_kb.store.doc_hashes(f)]
        plain = corpus_kb.vectors.query(vector, 10, keys)
        dense = corpus_kb.searcher.dense(q, 10, f, vector)
        assert [i for i, _ in dense] == [i for i, _ in plain], f
        assert (not expected and not plain) == (f.kinds == ("inspection_report",))
    assert corpus_kb.store._passing, "the filters' passing passages were not cached"
    corpus_kb.store._passing.clear()


def test_what_passes_a_filter_follows_every_change_to_the_documents(tmp_path, embedder) -> None:  # type: ignore[no-untyped-def]
    """The cached passing passages are keyed by a version the documents table's triggers raise, so an
    ingest, a re-marking and a delete (by this process or another) are seen at once."""
    from conftest import CORPUS

    knowledge = KB(home=str(tmp_path / "home"), embedder=embedder)
    knowledge.ingest([CORPUS / MAPPA])
    responses = Filters(kinds=("pcc_response",))
    first = knowledge.store.passing(responses)
    assert first.count > 0 and first.share == 1.0 and first.ids and len(first.ranges) == 1
    v0 = knowledge.store.documents_version()
    knowledge.ingest([CORPUS / CSA, CORPUS / FOI])
    assert knowledge.store.documents_version() != v0
    both = knowledge.store.passing(responses)
    assert both.count > first.count and 0 < both.share < 1 and first.ids < both.ids
    assert {h.doc for h in knowledge.search("recommendation response", k=20, kinds=["pcc_response"])} == {MAPPA, CSA}
    cleared = Filters(kinds=("pcc_response",), markings=("OFFICIAL",))
    before = knowledge.store.passing(cleared).count
    knowledge.mark(CSA, "OFFICIAL-SENSITIVE")
    assert knowledge.store.passing(cleared).count == first.count < before
    other = Store(knowledge.store.path)  # another process's connection
    v1 = knowledge.store.documents_version()
    other.db.execute("UPDATE documents SET kind = 'other' WHERE name = ?", (MAPPA,))
    assert knowledge.store.documents_version() != v1
    assert knowledge.store.passing(responses).count == both.count - first.count
    knowledge.delete(CSA)
    assert knowledge.store.passing(responses).count == 0 and knowledge.search("recommendation", kinds=["pcc_response"]) == []


def test_runs_of_rowids() -> None:
    assert runs([]) == []
    assert runs([3]) == [(3, 3)]
    assert runs([1, 2, 3, 7, 8, 10]) == [(1, 3), (7, 8), (10, 10)]


def test_passages_without_vectors_yet_do_not_break_a_filtered_search(tmp_path, embedder) -> None:  # type: ignore[no-untyped-def]
    """Chroma refuses a query restricted to ids when one has no vector, which happens while another
    process ingests (this process's Chroma does not see its vectors yet) or after an interrupted one."""
    from conftest import CORPUS

    knowledge = KB(home=str(tmp_path / "home"), embedder=embedder)
    knowledge.ingest([CORPUS])
    ids = knowledge.store.chunk_ids_of(knowledge.store.documents_named(MAPPA)[0]["id"])
    gone = [f"{n:032x}" for n in range(3)]  # ids Chroma never saw (a deleted id, by contrast, Chroma passes over)
    for old, new in zip(ids, gone, strict=False):
        knowledge.store.db.execute("UPDATE chunks SET id = ? WHERE id = ?", (new, old))
    f = Filters(docs=(MAPPA,))
    assert knowledge.store.passing(f).ids is not None and knowledge.store.passing(f).share < 0.5  # Chroma is given the ids
    dense = knowledge.searcher.dense("offender management", 10, f)
    assert dense and not {i for i, _ in dense} & set(gone)
    assert {h.doc for h in knowledge.search("offender management", k=5, docs=[MAPPA])} == {MAPPA}


def test_a_question_naming_a_force_prefers_that_forces_document(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    """Two forces answer the same request in the same words; the force's name is only in each letterhead,
    far from the answer (not in the title either). Kent's answer matches the words better, yet a question naming Surrey gets Surrey's."""
    from kb.service import KB

    docs = tmp_path / "docs"
    docs.mkdir()
    filler = "\n\n".join(f"Paragraph {i} of general information about how requests are handled and published." for i in range(14))
    for force, extra in (("Kent", " Dismissed officers: officers dismissed after gross misconduct hearings."), ("Surrey", "")):
        (docs / f"{force.lower()}-foi.txt").write_text(
            f"Freedom of Information disclosure\n\nThis entry was issued by the {force} Police information rights team.\n\n{filler}\n\n"
            f"Answer: the force dismissed 12 officers after gross misconduct hearings in the year.{extra}\n")
    kb = KB(home=str(tmp_path / "home"), embedder=embedder)
    kb.ingest([docs])
    plain = kb.search("officers dismissed after gross misconduct hearings", k=4)
    assert plain[0].doc == "kent-foi.txt"  # the premise: without a force named, Kent's passage ranks first
    ranked = [(h.chunk_id, h.score) for h in plain]
    reordered = kb.searcher.naming_first(ranked, {"Surrey"})
    docs = {h.chunk_id: h.doc for h in plain}
    assert docs[reordered[0][0]] == "surrey-foi.txt" and sorted(reordered) == sorted(ranked)  # the same passages, Surrey's first
    assert [docs[i] for i, _ in reordered] == sorted((docs[i] for i, _ in ranked), key=lambda d: d != "surrey-foi.txt")  # stable
    assert kb.searcher.naming_first(ranked, {"Cumbria"}) == ranked  # no document names it: the order stands
    named = kb.search("What did Surrey Police say about officers dismissed after gross misconduct hearings?", k=3)
    assert named[0].doc == "surrey-foi.txt"
