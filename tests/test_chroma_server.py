"""Vectors in a real Chroma server (``chroma run``), as a team deployment uses it.

A server is started once for this module on 127.0.0.1 and a free port, with its data in a
temporary folder, and stopped at the end. The knowledge bases here keep SQLite in a temporary
data home and their vectors in that server (``chroma_host``/``chroma_port``); they are checked
against the embedded store of the ``corpus_kb`` fixture over the same corpus.

One server collection belongs to one knowledge base (chunk ids are content hashes, so two
knowledge bases in one collection would share and delete each other's vectors): the tests that
write each get a collection of their own on the same server.
"""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import CORPUS, CSA, FOI, MAPPA, STALKING
from test_search import KNOWN

import kb.search.vectors
from kb.search.embed import Embedder
from kb.errors import StoreError
from kb.documents.rows import chunk_id
from kb.service import KB

CHROMA_BIN = Path(sys.executable).parent / "chroma"
HOST = "127.0.0.1"
START_TIMEOUT = 60.0  # seconds for the server to answer its first heartbeat (2 busy cores)
# A mix of the known queries and looser ones, for comparing rankings and timing
QUERIES = [q for q, _, _ in KNOWN] + [
    "offender management and MAPPA", "Category 3 referrals for domestic abuse", "stalking protection orders",
    "exemptions cited in the FOI response", "training for officers on risk assessment", "probation and police joint working",
    "online child sexual abuse investigations backlog", "victims of violence against women and girls", "deadline for the force to respond",
    "integrated offender management cohort", "multi-agency public protection arrangements", "registered sex offenders visits",
    "recommendations that have been completed", "how many high-harm offenders are managed", "POLIT undercover online",
]


@dataclass
class Server:
    """A running ``chroma run`` process."""

    host: str
    port: int
    log: Path
    process: subprocess.Popen[bytes]

    def client(self) -> Any:
        """An independent chromadb client, to look at the server without going through the app."""
        import chromadb
        from chromadb.config import Settings

        return chromadb.HttpClient(host=self.host, port=self.port, settings=Settings(anonymized_telemetry=False))


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _log_tail(log: Path, lines: int = 40) -> str:
    text = log.read_text(errors="replace") if log.exists() else "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Terminate the server, then kill it if it has not gone within 10 seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def start_server(folder: Path) -> Server:
    """Start ``chroma run`` with its data in ``folder`` and wait for its heartbeat; fail with its log if it does not come up."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "server.log"
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    with log.open("wb") as out:
        process = subprocess.Popen([str(CHROMA_BIN), "run", "--path", str(folder / "data"), "--host", HOST, "--port", str(port)],
                                   stdout=out, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the Chroma server exited with code {process.returncode} before answering; its log:\n{_log_tail(log)}")
        try:
            if httpx.get(f"http://{HOST}:{port}/api/v2/heartbeat", timeout=1.0).status_code == 200:
                return Server(HOST, port, log, process)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_server(process)
    pytest.fail(f"the Chroma server on {HOST}:{port} did not answer its heartbeat within {START_TIMEOUT:g} s; its log:\n{_log_tail(log)}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real Chroma server for this module, stopped at teardown."""
    if not CHROMA_BIN.exists():
        pytest.skip(f"the chroma command is not installed ({CHROMA_BIN}); it comes with the chromadb package")
    running = start_server(tmp_path_factory.mktemp("chroma_server"))
    try:
        yield running
    finally:
        stop_server(running.process)


@pytest.fixture(scope="module")
def timings() -> dict[str, float]:
    """Measurements collected by the tests, printed by test_measure_server_against_embedded."""
    return {}


