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


def test_no_fragments_a_reference_line_a_bare_label_or_dot_leaders(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    """A line too short to find or quote joins its neighbour, or takes its neighbour's nearest
    sentences when the two do not fit together; a recommendation's bare label takes the text set out
    beneath it and keeps its ref; a contents page's dot leaders do not fill a passage."""
    letter = " ".join(f"Sentence {i} of the reply sets out what the force holds about stalking protection orders in {2000 + i}." for i in range(14))
    leaders = "\n".join(f"Section {w}: {w.title()} matters {'.' * 80} {n}" for n, w in enumerate(["one", "two", "three", "four"], 4))
    body = "\n\n".join(f"Paragraph {i}. The panel reviewed how the force answers calls for service and what it learned in {2010 + i}."
                       for i in range(3))
    monitoring = ("# HMICFRS monitoring\n\nRecommendation 1\n\n### WMP-PEEL1819-R1\n\nHMIC recommends that the force should immediately review how it "
                  "allocates investigations, so that every investigation goes to an officer with the skills and capacity "
                  "to carry it out.\n\nForce update: a workload tool was rolled out to all CID teams in December 2019.")
    docs = {"ref.md": f"Our Ref: 001127/25\n\n## Facial recognition\n\n{letter}", "contents.txt": f"Contents\n{leaders}\n\n{body}",
            "monitoring.md": monitoring}
    for name, text in docs.items():
        (tmp_path / name).write_text(text)
        u = understand(tmp_path / name, count=embedder.count_tokens, max_tokens=200)
        assert all(len(c.text) >= 150 for c in u.chunks), (name, [c.text[:60] for c in u.chunks])
        assert all(c.tokens <= 200 for c in u.chunks)
    ref = understand(tmp_path / "ref.md", count=embedder.count_tokens, max_tokens=200).chunks
    assert ref[0].text.startswith("Our Ref: 001127/25\n\nFacial recognition\n\nSentence 0") and len(ref) > 1
    assert " ".join(c.text for c in ref).split() == (tmp_path / "ref.md").read_text().replace("## ", "").split()  # nothing lost or repeated
    contents = understand(tmp_path / "contents.txt", count=embedder.count_tokens, max_tokens=200)
    assert "." * 6 not in contents.clean.text and "Section two: Two matters ..... 5" in contents.clean.text
    label = understand(tmp_path / "monitoring.md", count=embedder.count_tokens, max_tokens=200).chunks
    held = [c for c in label if "Recommendation 1" in c.text]
    assert len(held) == 1 and held[0].ref == "1" and "allocates investigations" in held[0].text
