"""Shared fixtures: one real embedding model and one real index over corpus/, built once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import kb  # noqa: F401  (offline switches first)
from kb.search.embed import Embedder
from kb.service import KB

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
sys.path.insert(0, str(Path(__file__).resolve().parent))

FOI = "foi-392-2026-vawg-high-harm-offenders.txt"
MAPPA = "pcc-response-mappa-joint-inspection-2022.txt"
STALKING = "force-response-opcc-stalking-deep-dive-2023.txt"
CSA = "pcc-response-hmicfrs-online-csa-rso-2026.txt"
IOM = "iom-cymru-local-delivery-schemes.txt"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The packaged MiniLM, loaded once."""
    return Embedder()


@pytest.fixture(scope="session")
def corpus_kb(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> KB:
    """A real index (SQLite + Chroma) over corpus/, shared by the read-only tests."""
    home = tmp_path_factory.mktemp("corpus_home")
    knowledge = KB(home=str(home), embedder=embedder)
    reports = knowledge.ingest([CORPUS])
    assert [r.status for r in reports] == ["added"] * 5, [(r.name, r.status, r.error) for r in reports]
    return knowledge


@pytest.fixture()
def fresh_kb(tmp_path: Path, embedder: Embedder) -> KB:
    """An empty data home for tests that write."""
    return KB(home=str(tmp_path / "home"), embedder=embedder)
