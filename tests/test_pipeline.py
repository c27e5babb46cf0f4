"""Ingest into real SQLite + Chroma: idempotent, replacing, deleting, recovering, refusing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import CORPUS, FOI, MAPPA

from kb.search.embed import Embedder
from kb.errors import ModelMismatchError, NotFoundError
from kb.documents.rows import chunk_id
from kb.documents.pipeline import MODEL_KEY
from kb.store.schema import MIGRATIONS
from kb.service import KB


def _consistent(kb: KB) -> dict[str, int]:
    """Counts, after checking SQLite chunks, FTS rows and Chroma vectors agree exactly."""
    counts = kb.store.counts()
    assert counts["chunks"] == counts["fts_rows"]
    assert kb.vectors.ids() == kb.store.chunk_ids()
    assert kb.store.journal() == []
    return counts


def test_reingest_unchanged_embeds_nothing(fresh_kb: KB, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in (FOI, MAPPA):
        shutil.copy(CORPUS / name, folder / name)
    (folder / "README.md").write_text("# about this folder\n")
    first = fresh_kb.ingest([folder])
    assert [r.status for r in first] == ["added", "added"]  # README.md of a folder is skipped
    embedded = fresh_kb.embedder.encoded
    second = fresh_kb.ingest([folder])
    assert [r.status for r in second] == ["unchanged", "unchanged"]
    assert fresh_kb.embedder.encoded == embedded  # not one chunk embedded again
    counts = _consistent(fresh_kb)
    assert counts["documents"] == 2 and counts["chunks"] == sum(r.chunks for r in first)


def test_a_document_stored_before_passages_is_read_again_once(fresh_kb: KB, tmp_path: Path) -> None:
    """An upgraded database's documents gain their passages on the next ingest; after that, unchanged is unchanged."""
    doc = tmp_path / FOI
    shutil.copy(CORPUS / FOI, doc)
    (added,) = fresh_kb.ingest([doc])
    db = fresh_kb.store.db
    db.execute("UPDATE chunks SET passage = '', passage_end = NULL")  # as schema 9 left them
    (row,) = [r for r in fresh_kb.store.documents() if r["name"] == FOI]
    assert not fresh_kb.store.has_passages(row["id"])
    hit = fresh_kb.search("high harm offenders", k=1, mode="lexical")[0]
    assert hit.text == db.execute("SELECT text FROM chunks WHERE id = ?", (hit.chunk_id,)).fetchone()[0]  # the chunk stands in for its passage
    (again,) = fresh_kb.ingest([doc])
    assert again.status == "updated" and again.chunks == added.chunks and any("earlier version" in w for w in again.warnings)
    (row,) = [r for r in fresh_kb.store.documents() if r["name"] == FOI]
    assert fresh_kb.store.has_passages(row["id"])
    assert [r.status for r in fresh_kb.ingest([doc])] == ["unchanged"]
    _consistent(fresh_kb)


def test_changed_file_replaces_its_chunks_and_vectors(fresh_kb: KB, tmp_path: Path) -> None:
    doc = tmp_path / "note.txt"
    doc.write_text("Recommendation 1\n\nThe Force should review MAPPA training.\n\nThis has been implemented.\n")
    fresh_kb.ingest([doc])
    old_ids = fresh_kb.store.chunk_ids()
    doc.write_text("Recommendation 1\n\nThe Force should review KIRAT referrals.\n\nWork is underway.\n")
    report = fresh_kb.ingest([doc])[0]
    assert report.status == "updated"
    new_ids = fresh_kb.store.chunk_ids()
    assert not (old_ids & new_ids)
    _consistent(fresh_kb)
    assert fresh_kb.search("MAPPA training", mode="lexical") == []
    assert fresh_kb.search("KIRAT referrals", mode="lexical")[0].doc == "note.txt"


def test_deleted_document_leaves_nothing(fresh_kb: KB, tmp_path: Path) -> None:
    doc = tmp_path / FOI
    shutil.copy(CORPUS / FOI, doc)
    fresh_kb.ingest([doc])
    assert fresh_kb.vectors.count() > 0
    fresh_kb.delete(FOI)
    assert _consistent(fresh_kb) == {"documents": 0, "chunks": 0, "fts_rows": 0}
    assert fresh_kb.vectors.count() == 0
    with pytest.raises(NotFoundError):
        fresh_kb.delete(FOI)


