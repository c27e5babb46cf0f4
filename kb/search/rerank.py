"""Offline reranking of fused candidates, from signals this machine has (no trained cross-encoder).

Signals, each kept only because it earned its place on the eval set (``python -m evals.ask``):
- fusion: the candidate's place in the reciprocal-rank fusion (1 for the first, falling linearly);
- sentence: the best cosine similarity between the question and one sentence of the passage
  (the embedding model, sentence by sentence: a passage that *says* the answer beats one that is
  merely about the topic);
- exact: the share of the question's specific tokens (numbers, dates, refs, acronyms) the passage
  contains;
- kind: the document kind the question implies (an FOI question favours FOI disclosures).
The scoring is a pure function; ``SentenceVectors`` caches sentence vectors per chunk.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from ingest.sentences import sentences
from kb.search.embed import Embedder

WEIGHTS = {"fusion": 0.75, "sentence": 1.0, "exact": 0.0, "kind": 0.0}  # exact and kind did not earn a place: python -m evals.ask

_SPECIFIC = re.compile(r"\b(\d[\d,./%-]*\d|\d+%?|[A-Z][A-Z0-9&-]{1,10}s?)\b")
_KIND_CUES = [
    (re.compile(r"\b(foi|freedom of information|request(ed|s)?|disclos\w*|exemptions?|section\s*\d+)\b", re.I), ("foi_disclosure",)),
    (re.compile(r"\b(recommendations?|inspect\w*|hmicfrs|response to|responded|areas? for improvement)\b", re.I),
     ("pcc_response", "force_response", "inspection_report")),
]


@dataclass
class Candidate:
    """A passage under reranking."""

    chunk_id: str
    text: str
    kind: str
    fusion: float  # rrf score


@dataclass
class Scored:
    """A reranked passage with the signals behind its score and its best sentence."""

    chunk_id: str
    score: float
    signals: dict[str, float]
    sentences: list[tuple[int, int, float]]  # (start, end, similarity) within the chunk text, best first


def specific_tokens(question: str) -> set[str]:
    """Numbers, dates, refs and acronyms in a question (what must match exactly)."""
    return {m.group(0).rstrip("s") if m.group(0)[:1].isupper() else m.group(0) for m in _SPECIFIC.finditer(question)}


def implied_kinds(question: str) -> tuple[str, ...]:
    """Document kinds a question's wording points to (empty when it points nowhere)."""
    for pattern, kinds in _KIND_CUES:
        if pattern.search(question):
            return kinds
    return ()


def score(candidates: list[Candidate], sims: list[list[tuple[int, int, float]]], question: str,
          weights: dict[str, float] = WEIGHTS) -> list[Scored]:
    """Combine the signals into one score per candidate, best first. Pure."""
    if not candidates:
        return []
    depth = len(candidates)
    order = {c.chunk_id: rank for rank, c in enumerate(sorted(candidates, key=lambda c: -c.fusion))}
    wanted = specific_tokens(question)
    kinds = implied_kinds(question)
    out = []
    for c, sent in zip(candidates, sims):
        ranked = sorted(sent, key=lambda s: -s[2])
        signals = {
            "fusion": 1.0 - order[c.chunk_id] / depth,  # rank, not the raw rrf value (those differ by hundredths)
            "sentence": ranked[0][2] if ranked else 0.0,
            "exact": (sum(1 for t in wanted if t in c.text) / len(wanted)) if wanted else 0.0,
            "kind": 1.0 if kinds and c.kind in kinds else 0.0,
        }
        total = sum(weights.get(name, 0.0) * value for name, value in signals.items())
        out.append(Scored(c.chunk_id, total, signals, ranked))
    return sorted(out, key=lambda s: (-s.score, s.chunk_id))


class SentenceVectors:
    """Sentence vectors of chunks, computed on first need and kept (least recently used out).

    Each chunk keeps its sentence spans and one float32 matrix (a row per sentence): at the
    capacity, ~5 sentences a chunk cost ~150 MB, where lists of Python floats would cost ~1.2 GB."""

    def __init__(self, embedder: Embedder, capacity: int = 20000) -> None:
        self.embedder = embedder
        self.capacity = capacity
        self._cache: OrderedDict[str, tuple[list[tuple[int, int]], Any]] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, chunks: list[tuple[str, str]]) -> list[tuple[list[tuple[int, int]], Any]]:
        """For (chunk_id, text) pairs, each chunk's sentence spans and their vectors (a float32 row each)."""
        with self._lock:
            missing = [(cid, text) for cid, text in chunks if cid not in self._cache]
        spans = {cid: sentences(text) or [(0, len(text))] for cid, text in missing}
        flat = [text[s:e] for cid, text in missing for s, e in spans[cid]]
        vectors = self.embedder.embed_matrix(flat) if flat else None
        pos = 0
        with self._lock:
            for cid, _ in missing:
                n = len(spans[cid])
                self._cache[cid] = (spans[cid], vectors[pos:pos + n].copy())  # type: ignore[index]  # a copy: a view would keep the whole batch alive
                pos += n
            for cid, _ in chunks:
                self._cache.move_to_end(cid)
            while len(self._cache) > self.capacity:
                self._cache.popitem(last=False)
            return [self._cache[cid] for cid, _ in chunks]

    def similarities(self, query_vector: list[float], chunks: list[tuple[str, str]]) -> list[list[tuple[int, int, float]]]:
        """Cosine similarity of the query with every sentence of each chunk."""
        import numpy as np

        q = np.asarray(query_vector, dtype=np.float32)
        return [[(s, e, float(sim)) for (s, e), sim in zip(spans, matrix @ q, strict=True)] for spans, matrix in self.of(chunks)]
