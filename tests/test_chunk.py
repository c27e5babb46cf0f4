"""Structure and chunks: recommendation blocks kept whole, limits honoured, offsets exact."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS, CSA, FOI, IOM, MAPPA, STALKING
from pdfmake import make_pdf

from ingest import understand
from ingest.chunk import chunk, word_count
from ingest.clean import clean
from ingest.structure import find_blocks
from kb.config import CONTEXT_TOKENS, MODEL_MAX_TOKENS

ALL = [FOI, MAPPA, STALKING, CSA, IOM]


def test_stalking_recommendations_include_both_elevens() -> None:
    u = understand(CORPUS / STALKING)
    recs = [b for b in u.blocks if b.kind == "recommendation"]
    assert [b.ref for b in recs] == [str(i) for i in range(1, 11)] + ["11", "11"] + [str(i) for i in range(12, 18)]
    themes = {b.ref: b.section for b in recs}
    assert themes["1"] == "RESOURCING" and themes["8"] == "DATA" and themes["17"] == "VICTIMS"
    # the closing "In conclusion" text after the separator is not part of recommendation 17
    last = recs[-1]
    assert "In conclusion" not in u.clean.text[last.start:last.end]


def test_addressee_lead_in_joins_its_recommendation() -> None:
    u = understand(CORPUS / MAPPA)
    recs = {b.ref: u.clean.text[b.start:b.end] for b in u.blocks if b.kind == "recommendation"}
    assert list(recs) == ["14", "15", "18", "19"]
    assert recs["14"].startswith("The Probation Service, police forces and prisons should ensure that:")
    assert recs["18"].startswith("Police forces should ensure that:")
    assert "Police forces should ensure that" not in recs["15"]


def test_no_recommendations_in_guidance_or_foi() -> None:
    for name in (IOM, FOI):
        u = understand(CORPUS / name)
        assert not [b for b in u.blocks if b.kind == "recommendation"], name
        assert all(c.ref is None for c in u.chunks)


def test_recommendation_and_response_stay_together_when_they_fit(embedder) -> None:  # type: ignore[no-untyped-def]
    u = understand(CORPUS / CSA, count=embedder.count_tokens, max_tokens=200)
    rec1 = [c for c in u.chunks if c.ref == "1"]
    assert len(rec1) == 1
    assert "KIRAT (Kent Internet Risk Assessment Tool)" in rec1[0].text and "Recommendation 1" in rec1[0].text
    assert {c.ref for c in u.chunks if c.ref} == {"1", "2", "4", "5", "6", "8", "10", "15", "16"}


@pytest.mark.parametrize("name", ALL)
def test_chunks_fit_the_model_and_map_to_source(name: str, embedder) -> None:  # type: ignore[no-untyped-def]
    limit = MODEL_MAX_TOKENS - CONTEXT_TOKENS - 2
    u = understand(CORPUS / name, count=embedder.count_tokens, max_tokens=limit)
    assert u.chunks
    for c in u.chunks:
        assert embedder.count_tokens(c.text) <= limit
        assert c.text == u.clean.text[c.clean_start:c.clean_end]
        assert u.clean.to_source(c.clean_start, c.clean_end) == (c.start, c.end)
        assert u.source.text[c.start] == c.text[0] and u.source.text[c.end - 1] == c.text[-1]
        for i, ch in enumerate(c.text):
            if not ch.isspace():
                assert u.source.text[u.clean.offsets[c.clean_start + i]] == ch
    assert [c.ordinal for c in u.chunks] == list(range(len(u.chunks)))


def test_long_paragraph_splits_at_sentences() -> None:
    from ingest.records import Source

    text = " ".join(f"Sentence number {i} describes the MAPPA process in some detail." for i in range(60))
    s = Source(path="x", name="x.txt", format="txt", text=text)
    c = clean(s)
    chunks = chunk(c, s, find_blocks(c, s, "other"), count=word_count, max_tokens=60)
    assert len(chunks) > 5
    assert all(word_count(ch.text) <= 60 for ch in chunks)
    assert all(ch.text.endswith(".") for ch in chunks)
    assert " ".join(ch.text for ch in chunks) == c.text


def test_pdf_chunks_carry_page_numbers(tmp_path: Path) -> None:
    pages = [[f"Heading {i}", f"The force reviewed offender management on page {i} in detail."] for i in range(1, 4)]
    u = understand(make_pdf(tmp_path / "p.pdf", pages), max_tokens=16)
    pages_seen = {c.page for c in u.chunks}
    assert pages_seen == {1, 2, 3}
    for c in u.chunks:
        assert f"page {c.page}" in c.text


@pytest.mark.parametrize("name", ALL)
def test_each_chunk_has_a_passage_that_runs_on_to_a_later_chunk(name: str) -> None:
    """What search scores and shows starts at its chunk and runs on through the chunks after it
    (headings between included) until it holds PASSAGE_CHARS characters or the document ends."""
    from ingest.chunk import PASSAGE_CHARS

    u = understand(CORPUS / name)
    chunks = u.chunks
    assert chunks
    for i, c in enumerate(chunks):
        assert c.passage.startswith(c.text) and c.passage == u.clean.text[c.clean_start:c.clean_start + len(c.passage)]
        last = next(j for j in range(i, len(chunks)) if chunks[j].end == c.passage_end)
        assert c.passage.endswith(chunks[last].text)
        if last + 1 < len(chunks):
            assert len(c.passage) >= PASSAGE_CHARS  # it stopped because it was long enough, and no later
            assert last == i or chunks[last - 1].clean_end - c.clean_start < PASSAGE_CHARS
        else:
            assert chunks[last] is chunks[-1]
