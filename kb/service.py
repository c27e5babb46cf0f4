"""The facade: the one object the CLI, the app and the evals call.

It owns the store, the vector index and the embedding model of one data home, opening each
lazily (the model loads on the first ingest or dense query, not at start-up). Its methods are
grouped by concern: who is reading and what they may do (kb.access.guard), the documents (kb.documents.library),
search, answers, FOI and the register (here), and the teams' processes (``KB.workflow``).
"""

from __future__ import annotations

import copy
import json
import logging
import threading
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from kb.access.guard import AccessMixin
from kb.config import Config, load_config
from kb.documents.library import DocumentsMixin
from kb.search.embed import Embedder
from kb.errors import EmptyIndexError, InputError, KBError, LLMError, PermissionDeniedError
from kb.documents.pipeline import Pipeline
from kb.answers.answer import Answer, Answerer
from kb.register.draft import Draft
from kb.register.draft import build as build_draft
from kb.foi.records import FOI, Clock, Disclosure, Precedents
from kb.foi.log import scrub
from kb.foi.records import due as foi_due
from kb.search.glossary import Glossary
from kb.search.rerank import SentenceVectors
from kb.search.hybrid import ForcesNamed, Hit, Searcher
from kb.store.filters import Filters, markings_up_to
from kb.store.db import Store
from kb.register.records import History, RegisterRow, Related
from kb.register.tracker import Tracker
from kb.workflow import Workflow
from kb.search.vectors import VectorIndex

log = logging.getLogger(__name__)
T = TypeVar("T")




class _OnFirstUse:
    """Stands in for an object that is made only when one of its attributes is first asked for."""

    def __init__(self, make: Any) -> None:
        self._make, self._made = make, None

    def __getattr__(self, name: str) -> Any:
        if self._made is None:
            self._made = self._make()
        return getattr(self._made, name)


