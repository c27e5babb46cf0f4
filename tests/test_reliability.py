"""The second reliability and security round, each through the real CLI where a user would meet it:
links out of a folder are not followed, a large file is embedded a group at a time with progress, two
first opens of a new home both succeed, a damaged backup is refused whole and leaves the home as it
was, a stale `kb recs set` is refused, and the smaller edges (hidden files, odd names, stats after a
crash, a huge query)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT
from test_cli import KB_BIN, run

from kb.search.embed import Embedder
from kb.errors import DocumentError
from kb.documents.rows import vector_meta
from kb.service import KB

REPORT = ROOT / "tests" / "data" / "draft" / "hmicfrs-test-report-2026.md"


def test_folder_ingest_does_not_follow_links_out_of_the_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("Zanzibar ocelot: a system file nobody meant to index.\n")
    (outside / "more.txt").write_text("Quokka lantern: another file outside.\n")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "note.txt").write_text("Custody reviews are held every month by the inspector on duty.\n")
    (folder / "passwd_link.txt").symlink_to(outside / "secret.txt")
    (folder / "linked").symlink_to(outside, target_is_directory=True)
    (folder / "same_note.txt").symlink_to(folder / "note.txt")  # inside the folder: followed, and the same file once
    (folder / "broken.txt").symlink_to(tmp_path / "gone.txt")
    (folder / ".hidden.txt").write_text("Hidden notes.\n")
    (folder / ".git").mkdir()
    (folder / ".git" / "config.txt").write_text("Not a document.\n")
    home = str(tmp_path / "home")
    out = run("--home", home, "ingest", str(folder))
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert any(line.startswith("added      note.txt") for line in lines), lines
    assert f"skipped    passwd_link.txt: a link to {outside / 'secret.txt'}, outside the folder: not followed" in lines
    assert f"skipped    linked: a link to {outside}, outside the folder: not followed" in lines
    assert "skipped    broken.txt: a link to nothing (a broken link), outside the folder: not followed" in lines
    assert "skipped    .hidden.txt: a hidden file (its name starts with a dot): not read" in lines
    assert "skipped    .git/: a hidden folder (its name starts with a dot): not read" in lines
    for words in ("zanzibar ocelot", "quokka lantern"):
        found = run("--home", home, "search", words, "--mode", "lexical", "--json")
        assert found.returncode == 0 and found.stdout == "", found.stdout
    docs = run("--home", home, "docs", "--json")
    assert [json.loads(line)["name"] for line in docs.stdout.splitlines()] == ["note.txt"]


def test_an_upload_that_is_a_link_is_refused(fresh_kb: KB, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("Zanzibar ocelot.\n")
    link = tmp_path / "upload.txt"
    link.symlink_to(secret)
    with pytest.raises(DocumentError, match="it is a link to another file"):
        fresh_kb.add_files([("upload.txt", str(link))])
    assert not (fresh_kb.config.home / "uploads" / "upload.txt").exists()


def long_report(n: int) -> str:
    """A text of n paragraphs, each its own passage."""
    return "\n\n".join(f"Paragraph {i}. The force reviewed {i} custody records in week {i} and found that detainees were seen by a nurse "
                       f"within {i % 7 + 1} hours; supervisors checked {i * 3} risk assessments and recorded their findings in the log."
                       for i in range(n))


def test_a_large_file_is_embedded_a_group_at_a_time_with_progress(tmp_path: Path, embedder: Embedder) -> None:
    big = tmp_path / "big.txt"
    big.write_text(long_report(300))
    knowledge = KB(home=str(tmp_path / "home"), embedder=embedder, embed_group=16)
    calls: list[int] = []
    real = embedder.embed

    def counting(texts: list[str], batch_size: int = 32) -> list[list[float]]:
        calls.append(len(texts))
        return real(texts, batch_size)

    heard: list[tuple[int, int, str, float]] = []
    embedder.embed = counting  # type: ignore[method-assign]
    try:
        (report,) = knowledge.ingest([big], on_embed=lambda *a: heard.append(a))
    finally:
        del embedder.embed
    assert report.status == "added" and report.chunks >= 40, report
    assert calls and max(calls) <= 16 and sum(calls) == report.chunks  # never the whole file at once
    totals = {t for _, t, _, _ in heard}
    assert totals == {report.chunks} and [d for d, *_ in heard] == sorted(d for d, *_ in heard) and heard[-1][0] == report.chunks
    assert all(name == "big.txt" and left >= 0 for _, _, name, left in heard) and heard[-1][3] == 0
    assert knowledge.stats()["vectors"] == report.chunks
    # the command line shows a bar of passages with the time left, for work of several groups
    out = subprocess.run([KB_BIN, "--home", str(tmp_path / "cli-home"), "ingest", str(big)], capture_output=True, text=True, timeout=600,
                         env={**os.environ, "KB_EMBED_GROUP": "16"})
    assert out.returncode == 0, out.stderr
    assert "embedding" in out.stderr and f"{report.chunks}/{report.chunks}" in out.stderr and "passage" in out.stderr, out.stderr[-500:]


def test_a_text_over_the_limit_is_refused_with_the_reason(tmp_path: Path, embedder: Embedder) -> None:
    big = tmp_path / "archive.txt"
    big.write_text("Custody records were reviewed and found in order. " * 25000)  # 1.2 MB of text
    knowledge = KB(home=str(tmp_path / "home"), embedder=embedder, max_text_mb=1)
    (report,) = knowledge.ingest([big])
    assert report.status == "failed" and "over the 1 MB limit" in report.error and "KB_MAX_TEXT_MB" in report.error, report
    assert knowledge.counts()["documents"] == 0


OPEN_AT = """
import sys, time
sys.path.insert(0, {root!r})
import kb.env
from kb.store.db import Store
start = float(sys.argv[2])
while time.time() < start:
    pass
