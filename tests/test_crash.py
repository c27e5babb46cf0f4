"""Crashes and concurrency: a killed ingest leaves the store whole, two editors cannot overwrite
each other, and queries keep answering while an ingest runs.

The ingests that are killed run in child processes (``kb ingest``, ``kb delete``, a re-read) on
their own data home. This process watches the database and sends SIGKILL at chosen moments: at
seeded random times over a measured run, and as soon as a file's vector ids are journalled or its
document is committed (read from SQLite, so the product needs no hook). After every run the
invariants are checked directly in SQLite and, from a fresh process, in Chroma.

Also here: two ingests at once on one data home; two editors saving the same recommendation
(the second is refused, naming the first); searches and the register read during an ingest, in
this process and from another one. Run with ``-s`` to see the kill points hit and the query
latencies measured (reported, never asserted).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, FOI, MAPPA, ROOT

from kb.search.embed import Embedder
from kb.service import KB
from kb.errors import ConflictError

SEED = 8  # issue 8
# Small model batches and groups make an ingest embed and store after every few files, so one run has many
# write points to be killed at (the default batch stores a small folder in one go at the end).
CHILD_BATCH = "8"
CHILD_GROUP = "32"  # chunks embedded and written together (the default, 512, writes this folder in one go)
POLL = 0.002  # seconds between looks at the child's database

TOPICS = ["Vetting", "Custody", "Roads Policing", "Cybercrime", "Missing Children", "Firearms Licensing", "Neighbourhood Policing",
          "Digital Forensics", "Fraud", "Rural Crime", "Hate Crime", "Child Exploitation"]
WORDS = ["review", "training", "supervision", "referrals", "safeguarding", "partnership", "audit", "victims", "offenders", "risk",
         "assessment", "quality", "data", "governance", "resources", "demand", "backlog", "officers", "staff", "investigation",
         "standards", "leadership"]
RESPONSES = ["Work is underway to review this.", "This has been implemented.", "The force will commission an audit.",
             "This recommendation is not applicable to the force."]


def response_text(i: int, recs: int = 6, seed: int = SEED) -> str:
    """A PCC response to an inspection report: ``recs`` recommendations, each with a response of a few paragraphs."""
    rng = random.Random(seed * 1000 + i)
    topic = TOPICS[i % len(TOPICS)]
    lines = [f"Police and Crime Commissioner response to: HMICFRS Report on {topic} {i} (March 2026)", ""]
    for r in range(1, recs + 1):
        lines += [f"Recommendation {r}", "", f"By 31 October 2026, forces should improve {rng.choice(WORDS)} and {rng.choice(WORDS)} "
                  f"for {topic.lower()} case {r}.", ""]
        for _ in range(rng.randint(2, 4)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(40, 80))]
            lines += [" ".join([words[0].capitalize(), *words[1:]]) + ".", ""]
        lines += [rng.choice(RESPONSES), ""]
    return "\n".join(lines)


def make_folder(folder: Path, generated: int, corpus: bool = True, first: int = 0) -> Path:
    """A folder of documents: the corpus (optionally) and ``generated`` responses with recommendations."""
    folder.mkdir(parents=True, exist_ok=True)
    if corpus:
        for f in CORPUS.glob("*.txt"):
            shutil.copy(f, folder / f.name)
    for i in range(first, first + generated):
        (folder / f"response-{i:02d}.txt").write_text(response_text(i))
    return folder


# --- running and killing a child ------------------------------------------------------------
Trigger = Callable[[sqlite3.Connection | None, float], bool]


@dataclass
class Run:
    """One child process: killed or finished, how long it ran, what it printed."""

    killed: bool
    returncode: int
    seconds: float
    stdout: str
    stderr: str


def kb_cmd(home: Path, *args: str | Path) -> list[str]:
    """The ``kb`` command line on a data home."""
    return [sys.executable, "-m", "kb.cli", "--home", str(home), *map(str, args)]


def python_cmd(code: str) -> list[str]:
    """A Python one-off in a child process (for what the CLI does not offer, e.g. a forced re-read)."""
    return [sys.executable, "-c", code]


def run_child(cmd: list[str], home: Path, trigger: Trigger | None = None, delay: float = 0.0) -> Run:
    """Run a child on ``home``; when ``trigger`` fires, wait ``delay`` seconds and SIGKILL it."""
    env = {**os.environ, "KB_HOME": str(home), "KB_EMBED_BATCH": CHILD_BATCH, "KB_EMBED_GROUP": CHILD_GROUP}
    env.pop("KB_CHROMA_HOST", None)
    out_path, err_path = home.parent / f"{home.name}.out", home.parent / f"{home.name}.err"
    db_path = home / "kb.sqlite"
    killed = False
    t0 = time.monotonic()
    with out_path.open("w") as out, err_path.open("w") as err:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=err)
        db: sqlite3.Connection | None = None
        try:
            while trigger is not None and proc.poll() is None:
                if db is None and db_path.exists():
                    db = sqlite3.connect(db_path, timeout=1, isolation_level=None)
                try:
                    fired = trigger(db, time.monotonic() - t0)
                except sqlite3.OperationalError:  # the schema is not there yet
                    fired = False
                if fired:
                    if delay:
                        time.sleep(delay)
                    if proc.poll() is None:
                        proc.send_signal(signal.SIGKILL)
                    break
                time.sleep(POLL)
            proc.wait(timeout=900)
            killed = proc.returncode == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if db is not None:
                db.close()
    return Run(killed, proc.returncode, time.monotonic() - t0, out_path.read_text(), err_path.read_text())


def after(seconds: float) -> Trigger:
    """Fire ``seconds`` after the child started."""
    return lambda db, t: t >= seconds


def journalled(before: set[str]) -> Trigger:
    """Fire when this run has put vector ids in the journal: a file's write (or a delete) is in flight.

    ``before`` is what an earlier killed run left there: this run's recovery clears it first, and
    only entries written after that count.
    """
    changed = not before

    def fired(db: sqlite3.Connection | None, t: float) -> bool:
        nonlocal changed
        now = {r[0] for r in db.execute("SELECT chunk_id FROM vector_journal")} if db is not None else set()
        changed = changed or now != before
        return changed and bool(now)

    return fired


def documents_differ_from(n: int, by: int = 1) -> Trigger:
    """Fire once transactions have changed the number of documents by ``by`` (added or deleted)."""
    return lambda db, t: db is not None and abs(db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] - n) >= by


# --- the invariants ------------------------------------------------------------------------
# Chroma is read by a separate process that opens the store afresh for every check (as the next
# app start would) and lets it go again before the next child runs. One reader serves a whole test:
# importing chromadb takes seconds.
CHROMA_READER = """
import json, sys
import kb  # the offline switches, before chromadb
import chromadb
from chromadb.api.client import SharedSystemClient
from chromadb.config import Settings
from kb.search.vectors import COLLECTION
for line in sys.stdin:
    try:
        client = chromadb.PersistentClient(path=line.strip(), settings=Settings(anonymized_telemetry=False))
        names = [c if isinstance(c, str) else c.name for c in client.list_collections()]
        out = {"ids": [], "found": []}
        if COLLECTION in names:
            col = client.get_collection(COLLECTION, embedding_function=None)
            got = col.get(include=["embeddings"])
            out["ids"] = got["ids"]
            if got["ids"]:
                probe = [float(x) for x in got["embeddings"][0]]
                out["found"] = col.query(query_embeddings=[probe], n_results=len(got["ids"]), include=["distances"])["ids"][0]
    except Exception as exc:
        out = {"error": repr(exc)}
    finally:
        SharedSystemClient.clear_system_cache()
    print("FACTS " + json.dumps(out), flush=True)
