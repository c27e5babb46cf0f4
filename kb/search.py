"""Search: lexical (FTS5 bm25), dense (Chroma) and hybrid (reciprocal rank fusion), with filters.

The query builder and the fusion are pure functions; ``Searcher`` wires them to the store,
the vectors and the model. User input never reaches FTS5 unescaped: every term is quoted,
so no query can raise a syntax error.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from kb.embed import Embedder
from kb.errors import KBError
from kb.store import Filters, Store
from kb.vectors import VectorIndex

MODES = ("hybrid", "lexical", "dense")

STOPWORDS = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "by", "can", "did", "do", "does", "for", "from", "has", "have", "how", "i", "in", "is", "it", "its", "of", "on", "or", "our", "so", "that", "the", "their", "them", "there", "these", "they", "this", "to", "was", "we", "were", "what", "when", "where", "which", "who", "whom", "why", "will", "with", "would", "you", "your"]
)


@dataclass
class Hit:
    """One search result."""

    query: str
    rank: int
    doc: str
    page: int | None
    chunk_id: str
    score: float
    text: str
    title: str = ""
    kind: str = ""
    date: str | None = None
    section: str = ""
    ref: str | None = None
    start: int = 0
    end: int = 0

    def to_json(self) -> dict[str, object]:
        """The CLI's JSON line (fixed fields first, extras after)."""
        return asdict(self)


def terms(text: str) -> list[str]:
    """Lower-cased word terms of a query, without stop words (kept if nothing else is left)."""
    words = re.findall(r"\w+", text.lower())
    kept = [w for w in words if w not in STOPWORDS]
    return kept or words


def fts_query(text: str) -> str:
    """An FTS5 MATCH expression for free text: each term quoted, joined with OR."""
    unique = list(dict.fromkeys(terms(text)))[:64]
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in unique)


def rrf(rankings: list[list[str]], k: int = 60) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: score(id) = sum over rankings of 1 / (k + rank)."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


class Searcher:
    """Runs each search mode over a data home."""

    def __init__(self, store: Store, vectors: VectorIndex, embedder: Embedder, candidates: int = 50, rrf_k: int = 60) -> None:
        self.store = store
        self.vectors = vectors
        self.embedder = embedder
        self.candidates = candidates
        self.rrf_k = rrf_k

    def lexical(self, query: str, k: int, filters: Filters) -> list[tuple[str, float]]:
        """Chunk ids by bm25."""
        return self.store.lexical(fts_query(query), k, filters)

    def dense(self, query: str, k: int, filters: Filters) -> list[tuple[str, float]]:
        """Chunk ids by cosine similarity of the query vector."""
        keys = None
        if filters.active():
            from kb.pipeline import doc_key

            keys = [doc_key(h) for h in self.store.doc_hashes(filters)]
        return self.vectors.query(self.embedder.embed_query(query), k, keys)

    def hybrid(self, query: str, k: int, filters: Filters) -> list[tuple[str, float]]:
        """Both signals fused by reciprocal rank."""
        n = max(self.candidates, k)
        lexical = [i for i, _ in self.lexical(query, n, filters)]
        dense = [i for i, _ in self.dense(query, n, filters)]
        return rrf([lexical, dense], self.rrf_k)[:k]

    def search(self, query: str, k: int = 10, mode: str = "hybrid", filters: Filters | None = None) -> list[Hit]:
        """Top-k hits for a query in a mode, best first."""
        if mode not in MODES:
            raise KBError(f"unknown search mode '{mode}': choose one of {', '.join(MODES)}")
        if k < 1:
            raise KBError("k must be at least 1")
        query = query.strip()
        if not query:
            return []
        scored = getattr(self, mode)(query, k, filters or Filters())[:k]
        rows = self.store.chunks_by_ids([i for i, _ in scored])
        hits: list[Hit] = []
        for chunk_id, score in scored:
            row = rows.get(chunk_id)
            if row is None:  # a vector whose chunk is gone (cleaned on the next ingest)
                continue
            hits.append(Hit(query=query, rank=len(hits) + 1, doc=row["doc"], page=row["page"], chunk_id=chunk_id,
                            score=round(score, 6), text=row["text"], title=row["title"], kind=row["kind"], date=row["date"],
                            section=row["section"], ref=row["ref"], start=row["start"], end=row["end"]))
        return hits
