"""The query encoder on onnxruntime: the same vectors as torch's, and a cold search without torch."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from kb.search.embed import Embedder
from kb.search.onnx_model import OnnxEncoder, exported_path

TEXTS = [
    "How many officers were dismissed for misconduct in 2023/24?",
    "MAPPA " * 300,  # past the model's 256 word-pieces: truncated the same way
    "Café naïve – “quoted” FOI-2024-0117, £1,250; VAWG & DA",
    "x",
]


def test_make_install_exported_the_packaged_models_encoder(embedder: Embedder) -> None:
    assert exported_path(embedder.path).is_file(), "make install runs python -m kb.search.onnx_model: the export is missing"
    assert embedder.onnx is not None


def test_onnx_vectors_match_torch_within_1e_6_cosine(embedder: Embedder) -> None:
    encoder = OnnxEncoder(exported_path(embedder.path), embedder.path)
    torch_vectors = np.asarray(embedder.embed(TEXTS), dtype=np.float64)
    batched = encoder.encode(TEXTS).astype(np.float64)  # one padded batch
    single = np.stack([encoder.encode([t])[0] for t in TEXTS]).astype(np.float64)
    for onnx_vectors in (batched, single):
        cosines = (onnx_vectors * torch_vectors).sum(axis=1)
        assert np.all(cosines > 1 - 1e-6), cosines
        assert np.allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.embed_query(TEXTS[0]) == pytest.approx(torch_vectors[0].tolist(), abs=1e-5)


def test_without_an_export_queries_go_through_torch(embedder: Embedder, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("kb.search.onnx_model.exported_path", lambda _path: tmp_path / "missing.onnx")
    plain = Embedder(embedder.path)
    plain._model = embedder.model  # share the loaded model (the point is which path encodes the query)
    assert plain.onnx is None
    assert plain.embed_query(TEXTS[0]) == pytest.approx(embedder.embed(TEXTS[:1])[0], abs=1e-6)


def test_a_cold_hybrid_search_loads_neither_torch_nor_llama_index(corpus_kb) -> None:  # type: ignore[no-untyped-def]
    """The query vector comes from onnxruntime and Chroma is queried directly: the same hits as in process."""
    probe = ("import sys, json; from kb.cli.main import main; rc = main(['search', 'training for staff managing MAPPA nominals', '--k', '5', '--json']); "
             "print('LOADED', sorted(m for m in ('sentence_transformers', 'torch', 'llama_index.core') if m in sys.modules)); sys.exit(rc)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "KB_HOME": str(corpus_kb.config.home)})
    assert out.returncode == 0, out.stderr
    assert "LOADED []" in out.stdout, out.stdout
    import json

    cold = [json.loads(line)["chunk_id"] for line in out.stdout.splitlines() if line.startswith("{")]
    warm = [h.chunk_id for h in corpus_kb.search("training for staff managing MAPPA nominals", k=5)]
    assert cold and cold == warm


def test_sentence_vectors_come_from_onnx_and_match_torch(embedder: Embedder) -> None:
    texts = [f"Sentence {i} about {'stalking protection orders ' * (i % 4)}and training." for i in range(70)]  # three batches
    before = embedder.encoded
    matrix = embedder.embed_matrix(texts)
    assert embedder.encoded == before + len(texts) and matrix.shape == (70, 384)
    reference = np.asarray(embedder.embed(texts), dtype=np.float64)
    assert np.all((matrix.astype(np.float64) * reference).sum(axis=1) > 1 - 1e-6)
