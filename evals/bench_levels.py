"""The benchmark's data homes (evals.bench): the 1k level ingested for real, and the 10k and 100k levels
built by the real pipeline over generated documents with *precomputed* vectors (each chunk gets the
real vector of the pool text most alike in words, plus seeded noise). Each is built once and cached
under ``/tmp/kb-bench-cache`` (``KB_BENCH_CACHE``), keyed by the bench version and the generator's code."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from datetime import date
from pathlib import Path
from typing import Any

from evals.gencorpus import generate
from kb.search.embed import Embedder
from kb.service import KB
from kb.store.schema import MIGRATIONS

CACHE = Path(os.environ.get("KB_BENCH_CACHE", "/tmp/kb-bench-cache"))
BENCH_VERSION = "1"  # bump when the level corpora or the way they are built change
PART_PAGES = 1500  # pages of each generated part a level is built from


class PoolEmbedder(Embedder):
    """Precomputed vectors, no model: a text gets the real vector of the pool text most alike in words
    (hashed bag of words), plus Gaussian noise seeded by the text, renormalised. Word-pieces are
    still counted by the real tokenizer, so chunks are cut exactly as in a real ingest."""

    def __init__(self, texts: list[str], vectors: list[list[float]], noise: float = 0.02) -> None:  # noqa: D107
        import numpy as np
        from sklearn.feature_extraction.text import HashingVectorizer

        super().__init__()
        self._np = np
        self._words = HashingVectorizer(n_features=2**18, alternate_sign=False, norm="l2", stop_words="english")
        self._pool = self._words.transform(texts).T.tocsr()
        self._vectors = np.asarray(vectors, dtype=np.float32)
        self.noise = noise

    def embed(self, texts: list[str], batch_size: int = 32) -> list[list[float]]:  # noqa: D102
        np = self._np
        if not texts:
            return []
        nearest = np.asarray((self._words.transform(texts) @ self._pool).argmax(axis=1)).ravel()
        out = []
        for text, i in zip(texts, nearest, strict=True):
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
            v = self._vectors[i] + np.random.default_rng(seed).normal(0.0, self.noise, self._vectors.shape[1]).astype(np.float32)
            out.append((v / np.linalg.norm(v)).tolist())
        self.encoded += len(texts)
        return out


def cache_key() -> str:
    """Version string of the level cache: the bench version and the generator's code (a schema change
    is migrated when a cached home is opened, and reported)."""
    code = b"".join(p.read_bytes() for p in sorted(Path(__file__).parent.glob("gencorpus*.py")))  # the generator, its banks, its writer
    gen = hashlib.sha256(code).hexdigest()[:10]
    return f"v{BENCH_VERSION}-gen{gen}"


def pool_of(knowledge: KB, limit: int = 4000) -> tuple[list[str], list[list[float]]]:
    """Real (text, vector) pairs from a really embedded data home, for precomputed vectors."""
    got = knowledge.vectors.collection.get(include=["embeddings", "documents"], limit=limit)
    texts, vectors = got["documents"] or [], got["embeddings"] if got["embeddings"] is not None else []
    return list(texts), [[float(x) for x in v] for v in vectors]


def _cached(name: str, rebuild: bool, log: Any) -> tuple[Path, Path, dict[str, Any] | None]:
    """A level's data home and info file, and its info when a build of it is cached (else the folder is cleared)."""
    root = CACHE / cache_key()
    home, info_file = root / f"home-{name}", root / f"home-{name}.json"
    if rebuild or not info_file.exists():
        shutil.rmtree(home, ignore_errors=True)
        return home, info_file, None
    info = {**json.loads(info_file.read_text()), "cached": True}
    if info.get("schema") != len(MIGRATIONS):
        log(f"level {name}: the cached home was built at schema {info.get('schema')}, now {len(MIGRATIONS)}; "
            "it is migrated when opened (use --rebuild if the change needs a new ingest)")
    return home, info_file, info


def _save_info(info_file: Path, info: dict[str, Any], commit: str) -> dict[str, Any]:
    info = {**info, "schema": len(MIGRATIONS), "commit": commit, "built": date.today().isoformat()}
    info_file.write_text(json.dumps(info))
    return {**info, "cached": False}


def build_level(name: str, target: int, pool: tuple[list[str], list[list[float]]], log: Any, rebuild: bool,
                commit: str) -> tuple[Path, dict[str, Any]]:
    """A data home of at least ``target`` chunks (precomputed vectors), built once and cached (``commit``: the code measured)."""
    home, info_file, info = _cached(name, rebuild, log)
    if info is not None:
        return home, info
    embedder = PoolEmbedder(*pool)
    knowledge = KB(home=str(home), embedder=embedder, llm_url="")
    t0 = time.perf_counter()
    part, chunks = 0, 0
    while chunks < target:
        folder = home.parent / "docs" / f"part-{part:02d}"
        if not (folder / "manifest.json").exists():
            generate(folder, PART_PAGES, seed=1000 + part, pdf_share=0.25)
        knowledge.ingest([folder])
        chunks = knowledge.store.counts()["chunks"]
        part += 1
        log(f"level {name}: part {part} ingested, {chunks} chunks so far ({time.perf_counter() - t0:.0f} s)")
    return home, _save_info(info_file, {
        "chunks": chunks, "documents": knowledge.store.counts()["documents"], "parts": part, "build_s": round(time.perf_counter() - t0, 1),
        "vectors": f"precomputed: nearest of {len(pool[0])} real vectors by words, plus noise (sigma {embedder.noise:.2f})"}, commit)


def real_level(corpus: Path, shared: Embedder, log: Any, rebuild: bool, commit: str) -> tuple[Path, dict[str, Any]]:
    """The 1k level: the quick corpus ingested for real (cached)."""
    home, info_file, info = _cached("1k", rebuild, log)
    if info is not None:
        return home, info
    t0 = time.perf_counter()
    knowledge = KB(home=str(home), embedder=shared, llm_url="")
    knowledge.ingest([corpus])
    log(f"level 1k: built with real embeddings in {time.perf_counter() - t0:.0f} s")
    return home, _save_info(info_file, {"chunks": knowledge.store.counts()["chunks"], "documents": knowledge.store.counts()["documents"],
                                        "vectors": "real (the model)", "build_s": round(time.perf_counter() - t0, 1)}, commit)