"""


class ChromaReader:
    """A child process that reads a home's vector ids on request."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", CHROMA_READER], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)

    def ids(self, home: Path) -> set[str]:
        """Every vector id in the home's Chroma, after checking its index agrees with its records."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"{home / 'chroma'}\n")
        self.proc.stdin.flush()
        line = ""
        while not line.startswith("FACTS "):
            line = self.proc.stdout.readline()
            assert line, "the Chroma reader stopped"
        got = json.loads(line[len("FACTS "):])
        assert "error" not in got, f"Chroma could not be read after the run: {got.get('error')}"
        ids = set(got["ids"])
        assert len(ids) == len(got["ids"]), "duplicate vector ids"
        assert set(got["found"]) == ids, "Chroma's index and its records disagree"
        return ids

    def close(self) -> None:
        """Stop the reader."""
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


@pytest.fixture()
def chroma() -> Any:
    """A Chroma reader for one test."""
    reader = ChromaReader()
    yield reader
    reader.close()


@dataclass
class Facts:
    """What a data home holds, read directly from SQLite and Chroma."""

    documents: dict[str, tuple[str, int]]  # name -> (content hash, chunks)
    chunk_ids: set[str]
    vectors: set[str]
    journal: set[str]
    fts_rows: int
    recommendations: set[tuple[Any, ...]]
    statements: set[tuple[Any, ...]]
    foi: set[tuple[Any, ...]]
    counts: dict[str, int] = field(default_factory=dict)

    def same_content(self) -> tuple[Any, ...]:
        """Everything that must equal a clean ingest of the same files (row ids and times aside)."""
        return (self.documents, self.chunk_ids, self.vectors, self.recommendations, self.statements, self.foi)


def sqlite_facts(db_path: Path) -> Facts:
    """Check every invariant that must hold in SQLite at any moment, killed or not, and read its facts."""
    db = sqlite3.connect(db_path, isolation_level=None)
    try:
        one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
        assert one("PRAGMA integrity_check") == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        db.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('integrity-check')")  # raises if the index disagrees with its rows
        assert {r[0] for r in db.execute("SELECT rowid FROM chunks_fts")} == {r[0] for r in db.execute("SELECT rowid FROM chunks")}, "FTS rows differ from chunk rows"
        dups = db.execute("SELECT content_hash, COUNT(*) FROM documents GROUP BY content_hash HAVING COUNT(*) > 1").fetchall()
        assert dups == [], f"duplicate documents: {dups}"
        short = db.execute("""SELECT d.name, d.chunks, COUNT(c.id) FROM documents d LEFT JOIN chunks c ON c.doc_id = d.id
                              GROUP BY d.id HAVING COUNT(c.id) != d.chunks""").fetchall()
        assert short == [], f"documents whose chunks are missing or not what their report said: {short}"
        assert one("SELECT COUNT(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM doc_text t WHERE t.doc_id = d.id)") == 0
        assert one("SELECT COUNT(*) FROM documents d WHERE pages != (SELECT COUNT(*) FROM pages p WHERE p.doc_id = d.id)") == 0
        stray = db.execute("""SELECT key, doc FROM recommendations WHERE status_source != 'confirmed'
                              AND (doc NOT IN (SELECT name FROM documents) OR (chunk_id IS NOT NULL AND chunk_id NOT IN (SELECT id FROM chunks)))""").fetchall()
        assert stray == [], f"recommendations of documents not stored: {stray}"
        stray = db.execute("""SELECT rec_key, doc FROM rec_statements WHERE doc NOT IN (SELECT name FROM documents)
                              OR (chunk_id IS NOT NULL AND chunk_id NOT IN (SELECT id FROM chunks))
                              OR rec_key NOT IN (SELECT key FROM recommendations)""").fetchall()
        assert stray == [], f"statements of documents or recommendations not stored: {stray}"
        names = {r[0]: r[1] for r in db.execute("SELECT id, name FROM documents")}
        return Facts(
            documents={r[0]: (r[1], r[2]) for r in db.execute("SELECT name, content_hash, chunks FROM documents")},
            chunk_ids={r[0] for r in db.execute("SELECT id FROM chunks")},
            vectors=set(),
            journal={r[0] for r in db.execute("SELECT chunk_id FROM vector_journal")},
            fts_rows=one("SELECT COUNT(*) FROM chunks_fts"),
            recommendations={tuple(r) for r in db.execute("SELECT key, doc, status, status_source, status_evidence, chunk_id, page FROM recommendations")},
            statements={tuple(r) for r in db.execute("SELECT rec_key, doc, status, quote, chunk_id, page, proposal FROM rec_statements")},
            foi={(names[r[0]], *r[1:]) for r in db.execute("SELECT doc_id, n, question, answer, chunk_id FROM foi_questions")},
            counts={"documents": len(names), "chunks": one("SELECT COUNT(*) FROM chunks"), "fts_rows": one("SELECT COUNT(*) FROM chunks_fts"),
                    "recommendations": one("SELECT COUNT(*) FROM recommendations"), "statements": one("SELECT COUNT(*) FROM rec_statements"),
                    "foi_questions": one("SELECT COUNT(*) FROM foi_questions")},
        )
    finally:
        db.close()


def check(home: Path, chroma: ChromaReader, completed: bool) -> Facts:
    """Check a data home after a run. A killed run may leave vectors without passages and passages
    without vectors, but only ones the journal names (the next run mends them); a completed run
    leaves neither, and an empty journal."""
    facts = sqlite_facts(home / "kb.sqlite")
    facts.vectors = chroma.ids(home)
    facts.counts["vectors"] = len(facts.vectors)
    assert facts.fts_rows == len(facts.chunk_ids)
    missing, orphans = facts.chunk_ids - facts.vectors, facts.vectors - facts.chunk_ids
    if completed:
        assert facts.journal == set(), "the vector journal is not empty after a completed run"
        assert not missing, f"{len(missing)} stored passages have no vector (dense search would never find them)"
        assert not orphans, f"{len(orphans)} vectors have no passage"
    else:
        assert missing <= facts.journal, f"{len(missing - facts.journal)} passages lost their vectors and the journal does not say so"
        assert orphans <= facts.journal, f"{len(orphans - facts.journal)} orphan vectors the journal does not name (never cleaned)"
    return facts


def kill_point(f: Facts, new_ids: set[str] | None = None, deleting: bool = False) -> str:
    """Where in the write order a kill landed, read from what it left behind.

    ``new_ids`` are the passages of the version being written when it replaces another (the
    journal then also holds the old version's); for a re-read of the same content they are the same.
    """
    if not f.journal:
        return "nothing in flight (between writes)"
    if deleting:
        gone = f.journal - f.chunk_ids
        if not gone:
            return "journal written, delete not yet committed"
        left = gone & f.vectors
        return "delete committed, " + ("vectors not yet removed" if left == gone else "vectors being removed" if left else "journal not yet cleared")
    new = new_ids if new_ids is not None else f.journal - f.chunk_ids
    lost = (f.journal & f.chunk_ids) - f.vectors
    if lost:
        return f"passages stored, {len(lost)} of their vectors removed and not yet added again"
    if new and not new <= f.chunk_ids:  # the version being written is not committed
        written = new & f.vectors
        if not written:
            return "journal written, no vector yet"
        return f"during the Chroma write ({len(written)} of {len(new)} vectors)" if written != new else "vectors written, SQLite not yet committed"
    old = f.journal - new
    if new_ids is not None and not old:
        return "passages stored, their vectors in place (the re-read's write not finished)"
    return "SQLite committed, " + ("old vectors not yet removed" if old & f.vectors else "journal not yet cleared")


def counts_line(f: Facts) -> str:
    """The counts checked, on one line."""
    return ", ".join(f"{k} {v}" for k, v in f.counts.items())


# --- kills during an ingest ----------------------------------------------------------------
def test_sigkill_during_ingest_then_rerun_matches_a_clean_ingest(tmp_path: Path, chroma: ChromaReader) -> None:
    folder = make_folder(tmp_path / "docs", generated=4)
    ref_home = tmp_path / "clean"
    clean = run_child(kb_cmd(ref_home, "ingest", folder), ref_home)
    assert clean.returncode == 0, clean.stderr[-2000:]
    reference = check(ref_home, chroma, completed=True)
    assert reference.counts["documents"] == 9 and reference.counts["recommendations"] >= 24
    print(f"\nclean ingest: {clean.seconds:.1f}s; {counts_line(reference)}")

    # kill points: first at a random time of the whole run; then, in random order, a random delay
    # (a file's write takes tens to hundreds of milliseconds) after the first journal entry or the n-th commit
    rng = random.Random(SEED)
    plan: list[tuple[str, int, float]] = [("journal", 0, rng.uniform(0.0, 0.4)) for _ in range(2)]
    plan += [("commit", rng.randint(1, 2), rng.uniform(0.0, 0.4)) for _ in range(3)]
    rng.shuffle(plan)
    plan.insert(0, ("time", 0, rng.uniform(0.2, 0.9)))
    home = tmp_path / "crash"
    points: list[str] = []
    documents, journal = 0, set[str]()
    for kind, n, x in plan:
        if kind == "time":
            run = run_child(kb_cmd(home, "ingest", folder), home, after(x * clean.seconds))
        elif kind == "journal":
            run = run_child(kb_cmd(home, "ingest", folder), home, journalled(journal), delay=x)
        else:
            run = run_child(kb_cmd(home, "ingest", folder), home, documents_differ_from(documents, by=n), delay=x)
        if not run.killed:
            assert run.returncode == 0, run.stderr[-2000:]
        facts = check(home, chroma, completed=not run.killed) if (home / "kb.sqlite").exists() else None
        label = f"at {x * clean.seconds:.1f}s" if kind == "time" else f"{kind}{f' {n}' if n else ''} +{x * 1000:.0f} ms"
        where = "finished before the kill" if not run.killed else (kill_point(facts) if facts else "before the database existed")
        points.append(f"{label}: {where}" + (f" [{counts_line(facts)}]" if facts else ""))
        documents, journal = (facts.counts["documents"], facts.journal) if facts else (0, set())
    final = run_child(kb_cmd(home, "ingest", folder), home)
    assert final.returncode == 0, final.stderr[-2000:]
    facts = check(home, chroma, completed=True)
    print("kill points:\n  " + "\n  ".join(points))
    print(f"after the final run: {counts_line(facts)}")
    assert facts.counts == reference.counts
    assert facts.same_content() == reference.same_content()
    assert sum(1 for p in points if "finished" not in p) >= 3, points  # the kills did land


# --- kills while a document is replaced, read again or deleted --------------------------------
CHANGING = "changing.txt"


def _versions(tmp_path: Path, embedder: Embedder) -> dict[str, Facts]:
    """Facts of a clean ingest of each version of the changing file (with its neighbour), by content hash."""
    out = {}
    for i in (1, 2):
        folder = tmp_path / f"v{i}"
        folder.mkdir()
        shutil.copy(CORPUS / MAPPA, folder / MAPPA)
        (folder / CHANGING).write_text(response_text(40 + i))
        kb = KB(home=str(tmp_path / f"ref{i}"), embedder=embedder)
        assert all(r.status == "added" for r in kb.ingest([folder]))
        facts = sqlite_facts(kb.config.db_path)
        out[facts.documents[CHANGING][0]] = facts
    return out


def _held(facts: Facts, versions: dict[str, Facts]) -> int:
    """Which version of the changing document is stored (1 or 2), after asserting it is stored whole:
    exactly that version's passages, statements and register rows."""
    digest = facts.documents[CHANGING][0]
    assert digest in versions, "the changing document's row is neither version"
    ref = versions[digest]
    assert facts.chunk_ids == ref.chunk_ids, "the document's passages are a mix of versions"
    assert facts.statements == ref.statements and facts.recommendations == ref.recommendations
    return 1 + list(versions).index(digest)


def test_sigkill_while_a_changed_file_is_replaced_or_read_again(tmp_path: Path, embedder: Embedder, chroma: ChromaReader) -> None:
    versions = _versions(tmp_path, embedder)
    text = {1 + n: response_text(40 + 1 + n) for n in range(2)}
    own = {1 + n: f.chunk_ids - next(g for g in versions.values() if g is not f).chunk_ids for n, f in enumerate(versions.values())}
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(CORPUS / MAPPA, folder / MAPPA)
    (folder / CHANGING).write_text(text[1])
    home = tmp_path / "crash"
    assert run_child(kb_cmd(home, "ingest", folder), home).returncode == 0
    facts = check(home, chroma, completed=True)
    held = _held(facts, versions)
    rng = random.Random(SEED + 1)
    points = []
    for _ in range(3):  # each run replaces the version held (whichever the last kill left) by the other
        target = 3 - held
        (folder / CHANGING).write_text(text[target])
        delay = rng.uniform(0.0, 0.4)
        run = run_child(kb_cmd(home, "ingest", folder), home, journalled(facts.journal), delay=delay)
        facts = check(home, chroma, completed=not run.killed)
        now_held = _held(facts, versions)
        where = kill_point(facts, new_ids=own[target]) if run.killed else "finished first"
        points.append(f"replace v{held} by v{target} (+{delay * 1000:.0f} ms): {where}; v{now_held} held whole")
        held = now_held
    # the app's "read again": the same content embedded again under the same passage ids
    (folder / CHANGING).write_text(text[held])
    reread = f"import kb; from kb.service import KB; KB(home={str(home)!r}).reingest({CHANGING!r})"
    delay = rng.uniform(0.0, 0.08)
    run = run_child(python_cmd(reread), home, journalled(facts.journal), delay=delay)
    facts = check(home, chroma, completed=not run.killed)
    assert _held(facts, versions) == held
    points.append(f"read again (+{delay * 1000:.0f} ms): {kill_point(facts, new_ids=own[held]) if run.killed else 'finished first'}")
    final = run_child(kb_cmd(home, "ingest", folder), home)
    assert final.returncode == 0, final.stderr[-2000:]
    facts = check(home, chroma, completed=True)
    assert _held(facts, versions) == held
    print("\nkill points:\n  " + "\n  ".join(points))
    print(f"after the final run: {counts_line(facts)}")
    assert sum(1 for p in points if "finished" not in p) >= 2, points


def test_sigkill_during_delete(tmp_path: Path, chroma: ChromaReader) -> None:
    folder = make_folder(tmp_path / "docs", generated=2, corpus=False)
    shutil.copy(CORPUS / FOI, folder / FOI)
    home = tmp_path / "crash"
    assert run_child(kb_cmd(home, "ingest", folder), home).returncode == 0
    full = check(home, chroma, completed=True)
    victim = "response-00.txt"
    points = []
    for trigger in ("journal", "commit"):
        facts = sqlite_facts(home / "kb.sqlite")
        if victim not in facts.documents:
            break
        when = journalled(facts.journal) if trigger == "journal" else documents_differ_from(len(facts.documents))
        run = run_child(kb_cmd(home, "delete", victim), home, when)
        facts = check(home, chroma, completed=not run.killed)
        if victim in facts.documents:  # still whole: its passages, vectors and register rows
            assert facts.chunk_ids == full.chunk_ids and facts.recommendations == full.recommendations
            state = "document still whole"
        else:  # gone whole: nothing of it left in SQLite; its vectors only as journalled orphans
            assert facts.documents == {k: v for k, v in full.documents.items() if k != victim}
            assert not any(r[1] == victim for r in facts.recommendations | facts.statements)
            state = "document gone whole"
        points.append(f"delete at {trigger}: {kill_point(facts, deleting=True) if run.killed else 'finished first'}; {state}")
    again = run_child(kb_cmd(home, "delete", victim), home)
    if again.returncode:  # already gone: a clear one-line message
        assert f"no document called '{victim}'" in again.stderr and "Traceback" not in again.stderr
    facts = check(home, chroma, completed=not again.returncode)
    assert victim not in facts.documents and len(facts.documents) == 2
    # the next ingest (here of the other two files, unchanged) cleans whatever the kills left
    rest = run_child(kb_cmd(home, "ingest", *[p for p in sorted(folder.iterdir()) if p.name != victim]), home)
    assert rest.returncode == 0 and rest.stdout.count("unchanged ") == 2, rest.stdout
    facts = check(home, chroma, completed=True)
    assert facts.documents == {k: v for k, v in full.documents.items() if k != victim}
    print("\nkill points:\n  " + "\n  ".join(points))
    print(f"after running the delete again and an ingest: {counts_line(facts)}")


def test_stored_passages_whose_vectors_were_lost_get_them_back(fresh_kb: KB, tmp_path: Path) -> None:
    """A kill while a document is re-read under the same ids can land between the vectors' removal
    and their re-adding: the next run must embed them again (deterministic stand-in for that kill)."""
    doc = tmp_path / "n.txt"
    doc.write_text(response_text(3))
    fresh_kb.ingest([doc])
    ids = sorted(fresh_kb.store.chunk_ids())
    fresh_kb.store.journal_add(ids)
    fresh_kb.vectors.delete(ids[: len(ids) // 2 + 1])
    assert fresh_kb.ingest([doc])[0].status == "unchanged"
    assert fresh_kb.vectors.ids() == set(ids) and fresh_kb.store.journal() == []
    query = fresh_kb.store.chunks_by_ids(ids[:1])[ids[0]]["text"]
    assert fresh_kb.search(query, mode="dense", k=1)[0].chunk_id == ids[0]


def _waits_for_lock(path: Path) -> bool:
    """True when some thread or process is blocked waiting for a lock on ``path`` (read from /proc/locks)."""
    inode = path.stat().st_ino if path.exists() else -1
    return any("->" in line and f":{inode} " in line for line in Path("/proc/locks").read_text().splitlines())


def test_a_second_ingest_does_not_take_the_first_ones_vectors_for_a_dead_runs(fresh_kb: KB, tmp_path: Path, embedder: Embedder) -> None:
    """Two ingests at once on one data home (two app users, or the app and a terminal): the second's
    recovery must wait for the first's write in flight, not delete its vectors as a killed run's."""
    if not Path("/proc/locks").exists():
        pytest.skip("needs /proc/locks to see a waiting lock")
    first, second = KB(home=str(fresh_kb.config.home), embedder=embedder), fresh_kb
    (tmp_path / "a.txt").write_text(response_text(8, recs=2))
    (tmp_path / "b.txt").write_text(response_text(9, recs=2))
    written, go = threading.Event(), threading.Event()
    upsert = first.vectors.upsert

    def upsert_then_pause(*args: Any, **kwargs: Any) -> None:  # the real write, then a pause before the SQLite commit
        upsert(*args, **kwargs)
        written.set()
        go.wait()

    first.vectors.upsert = upsert_then_pause  # type: ignore[method-assign]
    reports: dict[str, list[Any]] = {}
    a = threading.Thread(target=lambda: reports.setdefault("a", first.ingest([tmp_path / "a.txt"])))
    a.start()
    assert written.wait(timeout=600)
    b = threading.Thread(target=lambda: reports.setdefault("b", second.ingest([tmp_path / "b.txt"])))
    b.start()
    while b.is_alive() and not _waits_for_lock(fresh_kb.config.home / "ingest.lock"):
        time.sleep(0.01)  # the second ingest either waits for the lock or (without one) runs its recovery now
    go.set()
    a.join()
    b.join()
    assert [r.status for r in reports["a"] + reports["b"]] == ["added", "added"]
    assert second.vectors.ids() == second.store.chunk_ids() and second.store.journal() == []
    assert second.store.counts()["documents"] == 2


# --- two editors ---------------------------------------------------------------------------
def test_two_editors_the_second_save_is_refused(fresh_kb: KB, tmp_path: Path, embedder: Embedder) -> None:
    doc = tmp_path / "vetting.txt"
    doc.write_text(response_text(5, recs=2))
    fresh_kb.ingest([doc])
    other = KB(home=str(fresh_kb.config.home), embedder=embedder)  # a second app process on the same data home
    first, second = fresh_kb.recommendations()[0], other.recommendations()[0]
    assert first.version == second.version
    fresh_kb.set_recommendation(first.ref, "vetting.txt", by="A. Jones", owner="DCI Smith", expected_version=first.version)
    with pytest.raises(ConflictError, match=r"^changed by A\. Jones at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00: reload") as refused:
        other.set_recommendation(second.ref, "vetting.txt", by="B. Evans", owner="DS Price", status="complete",
                                 expected_version=second.version)
    history = other.recommendation_history(first.ref, "vetting.txt").to_json()["history"]
    assert ("A. Jones", "owner", "DCI Smith") in [(h["by"], h["field"], h["new"]) for h in history]
    assert "B. Evans" not in {h["by"] for h in history}
    row = other.recommendations()[0]
    assert row.owner == "DCI Smith" and row.status == first.status and row.version == first.version + 1
    # after reloading, the second editor's save goes through
    other.set_recommendation(row.ref, "vetting.txt", by="B. Evans", status="complete", note="audit seen", expected_version=row.version)
    assert fresh_kb.recommendations()[0].status_by == "B. Evans"
    print(f"\nrefused: {refused.value}")


def test_two_editors_saving_at_once_exactly_one_wins(fresh_kb: KB, tmp_path: Path, embedder: Embedder) -> None:
    doc = tmp_path / "vetting.txt"
    doc.write_text(response_text(6, recs=2))
    fresh_kb.ingest([doc])
    editors = {"C. Hughes": fresh_kb, "D. Rees": KB(home=str(fresh_kb.config.home), embedder=embedder)}
    version = fresh_kb.recommendations()[0].version
    ref = fresh_kb.recommendations()[0].ref
    start = threading.Barrier(len(editors))
    outcome: dict[str, str] = {}

    def save(name: str, kb: KB) -> None:
        start.wait()
        try:
            kb.set_recommendation(ref, "vetting.txt", by=name, status="in_progress", note=f"{name} saw it", expected_version=version)
            outcome[name] = "saved"
        except ConflictError as exc:
            outcome[name] = str(exc)

    threads = [threading.Thread(target=save, args=item) for item in editors.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [n for n, o in outcome.items() if o == "saved"]
    assert len(winners) == 1, outcome
    loser = next(n for n in editors if n not in winners)
    assert re.match(rf"changed by {re.escape(winners[0])} at .+: reload", outcome[loser])
    history = fresh_kb.recommendation_history(ref, "vetting.txt").to_json()["history"]
    assert {h["by"] for h in history} - {"extraction"} == {winners[0]}


def test_the_app_refuses_a_stale_save(fresh_kb: KB, tmp_path: Path, embedder: Embedder) -> None:
    gr = pytest.importorskip("gradio")
    import app

    doc = tmp_path / "vetting.txt"
    doc.write_text(response_text(7, recs=2))
    fresh_kb.ingest([doc])
    other = KB(home=str(fresh_kb.config.home), embedder=embedder)
    previous = app._state.get("kb")
    try:
        app._state["kb"] = other  # this app process shows the register...
        _, rows = app.rec_table("all", False, "")
        _, selected, *_ = app.rec_details_at(rows, 0)
        assert selected is not None
        # ...while someone in another process saves the same recommendation
        fresh_kb.set_recommendation(selected.ref, "vetting.txt", by="E. Morgan", status="complete", note="audit seen",
                                    expected_version=selected.version)
        with pytest.raises(gr.Error, match=r"changed by E\. Morgan at .+: reload"):
            app.rec_save(selected, "not_started", "", "", "", "F. Powell")
        assert other.recommendations()[0].status == "complete"
    finally:
        app._state.pop("kb", None)
        if previous is not None:
            app._state["kb"] = previous


# --- queries during an ingest ---------------------------------------------------------------
QUERIES = ["MAPPA training", "high harm offenders", "vetting review training", "KIRAT referrals", "stalking protection orders"]


def _serve_while(busy: Callable[[], bool], kb: KB) -> tuple[dict[str, list[float]], list[str]]:
    """Run lexical and hybrid searches and read the register until ``busy()`` is false: seconds of each call, and errors."""
    seconds: dict[str, list[float]] = {"lexical": [], "hybrid": [], "register": []}
    errors: list[str] = []
    ops: dict[str, Callable[[str], object]] = {
        "lexical": lambda q: kb.search(q, k=5, mode="lexical"),
        "hybrid": lambda q: kb.search(q, k=5, mode="hybrid"),
        "register": lambda q: kb.recommendations(),
    }
    i = 0
    while busy():
        for name, op in ops.items():
            t = time.perf_counter()
            try:
                op(QUERIES[i % len(QUERIES)])
            except Exception as exc:  # noqa: BLE001 (any failure of a query is what this test looks for)
                errors.append(f"{name}: {exc!r}")
            seconds[name].append(time.perf_counter() - t)
        i += 1
    return seconds, errors


def _latencies(seconds: dict[str, list[float]]) -> str:
    """Calls, median and worst seconds per kind of query (measured and reported, never asserted)."""
    return "; ".join(f"{name} {len(v)} calls, median {sorted(v)[len(v) // 2]:.3f}s, worst {max(v):.3f}s" for name, v in seconds.items() if v)


def test_queries_keep_answering_during_an_ingest(tmp_path: Path, embedder: Embedder) -> None:
    home = tmp_path / "home"
    app_kb = KB(home=str(home), embedder=embedder)  # the app's one knowledge base, shared by its handlers' threads
    assert all(r.status == "added" for r in app_kb.ingest([CORPUS]))
    for q in QUERIES:  # warm: the first hybrid query loads what it needs
        app_kb.search(q, k=5, mode="hybrid")
    folder = make_folder(tmp_path / "upload", generated=8, corpus=False)
    held: list[float] = []
    transaction = app_kb.store.transaction

    @contextmanager
    def timed_transaction() -> Iterator[sqlite3.Connection]:  # how long each write transaction holds the write lock
        with transaction() as tx:
            t = time.perf_counter()
            yield tx
        held.append(time.perf_counter() - t)

    app_kb.store.transaction = timed_transaction  # type: ignore[method-assign]
    reports: list[Any] = []
    ingest = threading.Thread(target=lambda: reports.extend(app_kb.ingest([folder])))  # an upload in one handler...
    ingest.start()
    seconds, errors = _serve_while(ingest.is_alive, app_kb)  # ...while other handlers answer queries
    ingest.join()
    assert errors == []
    assert [r.status for r in reports] == ["added"] * 8
    assert all(seconds.values())
    stored = app_kb.store.counts()
    assert stored["chunks"] == stored["fts_rows"] and app_kb.vectors.ids() == app_kb.store.chunk_ids() and app_kb.store.journal() == []
    assert app_kb.search("vetting review training case", k=3, mode="lexical")[0].doc.startswith("response-")
    print(f"\nduring an in-process ingest of 8 files: {_latencies(seconds)}; longest write transaction {max(held):.3f}s of {len(held)}")

    # a `kb ingest` in another process (a terminal) while this process serves
    more = make_folder(tmp_path / "more", generated=3, corpus=False, first=20)
    child = subprocess.Popen(kb_cmd(home, "ingest", more), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             env={**os.environ, "KB_EMBED_BATCH": CHILD_BATCH, "KB_EMBED_GROUP": CHILD_GROUP})
    seconds, errors = _serve_while(lambda: child.poll() is None, app_kb)
    stderr = child.stderr.read().decode() if child.stderr else ""
    assert child.wait() == 0, stderr[-2000:]
    assert errors == []
    hits = app_kb.search(TOPICS[20 % len(TOPICS)], k=5, mode="lexical")
    assert "response-20.txt" in {h.doc for h in hits}  # its passages are found at once (SQLite is shared)
    print(f"during a `kb ingest` of 3 files in another process: {_latencies(seconds)}")