def test_prune_removes_documents_whose_files_were_deleted(fresh_kb: KB, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in (FOI, MAPPA):
        shutil.copy(CORPUS / name, folder / name)
    fresh_kb.ingest([folder])
    (folder / FOI).unlink()
    removed = fresh_kb.prune([folder])
    assert [Path(p).name for p in removed] == [FOI]
    assert [d.name for d in fresh_kb.documents()] == [MAPPA]
    _consistent(fresh_kb)


def test_duplicate_and_moved_files(fresh_kb: KB, tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    shutil.copy(CORPUS / MAPPA, a)
    fresh_kb.ingest([a])
    b = tmp_path / "copy.txt"
    shutil.copy(a, b)
    dup = fresh_kb.ingest([b])[0]
    assert dup.status == "duplicate" and "a.txt" in dup.warnings[0]
    b.unlink()
    moved = tmp_path / "renamed.txt"
    a.rename(moved)
    encoded = fresh_kb.embedder.encoded
    assert fresh_kb.ingest([moved])[0].status == "moved"
    assert fresh_kb.embedder.encoded == encoded
    assert [d.name for d in fresh_kb.documents()] == ["renamed.txt"]


def test_the_same_content_twice_in_one_batch_or_by_an_overwrite_is_a_duplicate(fresh_kb: KB, tmp_path: Path) -> None:
    """Both used to stop the whole ingest with a raw 'UNIQUE constraint failed: chunks.id'."""
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(CORPUS / MAPPA, folder / "a.txt")
    shutil.copy(CORPUS / MAPPA, folder / "b.txt")
    shutil.copy(CORPUS / FOI, folder / "c.txt")
    reports = {r.name: r for r in fresh_kb.ingest([folder])}
    assert [reports[n].status for n in ("a.txt", "b.txt", "c.txt")] == ["added", "duplicate", "added"]
    assert "same content as a.txt" in reports["b.txt"].warnings[0]
    shutil.copy(folder / "a.txt", folder / "c.txt")  # c.txt now holds what a.txt holds
    again = {r.name: r for r in fresh_kb.ingest([folder])}
    assert again["c.txt"].status == "duplicate" and "kb delete c.txt" in again["c.txt"].warnings[0]
    assert sorted(d.name for d in fresh_kb.documents()) == ["a.txt", "c.txt"]  # c.txt's earlier version is kept, not lost
    assert fresh_kb.search("high harm offenders", k=3, docs=["c.txt"])
    _consistent(fresh_kb)


def test_batch_with_bad_files_ingests_the_good_ones(fresh_kb: KB, tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("The MOSOVO team manages registered sex offenders.")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (tmp_path / "fake.docx").write_text("not a docx")
    reports = {r.name: r for r in fresh_kb.ingest([tmp_path, tmp_path / "missing.txt"])}
    assert reports["good.txt"].status == "added"
    for bad in ("empty.txt", "broken.pdf", "fake.docx", "missing.txt"):
        assert reports[bad].status == "failed" and reports[bad].error, bad
    assert "empty" in reports["empty.txt"].error
    assert fresh_kb.store.counts()["documents"] == 1


def test_file_over_the_size_limit_is_refused(tmp_path: Path, embedder: Embedder) -> None:
    kb = KB(home=str(tmp_path / "h"), embedder=embedder, max_file_mb=1)
    big = tmp_path / "big.txt"
    big.write_text("x" * (1024 * 1024 + 10))
    report = kb.ingest([big])[0]
    assert report.status == "failed" and "over the 1 MB limit" in report.error


def test_interrupted_ingest_orphans_are_cleaned(fresh_kb: KB, tmp_path: Path) -> None:
    doc = tmp_path / "n.txt"
    doc.write_text("Integrated Offender Management works with probation.")
    fresh_kb.ingest([doc])
    # simulate a kill after vectors were written but before SQLite committed
    orphan = chunk_id("f" * 64, 0, 10)
    fresh_kb.store.journal_add([orphan])
    fresh_kb.vectors.upsert([orphan], [fresh_kb.embedder.embed_query("stray")], ["stray"], [{"doc_key": 1, "doc": "x", "kind": "other"}])
    assert orphan in fresh_kb.vectors.ids()
    fresh_kb.ingest([doc])
    assert orphan not in fresh_kb.vectors.ids()
    _consistent(fresh_kb)


def test_index_refuses_a_different_model(fresh_kb: KB, tmp_path: Path) -> None:
    doc = tmp_path / "n.txt"
    doc.write_text("MARAC is the Multi-Agency Risk Assessment Conference.")
    fresh_kb.ingest([doc])
    assert fresh_kb.store.get_setting(MODEL_KEY) == fresh_kb.embedder.name
    fresh_kb.store.set_setting(MODEL_KEY, "some-other-model")
    with pytest.raises(ModelMismatchError, match="some-other-model"):
        fresh_kb.search("MARAC")
    with pytest.raises(ModelMismatchError):
        fresh_kb.ingest([doc])
    assert fresh_kb.search("MARAC", mode="lexical")  # words alone do not depend on the model


def test_store_survives_reopen(fresh_kb: KB, tmp_path: Path, embedder: Embedder) -> None:
    doc = tmp_path / "n.txt"
    doc.write_text("ViSOR is the Violent and Sex Offender Register.")
    fresh_kb.ingest([doc])
    again = KB(home=str(fresh_kb.config.home), embedder=embedder)
    assert again.store.schema_version() == len(MIGRATIONS) >= 6
    assert again.search("Violent and Sex Offender Register", mode="dense")[0].doc == "n.txt"