@pytest.fixture(scope="module")
def server_corpus_kb(tmp_path_factory: pytest.TempPathFactory, corpus_kb: KB, server: Server, timings: dict[str, float]) -> KB:
    """corpus/ ingested into a data home whose vectors live in the server (the default collection).

    After ``corpus_kb``, so that the model is loaded and warm when this ingest is timed."""
    home = tmp_path_factory.mktemp("server_corpus_home")
    knowledge = KB(home=str(home), chroma_host=server.host, chroma_port=server.port, embedder=corpus_kb.embedder)
    t0 = time.perf_counter()
    reports = knowledge.ingest([CORPUS])
    timings["server: first ingest of corpus/ (s)"] = time.perf_counter() - t0
    assert [r.status for r in reports] == ["added"] * 5, [(r.name, r.status, r.error) for r in reports]
    return knowledge


@pytest.fixture()
def collection(monkeypatch: pytest.MonkeyPatch, server: Server) -> str:
    """A collection of its own on the shared server for a test that writes (one knowledge base per collection)."""
    name = f"kb_test_{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("KB_CHROMA_COLLECTION", name)  # what a second knowledge base on the same server sets
    return name


@pytest.fixture()
def server_kb(tmp_path: Path, embedder: Embedder, server: Server, collection: str) -> KB:
    """An empty data home whose vectors go to its own collection on the server."""
    return KB(home=str(tmp_path / "home"), chroma_host=server.host, chroma_port=server.port, embedder=embedder)


def _consistent(knowledge: KB) -> dict[str, int]:
    """Counts, after checking SQLite chunks, FTS rows and the server's vectors agree exactly."""
    counts = knowledge.store.counts()
    assert counts["chunks"] == counts["fts_rows"]
    assert knowledge.vectors.ids() == knowledge.store.chunk_ids()
    assert knowledge.store.journal() == []
    return counts


