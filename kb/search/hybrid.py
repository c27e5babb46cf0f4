"""Search: lexical (FTS5 bm25), dense (Chroma) and hybrid (reciprocal rank fusion), with filters.

The query builder and the fusion are pure functions; ``Searcher`` wires them to the store,
the vectors and the model. User input never reaches FTS5 unescaped: every term is quoted,
so no query can raise a syntax error.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from ingest.metadata import named_forces
from kb.search.embed import Embedder
from kb.errors import InputError
from kb.search.glossary import Glossary
from kb.search.location import Location
from kb.search.rerank import WEIGHTS, Candidate, Scored, SentenceVectors, score
from kb.store.filters import Filters
from kb.store.db import Store
from kb.search.vectors import VectorIndex

MODES = ("hybrid", "lexical", "dense")
OVERFETCH = 3  # broadly filtered dense search: neighbours fetched per passing result wanted (over the passing share)
MAX_FETCH = 3000  # beyond this, the passing ids (or Chroma's filter by document) restrict the search instead

STOPWORDS = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "by", "can", "did", "do", "does", "for", "from", "has", "have", "how", "i", "in", "is", "it", "its", "of", "on", "or", "our", "so", "that", "the", "their", "them", "there", "these", "they", "this", "to", "was", "we", "were", "what", "when", "where", "which", "who", "whom", "why", "will", "with", "would", "you", "your"]
)


@dataclass
class Hit(Location):
    """One search result (its JSON: these fields first, then where it is)."""

    query: str
    rank: int
    doc: str
    page: int | None
    chunk_id: str
    score: float
    text: str


def terms(text: str) -> list[str]:
    """Lower-cased word terms of a query, without stop words (kept if nothing else is left)."""
    words = re.findall(r"\w+", text.lower())
    kept = [w for w in words if w not in STOPWORDS]
    return kept or words


def fts_query(text: str, phrases: list[str] | None = None) -> str:
    """An FTS5 MATCH expression for free text: each term quoted, joined with OR; extra phrases
    (a glossary expansion, an acronym) are matched as whole phrases."""
    unique = list(dict.fromkeys(terms(text)))[:64]
    parts = ['"' + t.replace('"', '""') + '"' for t in unique]
    for phrase in phrases or []:
        words = re.findall(r"\w+", phrase.lower())
        if words:
            parts.append('"' + " ".join(words) + '"')
    return " OR ".join(dict.fromkeys(parts))


def rrf(rankings: list[list[str]], k: int = 60, weights: list[float] | None = None) -> list[tuple[str, float]]:
    """Weighted reciprocal rank fusion: score(id) = sum over rankings of weight / (k + rank).

    A tie goes to the item the earlier ranking placed (the first ranking is the stronger signal:
    lexical), then to the higher rank within it; never to an arbitrary order such as the ids'."""
    scores: dict[str, float] = {}  # insertion order: the first ranking's items by rank, then the next's new ones
    for n, ranking in enumerate(rankings):
        w = weights[n] if weights else 1.0
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + w / (k + rank)
    order = {item: i for i, item in enumerate(scores)}
    return sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))