Store(__import__("pathlib").Path(sys.argv[1]))
print("ok")
"""


def test_two_first_opens_of_a_new_home_both_succeed(tmp_path: Path) -> None:
    """Processes that open one new data home at the same instant all migrate it without error (one
    migrates, the others wait and find it done); the real CLI likewise."""
    script = tmp_path / "open.py"
    script.write_text(OPEN_AT.format(root=str(ROOT)))
    for attempt in range(3):
        db = tmp_path / f"home{attempt}" / "kb.sqlite"
        start = time.time() + 3
        procs = [subprocess.Popen([sys.executable, str(script), str(db), str(start)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(4)]
        results = [p.communicate(timeout=120) for p in procs]
        assert all(p.returncode == 0 for p in procs), [err[-400:] for _, err in results]
    (tmp_path / "a.txt").write_text("Custody reviews are monthly.\n")
    (tmp_path / "b.txt").write_text("Stalking protection orders are reviewed weekly.\n")
    home = str(tmp_path / "cli-home")
    both = [subprocess.Popen([KB_BIN, "--home", home, "ingest", str(tmp_path / name)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for name in ("a.txt", "b.txt")]
    outs = [p.communicate(timeout=300) for p in both]
    assert all(p.returncode == 0 for p in both), [o + e[-400:] for o, e in outs]
    assert len(run("--home", home, "docs").stdout.splitlines()) == 2


@pytest.fixture(scope="module")
def backup_file(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    root = tmp_path_factory.mktemp("damaged")
    knowledge = KB(home=str(root / "home"), embedder=embedder)
    knowledge.ingest([REPORT])
    knowledge.backup(root / "good.zip")
    return root / "good.zip"


def rebuilt(source: Path, target: Path, change: dict[str, bytes | None], checksums: bool = True) -> Path:
    """A copy of a backup with members replaced (bytes), removed (None) or added, and a manifest rebuilt to match."""
    import hashlib

    with zipfile.ZipFile(source) as z:
        members = {n: z.read(n) for n in z.namelist()}
    manifest = json.loads(members.pop("manifest.json"))
    for name, data in change.items():
        if data is None:
            members.pop(name, None)
        else:
            members[name] = data
    if checksums:
        manifest["files"] = {n: hashlib.sha256(d).hexdigest() for n, d in members.items()}
    with zipfile.ZipFile(target, "w") as z:
        z.writestr("manifest.json", json.dumps(manifest))
        for name, data in members.items():
            z.writestr(name, data)
    return target


def flipped(source: Path, target: Path) -> Path:
    """A copy with two bytes flipped inside the database's compressed data (its CRC no longer matches)."""
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as z:
        info = z.getinfo("kb.sqlite")
    name_len, extra_len = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little"), \
        int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    at = info.header_offset + 30 + name_len + extra_len + info.compress_size // 2
    data[at] ^= 0xFF
    data[at + 1] ^= 0xFF
    target.write_bytes(bytes(data))
    return target


