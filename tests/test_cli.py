"""The kb command line: the docs/ARCHITECTURE.md contract, JSON fields, stdin queries and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import CSA, FOI

from kb.service import KB

KB_BIN = str(Path(sys.executable).parent / "kb")
FIELDS = {"query", "rank", "doc", "page", "chunk_id", "score", "text"}


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KB_BIN, *args], input=stdin, capture_output=True, text=True, timeout=300)


def test_search_json_contract(corpus_kb: KB) -> None:
    home = str(corpus_kb.config.home)
    out = run("--home", home, "search", "which tool is used to prioritise online child abuse referrals", "--json")
    assert out.returncode == 0, out.stderr
    hits = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(hits) == 10 and set(hits[0]) >= FIELDS
    assert hits[0]["doc"] == CSA and "KIRAT" in hits[0]["text"] and hits[0]["rank"] == 1
    lex = run("--home", home, "search", "high harm offender management unit", "--mode", "lexical", "--json", "--k", "3")
    first = json.loads(lex.stdout.splitlines()[0])
    assert first["doc"] == FOI and len(lex.stdout.splitlines()) == 3


def test_search_reads_queries_from_stdin(corpus_kb: KB) -> None:
    out = run("--home", str(corpus_kb.config.home), "search", "-", "--json", "--k", "2", stdin="KIRAT\n\nMAPPA Chairs newsletter\n")
    assert out.returncode == 0, out.stderr
    queries = [json.loads(line)["query"] for line in out.stdout.splitlines()]
    assert queries == ["KIRAT", "KIRAT", "MAPPA Chairs newsletter", "MAPPA Chairs newsletter"]


def test_readable_output_and_docs(corpus_kb: KB) -> None:
    home = str(corpus_kb.config.home)
    out = run("--home", home, "search", "Civil Orders Officer", "--k", "2", "--kind", "force_response")
    assert out.returncode == 0 and "2 results" in out.stdout and "force-response-opcc-stalking-deep-dive-2023.txt" in out.stdout
    docs = run("--home", home, "docs")
    assert docs.returncode == 0 and len(docs.stdout.splitlines()) == 5


def test_expected_failures_are_one_line_without_traceback(tmp_path: Path) -> None:
    empty_home = str(tmp_path / "empty")
    out = run("--home", empty_home, "search", "MAPPA")
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == ["kb: error: nothing is indexed yet: add documents first (kb ingest corpus/)"]
    missing = run("--home", empty_home, "ingest", str(tmp_path / "nope.pdf"))
    assert missing.returncode == 1 and "no such file" in missing.stdout and "Traceback" not in missing.stderr
    bad = run("--home", empty_home, "search", "x", "--from", "yesterday")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    deleted = run("--home", empty_home, "delete", "ghost.pdf")
    assert deleted.returncode == 1 and "no document called 'ghost.pdf'" in deleted.stderr


def test_ingest_reports_each_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Recommendation 1\n\nThe Force should train MOSOVO staff.\n")
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.4 nonsense")
    out = run("--home", str(tmp_path / "h"), "ingest", str(tmp_path))
    assert out.returncode == 1  # a file failed: scripts must notice
    assert "added      a.txt" in out.stdout and "FAILED     b.pdf" in out.stdout and "total: 1 added, 1 failed" in out.stdout
    again = run("--home", str(tmp_path / "h"), "ingest", str(tmp_path / "a.txt"), "--json")
    assert json.loads(again.stdout)["status"] == "unchanged"


def test_a_lexical_search_opens_no_vector_index_and_loads_no_model(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    """A cold `kb search --mode lexical` needs neither Chroma nor llama-index nor the model (they cost it seconds)."""
    import subprocess
    import sys

    probe = ("import sys; from kb.cli.main import main; rc = main(['search', 'stalking protection orders', '--mode', 'lexical', '--k', '2']); "
             "print('LOADED', sorted(m for m in ('chromadb', 'llama_index.core', 'sentence_transformers', 'torch') if m in sys.modules)); sys.exit(rc)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "KB_HOME": str(corpus_kb.config.home)})
    assert out.returncode == 0, out.stderr
    assert "1. " in out.stdout and "LOADED []" in out.stdout, out.stdout


def test_recs_history_prints_the_typed_history_as_json_and_as_lines(corpus_kb: KB) -> None:
    home = str(corpus_kb.config.home)
    row = corpus_kb.recommendations()[0]
    args = ["--home", home, "recs", "history", row.ref, "--doc", row.doc, *(["--ordinal", str(row.ordinal)] if row.ordinal else []),
            *(["--parent", row.parent] if row.parent else [])]
    out = run(*args, "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"key", "history", "statements"} and data["key"] == row.key
    assert data["history"] and set(data["history"][0]) == {"at", "by", "field", "old", "new", "why"}
    assert data["statements"] and set(data["statements"][0]) == {"doc", "doc_date", "status", "quote", "chunk_id", "page", "proposal"}
    assert data["statements"][0]["doc"] == row.doc
    lines = run(*args)
    assert lines.returncode == 0 and "What each document said:" in lines.stdout and "History:" in lines.stdout and row.doc in lines.stdout
