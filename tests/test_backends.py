"""evals.backends: its ONNX export reproduces torch's vectors on real texts, offline, without touching the model's folder.

The figures the eval reports rest on this: an encoder that scrambled the order or pooled differently
would make any speed comparison meaningless. Skipped unless onnx (the exporter) is installed.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import numpy as np
import pytest

import kb  # noqa: F401  (offline switches first)
from kb.search.embed import Embedder

pytest.importorskip("onnxruntime", reason="evals.backends needs onnxruntime (installed with chromadb)")
pytest.importorskip("onnx", reason="evals.backends exports with torch's ONNX exporter, which needs the onnx package: pip install onnx")

from evals.backends import OnnxEncoder, distance, export_onnx, main  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def real_texts(limit: int = 40) -> list[str]:
    """Distinct paragraphs of the corpus files, short and long (whole documents, past the model's 256 word-pieces)."""
    texts: list[str] = []
    for f in sorted(CORPUS.glob("*.txt")):
        paragraphs = [p.strip() for p in f.read_text(encoding="utf-8").split("\n\n") if len(p.strip()) > 40]
        texts += [*paragraphs[:6], " ".join(paragraphs)]
    return list(dict.fromkeys(texts))[:limit]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """The packaged model exported to ONNX with every socket refused."""
    real_connect = socket.socket.connect

    def refuse(self: socket.socket, address: object) -> None:
        raise OSError(f"network used during the export: {address}")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    try:
        return export_onnx(embedder.path, tmp_path_factory.mktemp("onnx") / "model.onnx")
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]


def test_export_is_offline_and_leaves_the_model_folder_alone(exported: Path, embedder: Embedder) -> None:
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"
    assert exported.is_file() and exported.stat().st_size > 10_000_000
    assert not list(Path(embedder.path).rglob("*.onnx")), "nothing may be written beside the packaged weights"


def test_onnx_vectors_are_torch_vectors_on_real_texts(exported: Path, embedder: Embedder) -> None:
    texts = real_texts()
    assert len(texts) >= 20 and max(embedder.count_tokens(t) for t in texts) > embedder.max_tokens
    encoder = OnnxEncoder(exported, embedder.tokenizer, embedder.max_tokens)
    want = np.asarray(embedder.embed(texts))
    for batch in (1, 7, 32):
        got = encoder.encode(texts, batch)
        worst, _ = distance(got, want)
        assert worst < 1e-4, f"batch {batch}: 1 - cosine up to {worst}"
        assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)
    # order kept although texts are batched by length: each vector is nearer its own torch vector than the next one's
    got = encoder.encode(texts, 8)
    assert ((got * want).sum(1) > (got * np.roll(want, 1, axis=0)).sum(1)).all()


def test_distance_is_one_minus_cosine() -> None:
    a = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]])
    b = np.array([[2.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    worst, mean = distance(a, b)
    assert worst == pytest.approx(1.0) and mean == pytest.approx((0 + 1 + (1 - 2 ** -0.5)) / 3)


def test_unknown_backend_is_refused_before_any_work(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--only", "onnx,tensorflow"])
    assert stop.value.code == 2 and "tensorflow" in capsys.readouterr().err