class ForcesNamed:
    """The police forces each document names, read from its text once and kept until the documents
    change: shared by every search of a knowledge base (a question naming a force asks it of up to
    50 candidates' documents)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._named: dict[int, frozenset[str]] = {}
        self._version: int | None = None
        self._lock = threading.Lock()

    def __call__(self, doc_id: int) -> frozenset[str]:
        version = self.store.documents_version()
        with self._lock:
            if self._version != version:
                self._named.clear()
                self._version = version
            named = self._named.get(doc_id)
        if named is None:
            named = frozenset(named_forces(self.store.source_text(doc_id)))
            with self._lock:
                self._named[doc_id] = named
        return named


class Searcher:
    """Runs each search mode over a data home.

    ``hybrid`` is the whole retrieval the app uses: lexical and dense (its query expanded by the
    glossary) fused by weighted reciprocal rank; answers add the sentence reranker; ``lexical``
    and ``dense`` are the single signals.
    """

    def __init__(self, store: Store, vectors: VectorIndex, embedder: Embedder, candidates: int = 50, rrf_k: int = 60,
                 glossary: Glossary | None = None, sentence_vectors: SentenceVectors | None = None, rerank_depth: int = 12,
                 dense_weight: float = 1.0, named: ForcesNamed | None = None) -> None:
        self.store = store
        self.vectors = vectors
        self.embedder = embedder
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.dense_weight = dense_weight
        self.glossary = glossary or Glossary()
        self.sentence_vectors = sentence_vectors
        self.rerank_depth = rerank_depth
        self.rerank_weights = dict(WEIGHTS)  # evals switch signals off one at a time
        self.named = named or ForcesNamed(store)
        self._counts: dict[tuple[str, tuple[str, ...]], int] = {}  # (word or "", markings) -> passages using it (all: "")
        self._counts_lock = threading.Lock()

    def term_count(self, word: str, filters: Filters) -> int:
        """How many passages a reader may see use a word ("": how many there are), counted once: a searcher
        lives for one documents version (``KB`` builds a new one when documents change)."""
        key = (word, filters.markings)
        with self._counts_lock:
            if key in self._counts:
                return self._counts[key]
        n = self.store.term_count(word, filters) if word else self.store.counts(filters.markings)["chunks"]
        with self._counts_lock:
            if len(self._counts) > 50000:
                self._counts.clear()
            self._counts[key] = n
        return n

    def lexical(self, query: str, k: int, filters: Filters, phrases: list[str] | None = None) -> list[tuple[str, float]]:
        """Chunk ids by bm25."""
        return self.store.lexical(fts_query(query, phrases), k, filters)

    def dense(self, query: str, k: int, filters: Filters, vector: list[float] | None = None) -> list[tuple[str, float]]:
        """Chunk ids by cosine similarity of the query vector.

        With filters, Chroma's own metadata filter (a scan, ~75 ms at 100k passages here) is avoided:
        a narrow filter's passing chunk ids (cached per filter) restrict the search exactly; a broad
        one fetches ``OVERFETCH`` x k / share nearest vectors unfiltered and keeps those that pass.
        Only a filter too broad to list yet too narrow to over-fetch falls back to Chroma's filter.
        """
        vector = vector or self.embedder.embed_query(query)
        if not filters.active():
            return self.vectors.query(vector, k)
        p = self.store.passing(filters)
        if p.count == 0:
            return []
        if p.ids is not None and p.share < 0.5:
            return self.vectors.query(vector, k, ids=list(p.ids))
        fetch = int(k * OVERFETCH / p.share) + 1
        if fetch <= MAX_FETCH:
            near = self.vectors.query(vector, fetch)
            allowed = p.ids if p.ids is not None else self.store.passing_ids([i for i, _ in near], filters)
            kept = [(i, sc) for i, sc in near if i in allowed]
            if len(kept) >= k or len(near) < fetch:  # enough, or the whole index was seen
                return kept[:k]
        if p.ids is not None:
            return self.vectors.query(vector, k, ids=list(p.ids))
        from kb.documents.rows import doc_key

        keys = [doc_key(h) for h in self.store.doc_hashes(filters)]
        return self.vectors.query(vector, k, keys)

    def expanded(self, query: str) -> tuple[list[str], str]:
        """Glossary expansion: extra phrases for lexical search, and the text to embed for dense."""
        pairs = self.glossary.expand(query)
        if not pairs:
            return [], query
        return [b for _, b in pairs], f"{query} ({'; '.join(f'{a}: {b}' for a, b in pairs)})"

    def retrieve(self, query: str, k: int, filters: Filters, glossary: bool = True, rerank: bool = True) -> list[tuple[str, float, Scored | None]]:
        """Hybrid retrieval: (chunk id, score, rerank details) best first."""
        n = max(self.candidates, k)
        # the glossary's expansion goes into the embedded query only: added to the lexical query as
        # phrases it made no difference on the development corpus's tuning fold and lost 0.06 hit@1 on
        # its held-back fold (long expansions outscore the question's own words; see README)
        _, dense_text = self.expanded(query) if glossary else ([], query)
        vector = self.embedder.embed_query(dense_text)
        lexical = [i for i, _ in self.lexical(query, n, filters)]
        dense = [i for i, _ in self.dense(query, n, filters, vector)]
        fused = rrf([lexical, dense], self.rrf_k, [1.0, self.dense_weight])
        forces = set(named_forces(query))
        if forces:
            fused = self.naming_first(fused[:n], forces) + fused[n:]
        if not rerank or self.sentence_vectors is None or not fused:
            allowed = self.store.chunks_by_ids([i for i, _ in fused[: k * 2]], filters)
            plain: list[tuple[str, float, Scored | None]] = [(i, sc, None) for i, sc in fused[: k * 2] if i in allowed]
            return plain[:k]
        head = fused[: max(k, self.rerank_depth)]
        rows = self.store.chunks_by_ids([i for i, _ in head], filters)
        head = [(i, sc) for i, sc in head if i in rows]
        candidates = [Candidate(i, rows[i]["text"], rows[i]["kind"], sc) for i, sc in head]
        sims = self.sentence_vectors.similarities(vector, [(c.chunk_id, c.text) for c in candidates])
        reranked: list[tuple[str, float, Scored | None]] = [(r.chunk_id, r.score, r) for r in score(candidates, sims, query, self.rerank_weights)]
        return reranked[:k]

    def naming_first(self, ranked: list[tuple[str, float]], forces: set[str]) -> list[tuple[str, float]]:
        """The passages of documents that name one of the forces first, each group in its order.

        Many forces answer the same request or inspection in the same words: a question naming a
        force wants that force's document (tuning fold hit@1 0.652 -> 0.670, MRR 0.756 -> 0.772; held
        back 0.657 -> 0.663, 0.752 -> 0.763, measured on the hybrid's top 30). ``self.named`` gives the forces a document names."""
        rows = self.store.chunks_by_ids([i for i, _ in ranked])
        naming = {i for i, _ in ranked if i in rows and forces & self.named(rows[i]["doc_id"])}
        if not naming:
            return ranked
        return [r for r in ranked if r[0] in naming] + [r for r in ranked if r[0] not in naming]

    def hybrid(self, query: str, k: int, filters: Filters) -> list[tuple[str, float]]:
        """The full retrieval (glossary, fusion, rerank) as (chunk id, score)."""
        return [(i, sc) for i, sc, _ in self.retrieve(query, k, filters)]

    def search(self, query: str, k: int = 10, mode: str = "hybrid", filters: Filters | None = None,
               glossary: bool = True, rerank: bool = True) -> list[Hit]:
        """Top-k hits for a query in a mode, best first (``glossary``/``rerank`` switch hybrid's extra signals off)."""
        if mode not in MODES:
            raise InputError(f"unknown search mode '{mode}': choose one of {', '.join(MODES)}")
        if k < 1:
            raise InputError("k must be at least 1")
        query = query.strip()
        if not query:
            return []
        f = filters or Filters()
        if mode == "hybrid":
            scored = [(i, sc) for i, sc, _ in self.retrieve(query, k, f, glossary=glossary, rerank=rerank)]
        else:
            scored = getattr(self, mode)(query, k, f)[:k]
        return self.hits(query, scored, f)

    def hits(self, query: str, scored: list[tuple[str, float]], filters: Filters | None = None) -> list[Hit]:
        """Hits with their chunk and document fields, in the given order; a chunk outside the filters
        (a reader's markings above all) is never returned, whatever produced it."""
        rows = self.store.chunks_by_ids([i for i, _ in scored], filters)
        hits: list[Hit] = []
        for chunk_id, sc in scored:
            row = rows.get(chunk_id)
            if row is None:  # a vector whose chunk is gone (cleaned on the next ingest)
                continue
            hits.append(Hit(query=query, rank=len(hits) + 1, doc=row["doc"], page=row["page"], chunk_id=chunk_id,
                            score=round(sc, 6), text=row["text"], title=row["title"], kind=row["kind"], date=row["date"],
                            section=row["section"], ref=row["ref"], start=row["start"], end=row["end"]))
        return hits
