"""The facade: the one object the CLI, the app and the evals call.

It owns the store, the vector index and the embedding model of one data home, opening each
lazily (the model loads on the first ingest or dense query, not at start-up).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from kb.config import Config, load_config
from kb.embed import Embedder
from kb.errors import DocumentError, EmptyIndexError, KBError, NotFoundError
from kb.pipeline import MODEL_KEY, FileReport, Pipeline, Progress
from kb.answer import Answer, Answerer
from kb.draft import Draft
from kb.draft import build as build_draft
from kb.foi import FOI, Clock
from kb.foi import due as foi_due
from kb.glossary import Glossary
from kb.rerank import SentenceVectors
from kb.search import Hit, Searcher
from kb.store import Filters, Store
from kb.tracker import Tracker
from kb.users import Users
from kb.vectors import VectorIndex

log = logging.getLogger(__name__)


class KB:
    """A knowledge base over one data home."""

    def __init__(self, config: Config | None = None, embedder: Embedder | None = None, **overrides: Any) -> None:
        self.config = config or load_config(**overrides)
        self.store = Store(self.config.db_path)
        self._vectors: VectorIndex | None = None
        self._embedder: Embedder | None = embedder  # share one loaded model between instances
        self._sentences: SentenceVectors | None = None

    @property
    def vectors(self) -> VectorIndex:
        """The vector index (opened on first use)."""
        if self._vectors is None:
            self._vectors = VectorIndex(self.config)
        return self._vectors

    @property
    def embedder(self) -> Embedder:
        """The embedding model (loaded on first use)."""
        if self._embedder is None:
            self._embedder = Embedder(self.config.model_path)
        return self._embedder

    @property
    def pipeline(self) -> Pipeline:
        """The ingest pipeline."""
        return Pipeline(self.config, self.store, self.vectors, self.embedder)

    @property
    def searcher(self) -> Searcher:
        """The searcher, with the corpus glossary and the shared sentence-vector cache."""
        if self._sentences is None:
            self._sentences = SentenceVectors(self.embedder)
        return Searcher(self.store, self.vectors, self.embedder, self.config.candidates, self.config.rrf_k,
                        glossary=Glossary.from_rows(self.store.glossary()), sentence_vectors=self._sentences)

    def ask(self, question: str, kinds: Iterable[str] = (), docs: Iterable[str] = (), written: bool | None = None) -> Answer:
        """A cited answer: quoted sentences with [n] citations, or an abstention with the closest documents.

        With an LLM configured (``llm_url``) the answer is written by it and verified sentence by
        sentence (``written=False`` asks for quotes only); if the server fails, quotes are given instead.
        """
        if not self.store.counts()["documents"]:
            raise EmptyIndexError("nothing is indexed yet: add documents first (kb ingest corpus/)")
        if not question.strip():
            raise KBError("ask a question")
        self.pipeline.check_model()
        answerer = Answerer(self.searcher, self.store)
        filters = Filters(kinds=tuple(kinds), docs=tuple(docs))
        if self.config.llm_url and written is not False:
            from kb.llm import LLMError, LocalOpenAICompatible

            llm = LocalOpenAICompatible(base_url=self.config.llm_url, model=self.config.llm_model, timeout=float(self.config.llm_timeout))
            try:
                return answerer.write(question, llm, filters)
            except LLMError as exc:
                answer = answerer.ask(question, filters)
                answer.warning = f"{exc}; these are quoted sentences instead"
                return answer
        return answerer.ask(question, filters)

    # --- FOI -----------------------------------------------------------------------------------
    def foi_records(self) -> list[dict[str, Any]]:
        """Every FOI disclosure: reference, dates, questions with answers, exemptions, outcome."""
        return FOI(self.store, self.cached_embed).records()

    def foi_similar(self, request: str, k: int = 3) -> dict[str, Any]:
        """Earlier disclosures for a new request: per question the closest earlier questions, best documents first."""
        if not self.store.counts()["documents"]:
            raise EmptyIndexError("nothing is indexed yet: add documents first (kb ingest corpus/)")
        return FOI(self.store, self.cached_embed).similar(request, k)

    @staticmethod
    def foi_due(received: str, clarified: str | None = None, today: date | None = None, extended: bool = False) -> Clock:
        """The statutory clock of a request: due date in working days, days left or overdue."""
        return foi_due(received, clarified, today, extended)

    def draft(self, doc: str, published: str | None = None, lead_days: int = 14, today: date | None = None) -> Draft:
        """A cited section 55 response draft for a report in the index."""
        if not self.store.counts()["documents"]:
            raise EmptyIndexError("nothing is indexed yet: add documents first (kb ingest corpus/)")
        return build_draft(self, doc, published, lead_days, today)

    def glossary(self) -> list[tuple[str, str, int]]:
        """The corpus's acronyms: (acronym, expansion, number of documents that spell it so)."""
        return self.store.glossary()

    # --- ingest ---------------------------------------------------------------------------
    def ingest(self, paths: Iterable[str | Path], progress: Progress | None = None) -> list[FileReport]:
        """Ingest files and folders; returns a report per file (failures included)."""
        return self.pipeline.ingest(paths, progress)

    def ensure_corpus(self, progress: Progress | None = None) -> list[FileReport]:
        """Ingest the configured corpus folder when the data home holds no documents yet."""
        if self.store.counts()["documents"] or not self.config.corpus.is_dir():
            return []
        log.info("the data home is empty: ingesting %s", self.config.corpus)
        return self.ingest([self.config.corpus], progress)

    @property
    def users(self) -> Users:
        """The app's users."""
        return Users(self.store)

    def add_files(self, files: list[tuple[str, str]], progress: Progress | None = None, as_user: str | None = None) -> list[FileReport]:
        """Copy uploaded files (original name, temporary path) into the data home's uploads/ and ingest them.

        Names are reduced to a safe file name, so an upload can never write outside uploads/.
        """
        import shutil

        self.users.require(as_user, "upload")
        folder = self.config.home / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        targets = []
        for name, temp in files:
            safe = safe_name(name)
            target = folder / safe
            shutil.copyfile(temp, target)
            targets.append(target)
        return self.ingest(targets, progress)

    def reingest(self, name: str, as_user: str | None = None) -> list[FileReport]:
        """Read a document again from its file (after a program update, say); people's confirmed statuses stay."""
        self.users.require(as_user, "upload")
        docs = self.store.documents_named(name)
        if not docs:
            raise NotFoundError(f"no document called '{name}'")
        missing = [d["path"] for d in docs if not Path(d["path"]).exists()]
        if missing:
            raise DocumentError(f"the file behind '{name}' is no longer at {missing[0]}: add it again")
        return self.pipeline.ingest([d["path"] for d in docs], force=True)

    def page_text(self, name: str, page: int | None) -> tuple[str, int]:
        """A document's text (one page of it, for PDFs) and the offset where that text starts in the source."""
        docs = self.store.documents_named(name)
        if not docs:
            raise NotFoundError(f"no document called '{name}'")
        source = self.store.source_text(docs[0]["id"])
        if page:
            row = self.store.db.execute("SELECT start, end FROM pages WHERE doc_id = ? AND number = ?", (docs[0]["id"], page)).fetchone()
            if row:
                return source[row["start"]:row["end"]], int(row["start"])
        return source, 0

    def delete(self, name: str, as_user: str | None = None) -> list[str]:
        """Remove a document (by file name or path) with its chunks and vectors."""
        self.users.require(as_user, "delete")
        return self.pipeline.delete(name)

    def prune(self, folders: Iterable[str | Path]) -> list[str]:
        """Remove documents whose files under these folders have been deleted."""
        return self.pipeline.prune(folders)

    # --- read -----------------------------------------------------------------------------
    def documents(self) -> list[dict[str, Any]]:
        """Every document with its metadata, newest first."""
        out = []
        for d in self.store.documents():
            row = {k: d[k] for k in d.keys() if k != "meta"}  # noqa: SIM118 (iterating a sqlite3.Row yields values)
            row["warnings"] = json.loads(d["warnings"])
            out.append(row)
        return out

    def stats(self) -> dict[str, Any]:
        """Counts of documents, chunks and vectors, and the model that built the index."""
        counts: dict[str, Any] = dict(self.store.counts())
        counts["vectors"] = self.vectors.count()
        counts["model"] = self.store.get_setting(MODEL_KEY)
        counts["home"] = str(self.config.home)
        return counts

    def search(self, query: str, k: int = 10, mode: str = "hybrid", kinds: Iterable[str] = (), docs: Iterable[str] = (),
               date_from: str | None = None, date_to: str | None = None, glossary: bool = True, rerank: bool = True) -> list[Hit]:
        """Search the indexed chunks; see ``kb.search.MODES``."""
        if not self.store.counts()["documents"]:
            raise EmptyIndexError("nothing is indexed yet: add documents first (kb ingest corpus/)")
        if mode != "lexical":
            self.pipeline.check_model()
        filters = Filters(kinds=tuple(kinds), docs=tuple(docs), date_from=_iso(date_from), date_to=_iso(date_to))
        return self.searcher.search(query, k=k, mode=mode, filters=filters, glossary=glossary, rerank=rerank)

    # --- the recommendation register --------------------------------------------------------
    @property
    def tracker(self) -> Tracker:
        """The register."""
        return Tracker(self.store)

    def recommendations(self, status: str | None = None, overdue: bool = False, doc: str | None = None, today: date | None = None) -> list[dict[str, Any]]:
        """Register rows, filtered; ``today`` fixes the date overdue is judged against."""
        return self.tracker.rows(status=status, overdue=overdue, doc=doc, today=today)

    def set_recommendation(self, ref: str, doc: str, by: str, status: str | None = None, owner: str | None = None, due: str | None = None,
                           note: str | None = None, ordinal: int | None = None, parent: str | None = None,
                           expected_version: int | None = None, as_user: str | None = None) -> dict[str, Any]:
        """A person's change to a recommendation (recorded in its history with their name).

        ``as_user`` is the logged-in user of the app: their role must allow editing."""
        self.users.require(as_user, "edit")
        return self.tracker.set(ref, doc, by, status=status, owner=owner, due=due, note=note, ordinal=ordinal, parent=parent,
                                expected_version=expected_version)

    def recommendation_history(self, ref: str, doc: str, ordinal: int | None = None, parent: str | None = None) -> dict[str, Any]:
        """A recommendation's history (every change) and timeline (what each document said)."""
        row = self.tracker.find(ref, doc, ordinal, parent)
        return {"key": row["key"], "history": self.tracker.history(row["key"]), "statements": self.tracker.statements(row["key"])}

    def related_recommendations(self, ref: str, doc: str, ordinal: int | None = None, parent: str | None = None, k: int = 5,
                                min_similarity: float = 0.45) -> list[dict[str, Any]]:
        """Recommendations from *other* reports most alike in meaning (embedding similarity of their texts), best first."""
        target = self.tracker.find(ref, doc, ordinal, parent)
        rows = [r for r in self.recommendations() if r["report"] != target["report"] and not r["parent"]]
        if not rows:
            return []
        vectors = self.cached_embed([target["text"]] + [r["text"] for r in rows])
        query, others = vectors[0], vectors[1:]
        scored = sorted(((sum(a * b for a, b in zip(query, v)), r) for v, r in zip(others, rows)), key=lambda x: -x[0])
        return [{**r, "similarity": round(s, 3)} for s, r in scored[:k] if s >= min_similarity]

    def cached_embed(self, texts: list[str]) -> list[list[float]]:
        """Vectors of texts compared again and again (recommendations, earlier FOI questions), cached for the life of this object."""
        cache: dict[str, list[float]] = self.__dict__.setdefault("_vector_cache", {})
        missing = [t for t in dict.fromkeys(texts) if t not in cache]
        for text, vector in zip(missing, self.embedder.embed(missing)):
            cache[text] = vector
        return [cache[t] for t in texts]

    def export_recommendations(self, path: str | Path, today: date | None = None) -> int:
        """Write the register to .csv or .xlsx; returns the number of rows."""
        return self.tracker.export(path, today=today)

    def source_text(self, name: str) -> str:
        """The extracted text of a document."""
        docs = self.store.documents_named(name)
        if not docs:
            raise DocumentError(f"no document called '{name}'")
        return self.store.source_text(docs[0]["id"])


def safe_name(name: str) -> str:
    """A file name with no folders and no characters that could escape or confuse a folder."""
    import re as _re

    base = Path(str(name).replace("\\", "/")).name
    base = _re.sub(r"[^\w.\- ()]", "_", base).strip(" .") or "upload"
    return base[:150]


def _iso(value: str | None) -> str | None:
    """Validate a date filter (YYYY-MM-DD, or YYYY / YYYY-MM as the start of that period)."""
    if not value:
        return None
    import re

    value = value.strip()
    if re.fullmatch(r"\d{4}", value):
        return f"{value}-01-01"
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return f"{value}-01"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    raise KBError(f"dates are written YYYY-MM-DD (e.g. 2026-04-30); got '{value}'")