def test_a_damaged_backup_is_refused_whole_and_leaves_the_home_as_it_was(backup_file: Path, tmp_path: Path) -> None:
    cases = {
        "flipped": (flipped(backup_file, tmp_path / "flipped.zip"), "is damaged"),
        "junk database": (rebuilt(backup_file, tmp_path / "junk.zip", {"kb.sqlite": b"not a database at all" * 200}), "its database cannot be read"),
        "climbing member": (rebuilt(backup_file, tmp_path / "climb.zip", {"../evil.txt": b"escaped"}), "outside its place"),
        "absolute member": (rebuilt(backup_file, tmp_path / "abs.zip", {"/tmp/evil-abs.txt": b"escaped"}), "outside its place"),
        "unlisted member": (rebuilt(backup_file, tmp_path / "extra.zip", {"uploads/extra.txt": b"x"}, checksums=False), "does not list"),
        "missing vectors": (rebuilt(backup_file, tmp_path / "novec.zip", {"vectors.npy": None}), "missing"),
        "not a zip": (tmp_path / "plain.zip", "not a knowledge-base backup"),
    }
    (tmp_path / "plain.zip").write_bytes(b"hello")
    for label, (damaged, message) in cases.items():
        home = tmp_path / f"home-{label.replace(' ', '-')}"
        out = run("--home", str(home), "restore", str(damaged))
        assert out.returncode == 1, (label, out.stdout, out.stderr)
        assert len(out.stderr.strip().splitlines()) == 1 and message in out.stderr and "Traceback" not in out.stderr, (label, out.stderr)
        assert not home.exists(), (label, sorted(p.name for p in home.iterdir()))
    assert not (tmp_path / "evil.txt").exists() and not Path("/tmp/evil-abs.txt").exists()
    # an empty home that existed before stays empty; the good backup then restores into it
    home = tmp_path / "existing-empty"
    home.mkdir()
    assert run("--home", str(home), "restore", str(cases["junk database"][0])).returncode == 1 and list(home.iterdir()) == []
    good = run("--home", str(home), "restore", str(backup_file))
    assert good.returncode == 0 and "restored 1 documents" in good.stdout, good.stderr


def test_a_stale_recs_set_is_refused_as_in_the_app(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    assert run("--home", home, "ingest", str(REPORT)).returncode == 0
    rows = [json.loads(line) for line in run("--home", home, "recs", "--doc", REPORT.name, "--json").stdout.splitlines()]
    seen = next(r for r in rows if r["ref"] == "2")["version"]
    first = run("--home", home, "recs", "set", "2", "--doc", REPORT.name, "--status", "in_progress", "--by", "Jane Davies", "--version", str(seen))
    assert first.returncode == 0 and f"now v{seen + 1}" in first.stdout, first.stderr
    second = run("--home", home, "recs", "set", "2", "--doc", REPORT.name, "--status", "complete", "--by", "Tom Price", "--version", str(seen))
    assert second.returncode == 1 and "changed by Jane Davies at" in second.stderr and "reload and try again" in second.stderr, second.stderr
    after = [json.loads(line) for line in run("--home", home, "recs", "--doc", REPORT.name, "--json").stdout.splitlines()]
    assert next(r for r in after if r["ref"] == "2")["status"] == "in_progress"
    # without --version the change goes through, but says what it replaced
    blind = run("--home", home, "recs", "set", "2", "--doc", REPORT.name, "--status", "planned", "--by", "Tom Price")
    assert blind.returncode == 0 and "it was in_progress (confirmed by Jane Davies" in blind.stdout, blind.stdout


def test_odd_names_markings_stats_after_a_crash_and_huge_queries(tmp_path: Path, embedder: Embedder) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "odd\nname.txt").write_text("Custody reviews are held every month.\n")
    home = tmp_path / "home"
    out = run("--home", str(home), "ingest", str(folder))
    assert out.returncode == 0 and "added      odd\\nname.txt" in out.stdout, out.stdout
    docs = run("--home", str(home), "docs").stdout.splitlines()
    assert len(docs) == 1 and docs[0].startswith("odd\\nname.txt  [OFFICIAL, "), docs
    # an interrupted ingest: a journalled vector no passage holds
    knowledge = KB(home=str(home), embedder=embedder)
    knowledge.store.journal_add(["stray"])
    knowledge.vectors.upsert(["stray"], [embedder.embed_query("stray")], ["stray"], [vector_meta("0" * 64, "gone.txt", "other")])
    stats = json.loads(run("--home", str(home), "stats").stdout)
    assert stats["vectors"] == stats["chunks"] + 1 and "1 more vectors than passages" in stats["note"] and "next 'kb ingest'" in stats["note"]
    (folder / "more.txt").write_text("Stalking protection orders are reviewed weekly.\n")
    assert run("--home", str(home), "ingest", str(folder)).returncode == 0
    stats = json.loads(run("--home", str(home), "stats").stdout)
    assert stats["vectors"] == stats["chunks"] and "note" not in stats
    huge = "custody " * 12500
    text = run("--home", str(home), "search", huge, "--mode", "lexical")
    assert text.returncode == 0 and len(text.stdout.splitlines()[0]) < 300 and "(100,000 characters)" in text.stdout.splitlines()[0]
    lines = run("--home", str(home), "search", huge, "--mode", "lexical", "--json").stdout.splitlines()
    assert lines and all(len(json.loads(line)["query"]) == 1000 and json.loads(line)["query_truncated"] for line in lines)