class KB(AccessMixin, DocumentsMixin):
    """A knowledge base over one data home."""

    def __init__(self, config: Config | None = None, embedder: Embedder | None = None, **overrides: Any) -> None:
        self.config = config or load_config(**overrides)
        self._store: Store | None = None  # opened on first use: 'kb restore' must not create a database before it has checked the backup
        self._vectors: VectorIndex | None = None
        self._opening = threading.Lock()  # the app's warm-up thread and its first requests open the vectors together
        self._named: ForcesNamed | None = None  # the forces each document names, for searches naming a force
        self._preparing: threading.Thread | None = None  # opening the vectors ahead of a query (prepare_queries)
        self._embedder: Embedder | None = embedder  # share one loaded model between instances
        self._sentences: SentenceVectors | None = None
        self._vector_cache: dict[str, list[float]] = {}
        self._glossaries: dict[Any, Glossary] = {}  # shared by views: one per (markings, documents version)
        self._services: dict[Any, Any] = {}  # shared by views: the searcher and the register per (markings, documents version)
        self.user: str | None = None  # None: the console (trusted, every marking)
        self.markings: tuple[str, ...] = ()  # the markings this reader may see (empty: all)
        self._workflow: Workflow | None = None

    # --- who is reading ---------------------------------------------------------------------
    def as_user(self, name: str | None) -> KB:
        """This knowledge base as one app user sees it: their clearance limits every read (search,
        answers, citations, the register, FOI precedents, drafts, exports, documents) and what they do
        is audited under their name. Shares the store, vectors and model with this object."""
        if name is None and self.users.any():  # the console's view is never handed to an app request
            raise PermissionDeniedError("log in first: this knowledge base has users, and nothing is shown without a login")
        self.vectors, self.embedder  # noqa: B018  (open once here, not once per view)
        if self._sentences is None:
            self._sentences = SentenceVectors(self.embedder)
        self._forces_named()  # made here so that every view shares it
        view = copy.copy(self)
        view._workflow = None  # the view's own: its reads and audit entries are the user's
        view.user = name
        view.markings = () if name is None or not self.users.any() else markings_up_to(self.users.clearance(name))
        return view

    @property
    def store(self) -> Store:
        """The SQLite store (opened, and migrated, on first use)."""
        if self._store is None:
            with self._opening:
                if self._store is None:
                    self._store = Store(self.config.db_path)
        return self._store

    @property
    def vectors(self) -> VectorIndex:
        """The vector index (opened on first use)."""
        if self._vectors is None:
            with self._opening:
                if self._vectors is None:
                    self._vectors = VectorIndex(self.config)
        return self._vectors

    @property
    def embedder(self) -> Embedder:
        """The embedding model (loaded on first use)."""
        if self._embedder is None:
            self._embedder = Embedder(self.config.model_path)
        return self._embedder

    def _forget_vectors(self) -> None:
        """Drop the open vector index (its files are about to be removed), and the services holding it."""
        self._vectors = None
        self._services.clear()

    def warm(self) -> None:
        """Load the model and open the indexes before anyone asks (the app runs this in the background
        at start: the model takes seconds to load, which the first search would otherwise wait for)."""
        try:  # what the page's first requests need first: the vector store (every view opens it), then the model
            self.vectors.count()
            self._glossary()
            self.vectors.query(self.embedder.embed_query("warm up"), 1)
        except KBError as exc:  # the first real request reports it, with its message
            log.warning("could not warm up: %s", exc)

    @property
    def pipeline(self) -> Pipeline:
        """The ingest pipeline: one per run (a run's marking and progress callback are its own; two uploads may run at once)."""
        return Pipeline(self.config, self.store, self.vectors, self.embedder)

    def _service(self, name: str, build: Callable[[], T]) -> T:
        """A service built once per (this reader's markings, documents version): what it may show, its glossary and the
        documents it hides are built for the documents of that version, so an ingest, a deletion or a new marking makes a new one."""
        key = (name, self.markings, self.store.documents_version())
        found = self._services.get(key)
        if found is None:
            if len(self._services) > 32:
                self._services.clear()
            found = self._services[key] = build()
        return found  # type: ignore[no-any-return]

    @property
    def searcher(self) -> Searcher:
        """The searcher, with the corpus glossary and the shared sentence-vector cache (built once per documents version)."""
        return self._service("searcher", self._build_searcher)

    def _build_searcher(self) -> Searcher:
        if self._sentences is None:
            self._sentences = SentenceVectors(self.embedder)
        # the vector index opens on the searcher's first use of it: a lexical search never needs it (it costs a cold
        # command line over a second of imports and Chroma's start)
        vectors = self._vectors if self._vectors is not None else _OnFirstUse(lambda: self.vectors)
        return Searcher(self.store, vectors, self.embedder, self.config.candidates, self.config.rrf_k,  # type: ignore[arg-type]
                        glossary=self._glossary(), sentence_vectors=self._sentences, dense_weight=self.config.dense_weight,
                        named=self._forces_named())

    def _forces_named(self) -> ForcesNamed:
        """The one cache of the forces each document names (views share it: copies keep the reference)."""
        if self._named is None:
            self._named = ForcesNamed(self.store)
        return self._named

    def _glossary(self) -> Glossary:
        """The glossary of the documents this reader may see, rebuilt only when the documents change."""
        key = (self.markings, self.store.documents_version())
        cache: dict[Any, Glossary] = self._glossaries
        if key not in cache:
            if len(cache) > 8:
                cache.clear()
            cache[key] = Glossary.from_rows(self.store.glossary(self.markings))
        return cache[key]

    def ask(self, question: str, kinds: Iterable[str] = (), docs: Iterable[str] = (), written: bool | None = None) -> Answer:
        """A cited answer: quoted sentences with [n] citations, or an abstention with the closest documents.

        With an LLM configured (``llm_url``) the answer is written by it and verified sentence by
        sentence (``written=False`` asks for quotes only); if the server fails, quotes are given instead.
        """
        if self.store.empty():
            raise EmptyIndexError("nothing is indexed yet: add documents first (kb ingest corpus/)")
        if not question.strip():
            raise InputError("ask a question")
        self._open_for_queries()
        self.pipeline.check_model()
        self._audit("ask", question)
        answerer = Answerer(self.searcher, self.store)
        filters = Filters(kinds=tuple(kinds), docs=tuple(docs), markings=self.markings)
        if self.config.llm_url and written is not False:
            from kb.answers.llm import LocalOpenAICompatible

            llm = LocalOpenAICompatible(base_url=self.config.llm_url, model=self.config.llm_model, timeout=float(self.config.llm_timeout))
            try:
                return answerer.write(question, llm, filters)
            except LLMError as exc:
                answer = answerer.ask(question, filters)
                answer.warning = f"{exc}; these are quoted sentences instead"
                return answer
        return answerer.ask(question, filters)


    # --- FOI -----------------------------------------------------------------------------------
    def foi_records(self) -> list[Disclosure]:
        """Every FOI disclosure: reference, dates, questions with answers, exemptions, outcome."""
        return FOI(self.store, self.cached_embed, self.markings).records()

    def foi_similar(self, request: str, k: int = 3) -> Precedents:
        """Earlier disclosures for a new request: per question the closest earlier questions, best documents first."""
        if self.store.empty():
            raise EmptyIndexError("nothing is indexed yet: add documents first (kb ingest corpus/)")
        self._audit("foi precedents", scrub(request)[0])  # the audit log holds no requester's details either
        return FOI(self.store, self.cached_embed, self.markings).similar(request, k)

    @staticmethod
    def foi_due(received: str, clarified: str | None = None, today: date | None = None, extended: bool = False) -> Clock:
        """The statutory clock of a request: due date in working days, days left or overdue."""
        return foi_due(received, clarified, today, extended)

    def draft(self, doc: str, published: str | None = None, lead_days: int = 14, today: date | None = None) -> Draft:
        """A cited section 55 response draft for a report in the index."""
        if self.store.empty():
            raise EmptyIndexError("nothing is indexed yet: add documents first (kb ingest corpus/)")
        self._audit("draft", doc)
        return build_draft(self, doc, published, lead_days, today)


    def search(self, query: str, k: int = 10, mode: str = "hybrid", kinds: Iterable[str] = (), docs: Iterable[str] = (),
               date_from: str | None = None, date_to: str | None = None, glossary: bool = True, rerank: bool = False,
               answering: bool = True) -> list[Hit]:
        """Search the indexed chunks; see ``kb.search.hybrid.MODES``. Hybrid is glossary expansion and fusion;
        ``rerank`` adds the sentence-level reranker that ``ask`` always uses (it embeds the sentences of
        passages not seen before: several hundred milliseconds a query on a large archive); ``answering``
        (hybrid's default) then puts first the passages with a sentence that answers the query, as the
        answers' sentence model scores it (``Answerer.order``: it needs the reranker's sentences)."""
        if self.store.empty():
            raise EmptyIndexError("nothing is indexed yet: add documents first (kb ingest corpus/)")
        if mode != "lexical":
            self._open_for_queries()
            self.pipeline.check_model()
        filters = Filters(kinds=tuple(kinds), docs=tuple(docs), date_from=_iso(date_from), date_to=_iso(date_to), markings=self.markings)
        self._audit("search", query)
        if mode == "hybrid" and answering and query.strip() and k >= 1:
            return self.searcher.hits(query, Answerer(self.searcher, self.store).order(query.strip(), k, filters, glossary), filters)
        return self.searcher.search(query, k=k, mode=mode, filters=filters, glossary=glossary, rerank=rerank)

    def prepare_queries(self) -> None:
        """Start opening the vector index (mostly importing Chroma: Python) in a thread, so that it
        overlaps what comes before the first dense query (the command line's own start, the query
        encoder's load: native code, which lets the thread run). A failure to open is raised again,
        with its message, by the first real use."""
        if self._vectors is not None or self._preparing is not None:
            return

        def open_vectors() -> None:
            try:
                self.vectors  # noqa: B018  (opened for its side effect)
            except Exception:  # noqa: BLE001  (raised again where the vectors are used)
                log.debug("the vector index did not open ahead of the query", exc_info=True)

        import numpy  # noqa: F401  (both need it; numpy's C core must not be imported by two threads at once)

        self._preparing = threading.Thread(target=open_vectors, daemon=True)
        self._preparing.start()

    def _open_for_queries(self) -> None:
        """The vector index and the query encoder, loaded together: a cold query waits for the longer."""
        self.prepare_queries()
        self.embedder.prepare_queries()
        if self._preparing is not None:
            self._preparing.join()
            self._preparing = None

    # --- the recommendation register --------------------------------------------------------
    @property
    def tracker(self) -> Tracker:
        """The register as this reader may see it (built once per documents version: it knows which documents it hides)."""
        return self._service("tracker", lambda: Tracker(self.store, self.markings))

    def recommendations(self, status: str | None = None, overdue: bool = False, doc: str | None = None, today: date | None = None,
                        words: str | None = None) -> list[RegisterRow]:
        """Register rows, filtered (``words``: all in the report, theme, owner, addressee or text);
        ``today`` fixes the date overdue is judged against."""
        return self.tracker.rows(status=status, overdue=overdue, doc=doc, today=today, words=words)

    @property
    def workflow(self) -> Workflow:
        """The dashboard, verifying a complete, the FOI request log and the board report (this view's)."""
        if self._workflow is None:
            self._workflow = Workflow(self)
        return self._workflow

    def set_recommendation(self, ref: str, doc: str, by: str, status: str | None = None, owner: str | None = None, due: str | None = None,
                           note: str | None = None, ordinal: int | None = None, parent: str | None = None,
                           expected_version: int | None = None, as_user: str | None = None, evidence: str | None = None,
                           why: str | None = None, agreed_by: str | None = None) -> RegisterRow:
        """A person's change to a recommendation (recorded in its history with their name).

        A complete is proposed with ``evidence`` (a chunk id) or a ``note`` and then awaits someone
        else's verification (``workflow.verify``); a changed due date needs ``why`` and ``agreed_by``.
        ``as_user`` is the logged-in user of the app: their role must allow editing."""
        self._require(as_user, "edit")
        row = self.tracker.set(ref, doc, by, status=status, owner=owner, due=due, note=note, ordinal=ordinal, parent=parent,
                               expected_version=expected_version, evidence=evidence, why=why, agreed_by=agreed_by)
        changed = {k: v for k, v in (("status", status), ("owner", owner), ("due", due), ("note", note), ("evidence", evidence),
                                      ("why", why), ("agreed_by", agreed_by)) if v is not None}
        self._audit("register change", f"{doc} {ref}: {json.dumps(changed, ensure_ascii=False)}")
        return row

    def recommendation(self, ref: str, doc: str, ordinal: int | None = None, parent: str | None = None) -> dict[str, Any]:
        """One register row as stored (its status, who confirmed it, its version)."""
        return dict(self.tracker.find(ref, doc, ordinal, parent))

    def recommendation_history(self, ref: str, doc: str, ordinal: int | None = None, parent: str | None = None) -> History:
        """A recommendation's history (every change) and timeline (what each document said)."""
        row = self.tracker.find(ref, doc, ordinal, parent)
        return History(row["key"], self.tracker.history(row["key"]), self.tracker.statements(row["key"]))

    def related_recommendations(self, ref: str, doc: str, ordinal: int | None = None, parent: str | None = None, k: int = 5,
                                min_similarity: float = 0.45) -> list[Related]:
        """Recommendations from *other* reports most alike in meaning (embedding similarity of their texts), best first."""
        target = self.tracker.find(ref, doc, ordinal, parent)
        rows = [r for r in self.recommendations() if r.report != target["report"] and not r.parent]
        if not rows:
            return []
        vectors = self.cached_embed([target["text"]] + [r.text for r in rows])
        query, others = vectors[0], vectors[1:]
        scored = sorted(((sum(a * b for a, b in zip(query, v)), r) for v, r in zip(others, rows)), key=lambda x: -x[0])
        return [Related(r, round(s, 3)) for s, r in scored[:k] if s >= min_similarity]

    def cached_embed(self, texts: list[str]) -> list[list[float]]:
        """Vectors of texts compared again and again (recommendations, earlier FOI questions), cached for the life of this object."""
        cache = self._vector_cache
        missing = [t for t in dict.fromkeys(texts) if t not in cache]
        for text, vector in zip(missing, self.embedder.embed(missing)):
            cache[text] = vector
        return [cache[t] for t in texts]

    def export_recommendations(self, path: str | Path, today: date | None = None, as_user: str | None = None) -> int:
        """Write the register (what this reader may see) to .csv or .xlsx; returns the number of rows."""
        self._require(as_user, "read", "export the register")
        self._audit("export register", Path(path).name)
        return self.tracker.export(path, today=today)


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
    raise InputError(f"dates are written YYYY-MM-DD (e.g. 2026-04-30); got '{value}'")
