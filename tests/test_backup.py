"""Backups: `kb backup FILE` and `kb restore FILE` round-trip documents, chunks, vectors, the register
with its history, FOI records, users and uploads; a restore into an empty data home answers the same
queries identically; a restore never writes over data and refuses a damaged file."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import CORPUS

from kb.errors import BackupError
from kb.cli.main import main
from kb.search.embed import Embedder
from kb.service import KB

ROOT = Path(__file__).resolve().parent
QUERIES = ["MAPPA training for staff", "stalking protection orders", "How many officers work in the Offender Management Unit?",
           "integrated offender management in Wales", "online child sexual abuse investigations"]


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> KB:
    root = tmp_path_factory.mktemp("backup")
    knowledge = KB(home=str(root / "home"), embedder=embedder)
    knowledge.ingest([CORPUS, ROOT / "data" / "foi"])
    upload = root / "upload.txt"
    upload.write_text("Kestrel protocol: officers call every stalking victim within 48 hours of a report.\n")
    knowledge.add_files([("kestrel-protocol.txt", str(upload))], marking="OFFICIAL-SENSITIVE")
    rec = knowledge.recommendations()[0]
    knowledge.set_recommendation(rec.ref, rec.doc, by="Jane Davies", status="in_progress", owner="DCI Evans", due="2027-03-31",
                                 note="board paper 12", ordinal=rec.ordinal, parent=rec.parent)
    knowledge.users.add("Jane Davies", "admin", "password-jane", clearance="OFFICIAL-SENSITIVE")
    knowledge.users.add("Olive Hart", "viewer", "password-olive")
    return knowledge


def snapshot(kb: KB) -> dict[str, object]:
    """Everything a restore must bring back, as comparable data."""
    # the same passages in the same order; a score to 4 places (a rebuilt vector index may differ in the 6th)
    searches = {f"{mode}:{q}": [(h.chunk_id, round(h.score, 4), h.doc, h.page) for h in kb.search(q, k=8, mode=mode)]
                for q in QUERIES for mode in ("lexical", "dense", "hybrid")}
    answers = {q: (a.answer, [(c.doc, c.quote, c.page) for c in a.citations]) for q in QUERIES for a in [kb.ask(q)]}
    register = [{k: v for k, v in r.to_json().items() if k != "days_overdue"} for r in kb.recommendations()]
    histories = [kb.recommendation_history(r["ref"], r["doc"], r["ordinal"], r["parent"]).to_json() for r in register[:5]]
    docs = [{k: v for k, v in d.to_json().items() if k not in ("path", "id")} for d in kb.documents()]
    return {"stats": {k: v for k, v in kb.stats().items() if k != "home"}, "docs": docs, "searches": searches, "answers": answers,
            "register": register, "histories": histories, "foi": kb.foi_records(), "users": kb.users.list(),
            "olive": [h.doc for h in kb.as_user("Olive Hart").search("Kestrel protocol stalking victim", mode="lexical")]}


def test_round_trip_answers_the_same_queries_identically(original: KB, embedder: Embedder, tmp_path: Path) -> None:
    before = snapshot(original)
    assert before["stats"]["documents"] == 10 and before["users"] and before["register"] and before["foi"]  # type: ignore[index]
    manifest = original.backup(tmp_path / "kb.zip")
    assert manifest["counts"]["vectors"] == manifest["counts"]["chunks"] == before["stats"]["chunks"]  # type: ignore[index]
    restored = KB(home=str(tmp_path / "restored"), embedder=embedder)
    restored.restore(tmp_path / "kb.zip")
    after = snapshot(restored)
    for key in before:
        assert after[key] == before[key], key
    # uploads come back inside the new home, and their documents point at them
    (doc,) = restored.store.documents_named("kestrel-protocol.txt")
    assert Path(doc["path"]).is_file() and Path(doc["path"]).is_relative_to((tmp_path / "restored").resolve())
    assert restored.users.check("Jane Davies", "password-jane") and not restored.users.check("Jane Davies", "wrong")
    assert "kestrel-protocol.txt" not in after["olive"]  # type: ignore[operator]  # markings survive: Olive still cannot see it
    # the history is still append-only after a restore, and the restore itself is audited
    assert any(e.action == "restore" for e in restored.audit_log())
    with pytest.raises(Exception, match="append-only"):
        restored.store.db.execute("DELETE FROM rec_history")


def test_restore_never_writes_over_data(original: KB, embedder: Embedder, tmp_path: Path) -> None:
    original.backup(tmp_path / "kb.zip")
    busy = KB(home=str(tmp_path / "busy"), embedder=embedder)
    busy.ingest([CORPUS / "iom-cymru-local-delivery-schemes.txt"])
    with pytest.raises(BackupError, match="already holds data"):
        busy.restore(tmp_path / "kb.zip")
    assert busy.stats()["documents"] == 1 and busy.stats()["vectors"] == busy.stats()["chunks"]


def test_damaged_or_foreign_files_are_refused(original: KB, embedder: Embedder, tmp_path: Path) -> None:
    original.backup(tmp_path / "kb.zip")
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tmp_path / "kb.zip") as src, zipfile.ZipFile(tampered, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, data + b"x" if item.filename == "vectors.jsonl" else data)
    empty = KB(home=str(tmp_path / "empty"), embedder=embedder)
    with pytest.raises(BackupError, match="does not match its checksum"):
        empty.restore(tampered)
    assert empty.stats()["documents"] == 0 and empty.stats()["vectors"] == 0
    (tmp_path / "notes.zip").write_bytes(b"not a zip")
    with pytest.raises(BackupError, match="not a knowledge-base backup"):
        empty.restore(tmp_path / "notes.zip")
    with pytest.raises(BackupError, match="no backup file"):
        empty.restore(tmp_path / "missing.zip")
    with pytest.raises(BackupError, match=r"\.zip"):
        original.backup(tmp_path / "kb.tar")
    assert not list(tmp_path.glob("*.partial"))


def test_cli_backup_and_restore(original: KB, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = str(original.config.home)
    assert main(["--home", home, "backup", str(tmp_path / "cli.zip")]) == 0
    assert "backed up 10 documents" in capsys.readouterr().out
    assert main(["--home", str(tmp_path / "cli-restored"), "restore", str(tmp_path / "cli.zip")]) == 0
    assert "restored 10 documents" in capsys.readouterr().out
    assert main(["--home", home, "restore", str(tmp_path / "cli.zip")]) == 1
    assert "already holds data" in capsys.readouterr().err
    assert main(["--home", str(tmp_path / "cli-restored"), "docs", "--json"]) == 0
    assert len([json.loads(line) for line in capsys.readouterr().out.splitlines()]) == 10
    shutil.rmtree(tmp_path / "cli-restored")