def _copy(folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(CORPUS / name, folder / name)
    return folder


# --- ingest ------------------------------------------------------------------------------------
def test_ingest_counts_match_and_vectors_live_in_the_server(corpus_kb: KB, server_corpus_kb: KB, server: Server) -> None:
    counts = _consistent(server_corpus_kb)
    assert counts["documents"] == 5 and counts["chunks"] > 0
    assert server_corpus_kb.stats()["vectors"] == counts["chunks"]
    assert not (server_corpus_kb.config.home / "chroma").exists()  # nothing embedded in the data home
    seen_by_server = server.client().get_collection(kb.search.vectors.COLLECTION)
    assert seen_by_server.count() == counts["chunks"]
    # same corpus, same content-hash chunk ids as the embedded store
    assert server_corpus_kb.store.counts() == corpus_kb.store.counts()
    assert server_corpus_kb.vectors.ids() == corpus_kb.vectors.ids()


def test_reingest_unchanged_embeds_nothing(server_corpus_kb: KB) -> None:
    before = server_corpus_kb.embedder.encoded
    vectors = server_corpus_kb.vectors.count()
    reports = server_corpus_kb.ingest([CORPUS])
    assert [r.status for r in reports] == ["unchanged"] * 5
    assert server_corpus_kb.embedder.encoded == before
    assert server_corpus_kb.vectors.count() == vectors
    _consistent(server_corpus_kb)


# --- search (mirrors tests/test_search.py for the modes that read vectors) ---------------------
def test_done_when_query(server_corpus_kb: KB) -> None:
    top = server_corpus_kb.search("which tool is used to prioritise online child abuse referrals", k=10)[0]
    assert top.doc == CSA and "KIRAT (Kent Internet Risk Assessment Tool)" in top.text and top.ref == "1"


@pytest.mark.parametrize("mode", ["hybrid", "dense"])
@pytest.mark.parametrize("query,doc,needle", KNOWN)
def test_known_passages_are_found(server_corpus_kb: KB, mode: str, query: str, doc: str, needle: str) -> None:
    hits = server_corpus_kb.search(query, k=3, mode=mode)
    assert any(h.doc == doc and needle in h.text for h in hits), [(h.doc, h.text[:60]) for h in hits]
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert all(h.score >= hits[-1].score for h in hits)


@pytest.mark.parametrize("mode", ["hybrid", "dense"])
def test_filters_reach_the_server(server_corpus_kb: KB, mode: str) -> None:
    q = "offender management and MAPPA"
    only_foi = server_corpus_kb.search(q, k=10, mode=mode, kinds=["foi_disclosure"])
    assert only_foi and {h.doc for h in only_foi} == {FOI}
    only_doc = server_corpus_kb.search(q, k=10, mode=mode, docs=[MAPPA])
    assert only_doc and {h.doc for h in only_doc} == {MAPPA}
    recent = server_corpus_kb.search(q, k=20, mode=mode, date_from="2026-01-01")
    assert recent and {h.doc for h in recent} <= {FOI, CSA}
    old = server_corpus_kb.search(q, k=20, mode=mode, date_to="2023-12-31")
    assert old and {h.doc for h in old} <= {MAPPA, STALKING}
    assert server_corpus_kb.search(q, k=5, mode=mode, kinds=["inspection_report"]) == []


@pytest.mark.parametrize("mode", ["dense", "hybrid"])
def test_same_top_results_as_the_embedded_store(server_corpus_kb: KB, corpus_kb: KB, mode: str) -> None:
    for query in QUERIES[:10]:
        server_hits = server_corpus_kb.search(query, k=5, mode=mode)
        embedded_hits = corpus_kb.search(query, k=5, mode=mode)
        assert [h.chunk_id for h in server_hits] == [h.chunk_id for h in embedded_hits], query
        assert [h.score for h in server_hits] == pytest.approx([h.score for h in embedded_hits], abs=1e-4), query


# --- writes: each test has its own collection on the server ------------------------------------
def test_deleting_a_document_removes_its_vectors_from_the_server(server_kb: KB, server: Server, collection: str, tmp_path: Path) -> None:
    server_kb.ingest([_copy(tmp_path / "docs", FOI, MAPPA)])
    foi_ids = server_kb.store.chunk_ids_of(server_kb.store.documents_named(FOI)[0]["id"])
    seen_by_server = server.client().get_collection(collection)
    assert foi_ids and set(seen_by_server.get(ids=foi_ids, include=[])["ids"]) == set(foi_ids)
    server_kb.delete(FOI)
    assert seen_by_server.get(ids=foi_ids, include=[])["ids"] == []
    counts = _consistent(server_kb)
    assert counts["documents"] == 1 and seen_by_server.count() == counts["chunks"] > 0
    assert {h.doc for h in server_kb.search("high harm offender management unit", k=10, mode="dense")} == {MAPPA}


def test_changed_file_replaces_its_vectors(server_kb: KB, tmp_path: Path) -> None:
    doc = tmp_path / "note.txt"
    doc.write_text("Recommendation 1\n\nThe Force should review MAPPA training.\n\nThis has been implemented.\n")
    server_kb.ingest([doc])
    old_ids = server_kb.vectors.ids()
    doc.write_text("Recommendation 1\n\nThe Force should review KIRAT referrals.\n\nWork is underway.\n")
    assert server_kb.ingest([doc])[0].status == "updated"
    assert not (old_ids & server_kb.vectors.ids())
    _consistent(server_kb)
    assert server_kb.search("KIRAT referrals", mode="dense")[0].doc == "note.txt"


def test_interrupted_ingest_orphans_are_cleaned_on_the_server(server_kb: KB, tmp_path: Path) -> None:
    doc = tmp_path / "n.txt"
    doc.write_text("Integrated Offender Management works with probation.")
    server_kb.ingest([doc])
    orphan = chunk_id("f" * 64, 0, 10)  # a kill after the vectors were written, before SQLite committed
    server_kb.store.journal_add([orphan])
    server_kb.vectors.upsert([orphan], [server_kb.embedder.embed_query("stray")], ["stray"], [{"doc_key": 1, "doc": "x", "kind": "other"}])
    assert orphan in server_kb.vectors.ids()
    server_kb.ingest([doc])
    assert orphan not in server_kb.vectors.ids()
    _consistent(server_kb)


def test_two_app_instances_see_each_others_work(tmp_path: Path, embedder: Embedder, server: Server, collection: str) -> None:
    # docs/ARCHITECTURE.md: SQLite is the source of truth, so a team shares the data home as well as the server
    home = str(tmp_path / "shared_home")
    first = KB(home=home, chroma_host=server.host, chroma_port=server.port, embedder=embedder)
    second = KB(home=home, chroma_host=server.host, chroma_port=server.port, embedder=embedder)
    assert first.vectors.count() == second.vectors.count() == 0  # both connected before any ingest
    docs = _copy(tmp_path / "docs", FOI, MAPPA)

    first.ingest([docs / FOI])
    assert second.search("high harm offender management unit", k=3, mode="dense")[0].doc == FOI
    second.ingest([docs / MAPPA])
    assert any(h.doc == MAPPA for h in first.search("workloads of offender managers", k=3, mode="dense"))
    encoded = embedder.encoded
    assert [r.status for r in second.ingest([docs])] == ["unchanged", "unchanged"]  # the first instance's work is not redone
    assert embedder.encoded == encoded

    first.delete(MAPPA)
    assert MAPPA not in {h.doc for h in second.search("workloads of offender managers", k=10, mode="dense")}
    assert second.vectors.ids() == first.store.chunk_ids() == second.store.chunk_ids()


def test_writes_larger_than_one_server_batch(server_kb: KB) -> None:
    vectors = server_kb.vectors
    limit = vectors.client.get_max_batch_size()
    ids = [f"bulk-{i}" for i in range(limit + 10)]
    embeddings = [[1.0, float(i % 7), float(i % 13), 0.5] for i in range(len(ids))]
    vectors.upsert(ids, embeddings, ["x"] * len(ids), [{"doc_key": 1, "doc": "bulk", "kind": "other"}] * len(ids))
    assert vectors.count() == len(ids) and vectors.ids() == set(ids)
    vectors.delete(ids)
    assert vectors.count() == 0


def test_a_collection_not_made_by_the_app_is_refused(tmp_path: Path, embedder: Embedder, server: Server, collection: str) -> None:
    server.client().create_collection(collection, embedding_function=None, metadata={"hnsw:space": "l2"})  # someone else's
    knowledge = KB(home=str(tmp_path / "home"), chroma_host=server.host, chroma_port=server.port, embedder=embedder)
    with pytest.raises(StoreError, match=f"'{collection}' in the Chroma server at {server.host}:{server.port} measures 'l2' distance"):
        knowledge.ingest([CORPUS / FOI])


# --- a server that is not there ------------------------------------------------------------------
def test_unreachable_server_is_a_clear_store_error(tmp_path: Path, embedder: Embedder) -> None:
    port = free_port()
    knowledge = KB(home=str(tmp_path / "home"), chroma_host=HOST, chroma_port=port, embedder=embedder)
    with pytest.raises(StoreError, match=f"no Chroma server answers at {HOST}:{port}.*chroma run"):
        knowledge.ingest([CORPUS / FOI])


def test_unreachable_server_from_the_command_line(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "KB_CHROMA_HOST": HOST, "KB_CHROMA_PORT": str(port)}
    out = subprocess.run([str(Path(sys.executable).parent / "kb"), "--home", str(tmp_path / "home"), "ingest", str(CORPUS / FOI)],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode != 0
    assert f"{HOST}:{port}" in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr


class _NotChroma(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        self.send_error(404)

    def log_message(self, *args: object) -> None:
        pass


def test_another_program_on_the_port_is_named(tmp_path: Path, embedder: Embedder) -> None:
    other = http.server.HTTPServer((HOST, 0), _NotChroma)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        port = other.server_address[1]
        knowledge = KB(home=str(tmp_path / "home"), chroma_host=HOST, chroma_port=port, embedder=embedder)
        with pytest.raises(StoreError, match=f"something answers at {HOST}:{port}, but not a Chroma server"):
            knowledge.ingest([CORPUS / FOI])
    finally:
        other.shutdown()
        other.server_close()


def test_a_server_that_never_answers_does_not_hang(tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kb.search.vectors, "CONNECT_TIMEOUT", 0.5)
    with socket.socket() as silent:  # accepts connections (the kernel's backlog) but never replies
        silent.bind((HOST, 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        knowledge = KB(home=str(tmp_path / "home"), chroma_host=HOST, chroma_port=port, embedder=embedder)
        with pytest.raises(StoreError, match=f"{HOST}:{port} did not answer within 0.5 seconds"):
            knowledge.ingest([CORPUS / FOI])


def test_a_server_that_goes_away_is_a_clear_store_error(tmp_path: Path, embedder: Embedder) -> None:
    own = start_server(tmp_path / "short_lived")  # its own server, so the module's keeps running
    try:
        knowledge = KB(home=str(tmp_path / "home"), chroma_host=own.host, chroma_port=own.port, embedder=embedder)
        knowledge.ingest([CORPUS / FOI])
        vectors = knowledge.vectors
    finally:
        stop_server(own.process)
    with pytest.raises(StoreError, match=f"lost the connection to the Chroma server at {own.host}:{own.port}"), vectors.connection_errors():
        vectors.count()
    assert knowledge.search("high harm offender management unit", mode="lexical")[0].doc == FOI  # words alone need no server


# --- measurements (printed, never asserted) -------------------------------------------------------
def _p50_ms(fn: Callable[[str], object], runs: list[str]) -> float:
    """Median milliseconds of fn over the runs."""
    times = []
    for q in runs:
        t0 = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


@pytest.mark.skipif(os.environ.get("KB_TEST_TIMINGS") != "1", reason="timings only on request: KB_TEST_TIMINGS=1 (about 160 searches)")
def test_measure_server_against_embedded(tmp_path: Path, embedder: Embedder, corpus_kb: KB, server_corpus_kb: KB,
                                         timings: dict[str, float], capsys: pytest.CaptureFixture[str]) -> None:
    """Ingest of corpus/ (a fresh embedded home vs the server fixture's first ingest, both with the model warm)
    and search latency, p50 over 20 queries, over the same corpus in both stores.

    Run with: KB_TEST_TIMINGS=1 .venv/bin/pytest -q tests/test_chroma_server.py -k measure
    """
    embedded = KB(home=str(tmp_path / "embedded"), embedder=embedder)
    t0 = time.perf_counter()
    assert [r.status for r in embedded.ingest([CORPUS])] == ["added"] * 5
    timings["embedded: ingest corpus/ (s)"] = time.perf_counter() - t0
    assert embedded.store.counts() == server_corpus_kb.store.counts() and embedded.vectors.ids() == server_corpus_kb.vectors.ids()

    queries = QUERIES[:20]
    vector = embedder.embed_query(queries[0])
    for name, knowledge in (("embedded", corpus_kb), ("server", server_corpus_kb)):
        timings[f"{name}: dense search p50 (ms)"] = _p50_ms(lambda q, kb_=knowledge: kb_.search(q, k=10, mode="dense"), queries)
        timings[f"{name}: hybrid search p50 (ms)"] = _p50_ms(lambda q, kb_=knowledge: kb_.search(q, k=10, mode="hybrid"), queries)
        timings[f"{name}: vectors.query alone p50 (ms)"] = _p50_ms(lambda q, kb_=knowledge: kb_.vectors.query(vector, 50), queries)
        timings[f"{name}: vectors.count p50 (ms)"] = _p50_ms(lambda q, kb_=knowledge: kb_.vectors.count(), queries)
    served, local = server_corpus_kb.vectors.query(vector, 5), corpus_kb.vectors.query(vector, 5)
    assert [i for i, _ in served] == [i for i, _ in local]
    assert [s for _, s in served] == pytest.approx([s for _, s in local], abs=1e-4)
    with capsys.disabled():
        print(f"\nChroma server vs embedded ({corpus_kb.vectors.count()} vectors, {len(queries)} queries; wall-clock on this machine):")
        for key in sorted(k for k in timings if ":" in k):
            print(f"  {key:<42} {timings[key]:9.2f}")
