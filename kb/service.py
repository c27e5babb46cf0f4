"""The facade: the one object the CLI, the app and the evals call.

It owns the store, the vector index and the embedding model of one data home, opening each
lazily (the model loads on the first ingest or dense query, not at start-up).
"""

from __future__ import annotations

import copy
import getpass
import json
import shutil
import logging
import threading
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from kb.config import Config, load_config
from kb.embed import Embedder
from kb.errors import DocumentError, EmptyIndexError, InputError, KBError, LLMError, NotFoundError, PermissionDeniedError
from kb.pipeline import MODEL_KEY, EmbedProgress, FileReport, Pipeline, Progress
from kb.answer import Answer, Answerer
from kb.draft import Draft
from kb.draft import build as build_draft
from kb.foi import FOI, Clock
from kb.foi import due as foi_due
from kb.glossary import Glossary
from kb.rerank import SentenceVectors
from kb.search import ForcesNamed, Hit, Searcher
from kb.filters import MARKINGS, Filters, markings_up_to
from kb.store import Store
from kb.tracker import Tracker
from kb.workflow import Workflow
from kb.users import Users
from kb.vectors import VectorIndex

log = logging.getLogger(__name__)


# every action the audit log records: the app's filter offers these, and nothing else is written
AUDIT_ACTIONS = ("search", "ask", "foi precedents", "draft", "register change", "verify", "export register", "ingest", "delete", "prune",
                 "read again", "correct document", "backup", "restore", "mark", "add user", "foi log", "export FOI", "board report", "refused")


class _OnFirstUse:
    """Stands in for an object that is made only when one of its attributes is first asked for."""

    def __init__(self, make: Any) -> None:
        self._make, self._made = make, None

    def __getattr__(self, name: str) -> Any:
        if self._made is None:
            self._made = self._make()
        return getattr(self._made, name)


class KB:
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

    def _require(self, as_user: str | None, action: str, doing: str | None = None) -> None:
        """Refuse what the user's role does not allow (the given user, else this view's); ``doing``
        names the thing refused in the message ("read the audit log")."""
        who = as_user if as_user is not None else self.user
        try:
            self.users.require(who, action, doing)
        except PermissionDeniedError as exc:  # a refusal is audited too: who tried what
            self.store.audit(who or "unknown", "refused", str(exc))
            raise

    def _audit(self, action: str, detail: str = "") -> None:
        """Write who did what to the audit log (``action`` one of AUDIT_ACTIONS)."""
        if action not in AUDIT_ACTIONS:
            raise ValueError(f"not an audit action: {action}")  # a programming error: the app's filter would never show it
        self.store.audit(self.user or f"console ({_os_user()})", action, detail)

    def audit_log(self, limit: int = 500, user: str | None = None, action: str | None = None, as_user: str | None = None) -> list[dict[str, Any]]:
        """The newest audit entries (admins only in the app)."""
        self._require(as_user, "admin", "read the audit log")
        return self.store.audit_rows(limit, user, action)

    def visible(self, doc: Any) -> bool:
        """Whether this reader may see a document (a row with a 'marking')."""
        return not self.markings or doc["marking"] in self.markings

    def document_named(self, name: str) -> Any:
        """The document called ``name`` if this reader may see it; NotFoundError otherwise (the same
        message either way, so a restricted document's existence is not revealed)."""
        docs = [d for d in self.store.documents_named(name) if self.visible(d)]
        if not docs:
            raise NotFoundError(f"no document called '{name}' (see: kb docs)")
        return docs[0]

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
        """Drop the open vector index (its files are about to be removed)."""
        self._vectors = None

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
        """The ingest pipeline."""
        return Pipeline(self.config, self.store, self.vectors, self.embedder)

    @property
    def searcher(self) -> Searcher:
        """The searcher, with the corpus glossary and the shared sentence-vector cache."""
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
            from kb.llm import LocalOpenAICompatible

            llm = LocalOpenAICompatible(base_url=self.config.llm_url, model=self.config.llm_model, timeout=float(self.config.llm_timeout))
            try:
                return answerer.write(question, llm, filters)
            except LLMError as exc:
                answer = answerer.ask(question, filters)
                answer.warning = f"{exc}; these are quoted sentences instead"
                return answer
        return answerer.ask(question, filters)

    # --- backups ----------------------------------------------------------------------------------
    def backup(self, path: str | Path, as_user: str | None = None) -> dict[str, Any]:
        """Write the whole data home (documents, chunks, vectors, register and history, FOI, users, audit, uploads) to a .zip."""
        from kb.backup import backup

        self._require(as_user, "admin", "make a backup")
        manifest = backup(self.config, self.store, self.vectors, path)
        self._audit("backup", f"{Path(path).name}: {json.dumps(manifest['counts'])}")
        return manifest

    def restore(self, path: str | Path, as_user: str | None = None) -> dict[str, Any]:
        """Restore a backup into this (empty) data home; refuses one that holds anything, and leaves the
        home as it was when the backup is damaged or the restore fails. An admin's job."""
        from kb.backup import restore

        if self.config.db_path.exists():
            self._require(as_user, "admin", "restore a backup")

        home = self.config.home
        before = set(home.iterdir()) if home.is_dir() else None
        try:
            manifest = restore(self.config, path, lambda: self.vectors)
        except BaseException:
            self._forget_vectors()
            for made in (set(home.iterdir()) - before) if before is not None and home.is_dir() else []:
                shutil.rmtree(made, ignore_errors=True) if made.is_dir() else made.unlink(missing_ok=True)
            if before is None and home.is_dir():
                shutil.rmtree(home, ignore_errors=True)
            raise
        self._audit("restore", f"{Path(path).name} (made {manifest['created_at']})")
        return manifest

    # --- users -------------------------------------------------------------------------------
    def add_user(self, name: str, role: str, password: str, clearance: str = MARKINGS[0], as_user: str | None = None) -> None:
        """Add a user, or change one's role, password and clearance: an admin's job, audited (never the password)."""
        self._require(as_user, "admin", "manage users")
        self.users.add(name, role, password, clearance=clearance)
        self._audit("add user", f"{name.strip()}: {role}, cleared to {clearance}")

    # --- FOI -----------------------------------------------------------------------------------
    def foi_records(self) -> list[dict[str, Any]]:
        """Every FOI disclosure: reference, dates, questions with answers, exemptions, outcome."""
        return FOI(self.store, self.cached_embed, self.markings).records()

    def foi_similar(self, request: str, k: int = 3) -> dict[str, Any]:
        """Earlier disclosures for a new request: per question the closest earlier questions, best documents first."""
        if self.store.empty():
            raise EmptyIndexError("nothing is indexed yet: add documents first (kb ingest corpus/)")
        self._audit("foi precedents", request)
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

    def glossary(self) -> list[tuple[str, str, int]]:
        """The corpus's acronyms: (acronym, expansion, number of documents that spell it so)."""
        return self.store.glossary(self.markings)

    # --- ingest ---------------------------------------------------------------------------
    def ingest(self, paths: Iterable[str | Path], progress: Progress | None = None, marking: str | None = None,
               on_embed: EmbedProgress | None = None) -> list[FileReport]:
        """Ingest files and folders; returns a report per file (failures included). ``marking`` raises the
        protective marking of every file above what it prints (OFFICIAL-SENSITIVE, say); ``on_embed``
        hears passages embedded, of how many, and the seconds left."""
        reports = self.pipeline.ingest(paths, progress, marking=marking, on_embed=on_embed)
        self._audit("ingest", ", ".join(f"{r.name}: {r.status}" for r in reports)[:2000])
        return reports

    def ensure_corpus(self, progress: Progress | None = None) -> list[FileReport]:
        """Ingest the configured corpus folder when the data home holds no documents yet."""
        if not self.store.empty() or not self.config.corpus.is_dir():
            return []
        log.info("the data home is empty: ingesting %s", self.config.corpus)
        return self.ingest([self.config.corpus], progress)

    @property
    def users(self) -> Users:
        """The app's users."""
        return Users(self.store)

    def add_files(self, files: list[tuple[str, str]], progress: Progress | None = None, as_user: str | None = None,
                  marking: str | None = None, on_embed: EmbedProgress | None = None) -> list[FileReport]:
        """Copy uploaded files (original name, temporary path) into the data home's uploads/ and ingest them.

        Names are reduced to a safe file name, so an upload can never write outside uploads/.
        """
        import shutil

        self._require(as_user, "upload")
        if marking is not None and marking not in MARKINGS:
            raise InputError(f"unknown protective marking '{marking}': use one of {', '.join(MARKINGS)}")
        if marking and self.markings and marking not in self.markings:
            raise InputError(f"you are not cleared for {marking}: you could not read what you upload")
        folder = self.config.home / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        targets = []
        for name, temp in files:
            if Path(temp).is_symlink():  # what is read is what was uploaded, never a file a link points to
                raise DocumentError(f"refused the upload '{safe_name(name)}': it is a link to another file, not a file")
            target = upload_target(folder, name, temp)
            if not target.exists():  # else: the same file, uploaded again under the same name
                try:
                    with open(temp, "rb") as src, open(target, "xb") as dst:  # "x": never through a link, never over a file
                        shutil.copyfileobj(src, dst)
                except OSError as exc:
                    raise DocumentError(f"could not save the upload '{safe_name(name)}': {exc.strerror or exc}") from exc
            targets.append(target)
        return self.ingest(targets, progress, marking=marking, on_embed=on_embed)

    def mark(self, name: str, marking: str, as_user: str | None = None) -> str:
        """Set a document's protective marking (admins only in the app); returns the marking it had."""
        self._require(as_user, "admin", "change a protective marking")
        doc = self.document_named(name)
        self.store.set_marking(doc["id"], marking)
        self._audit("mark", f"{name}: {doc['marking']} -> {marking}")
        return str(doc["marking"])

    def reingest(self, name: str, as_user: str | None = None) -> list[FileReport]:
        """Read a document again from its file (after a program update, say); people's confirmed statuses stay."""
        self._require(as_user, "upload")
        self.document_named(name)
        docs = [d for d in self.store.documents_named(name) if self.visible(d)]
        self._audit("read again", name)
        missing = [d["path"] for d in docs if not Path(d["path"]).exists()]
        if missing:
            raise DocumentError(f"the file behind '{name}' is no longer at {missing[0]}: add it again")
        return self.pipeline.ingest([d["path"] for d in docs], force=True)

    def correct_document(self, name: str, by: str, kind: str | None = None, title: str | None = None,
                         as_user: str | None = None) -> list[FileReport]:
        """A person's correction of a document's kind or title: kept for good (a later read of the file
        keeps it), and the document read again at once so its register rows follow the new kind."""
        from ingest import KINDS

        self._require(as_user, "edit", "correct a document")
        if kind is None and not (title or "").strip():
            raise InputError("say what to correct: --kind KIND and/or --title TITLE")
        if kind is not None and kind not in KINDS:
            raise InputError(f"unknown kind '{kind}': use one of {', '.join(KINDS)}")
        if not (by or "").strip():
            raise InputError("say who is making the correction (--by NAME)")
        docs = [d for d in self.store.documents_named(name) if self.visible(d)]
        if not docs:
            raise NotFoundError(f"no document called '{name}' (see: kb docs)")
        for d in docs:
            self.store.set_correction(d["path"], kind, " ".join(title.split()) if title else None, by.strip())
        self._audit("correct document", f"{name}: kind {kind or '(kept)'}, title {title or '(kept)'} by {by}")
        missing = [d["path"] for d in docs if not Path(d["path"]).exists()]
        if missing:
            raise DocumentError(f"the correction is kept, but the file behind '{name}' is no longer at {missing[0]}: add it again to apply it")
        return self.pipeline.ingest([d["path"] for d in docs], force=True)

    def page_text(self, name: str, page: int | None) -> tuple[str, int]:
        """A document's text (one page of it, for PDFs) and the offset where that text starts in the source."""
        doc = self.document_named(name)
        source = self.store.source_text(doc["id"])
        if page:
            row = self.store.db.execute("SELECT start, end FROM pages WHERE doc_id = ? AND number = ?", (doc["id"], page)).fetchone()
            if row:
                return source[row["start"]:row["end"]], int(row["start"])
        return source, 0

    def delete(self, name: str, as_user: str | None = None) -> list[str]:
        """Remove a document (by file name or path) with its chunks and vectors."""
        self._require(as_user, "delete")
        self.pipeline.recover()  # a delete killed half-way left its vectors journalled: remove them now
        self.document_named(name)
        self._audit("delete", name)
        return self.pipeline.delete(name)

    def prune(self, folders: Iterable[str | Path], as_user: str | None = None) -> list[str]:
        """Remove documents whose files under these folders have been deleted (an editor's or admin's job)."""
        self._require(as_user, "delete", "remove documents")
        removed = self.pipeline.prune(folders)
        if removed:
            self._audit("prune", ", ".join(removed)[:2000])
        return removed

    # --- read -----------------------------------------------------------------------------
    def documents(self) -> list[dict[str, Any]]:
        """Every document with its metadata, newest first."""
        out = []
        for d in self.store.documents():
            if not self.visible(d):
                continue
            row = {k: d[k] for k in d.keys() if k != "meta"}  # noqa: SIM118 (iterating a sqlite3.Row yields values)
            row["warnings"] = json.loads(d["warnings"])
            out.append(row)
        return out

    def counts(self) -> dict[str, int]:
        """How many documents and passages this reader may see."""
        return self.store.counts(self.markings)

    def stats(self) -> dict[str, Any]:
        """Counts of documents, chunks and vectors, and the model that built the index."""
        counts: dict[str, Any] = dict(self.store.counts())
        counts["vectors"] = self.vectors.count()
        counts["model"] = self.store.get_setting(MODEL_KEY)
        counts["home"] = str(self.config.home)
        counts["unfinished"] = len(self.store.journal())
        extra, missing = counts["vectors"] - counts["chunks"], counts["chunks"] - counts["vectors"]
        if extra > 0 or missing > 0 or counts["unfinished"]:
            why = (f"{extra} more vectors than passages" if extra > 0 else f"{missing} passages without a vector" if missing > 0 else
                   "vectors and passages match")
            counts["note"] = (f"{why}, and {counts['unfinished']} vector changes an ingest or delete had not finished: an ingest is running now, "
                              "or one was interrupted; the next 'kb ingest' (of any file) tidies them up" if counts["unfinished"] else
                              f"{why}: written by another program, or by an ingest whose record was lost; 'kb backup' then 'kb restore' "
                              "into a new data home rebuilds a consistent index")
        return counts

    def search(self, query: str, k: int = 10, mode: str = "hybrid", kinds: Iterable[str] = (), docs: Iterable[str] = (),
               date_from: str | None = None, date_to: str | None = None, glossary: bool = True, rerank: bool = False) -> list[Hit]:
        """Search the indexed chunks; see ``kb.search.MODES``. Hybrid is glossary expansion and fusion;
        ``rerank`` adds the sentence-level reranker that ``ask`` always uses (it embeds the sentences of
        passages not seen before: several hundred milliseconds a query on a large archive)."""
        if self.store.empty():
            raise EmptyIndexError("nothing is indexed yet: add documents first (kb ingest corpus/)")
        if mode != "lexical":
            self._open_for_queries()
            self.pipeline.check_model()
        filters = Filters(kinds=tuple(kinds), docs=tuple(docs), date_from=_iso(date_from), date_to=_iso(date_to), markings=self.markings)
        self._audit("search", query)
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
        """The register."""
        return Tracker(self.store, self.markings)

    def recommendations(self, status: str | None = None, overdue: bool = False, doc: str | None = None, today: date | None = None,
                        words: str | None = None) -> list[dict[str, Any]]:
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
                           why: str | None = None, agreed_by: str | None = None) -> dict[str, Any]:
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

    def source_text(self, name: str) -> str:
        """The extracted text of a document."""
        return self.store.source_text(self.document_named(name)["id"])


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def safe_name(name: str, limit: int = 120) -> str:
    """A plain file name for an upload, which cannot escape or confuse a folder: the last part of any
    path (``/`` or ``\\``), only letters, digits, spaces and ``._-()`` (anything else, NUL and line
    breaks included, becomes ``_``), no leading dot, at most ``limit`` bytes with the extension kept;
    "upload" when nothing is left."""
    import re as _re
    import unicodedata

    base = unicodedata.normalize("NFC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    base = _re.sub(r"[^\w.\- ()]", "_", base).strip(" .") or "upload"
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem or len(ext) > 10:
        stem, ext = base, ""
    else:
        ext = "." + ext
    stem = stem.encode()[: limit - len(ext.encode())].decode("utf-8", "ignore").rstrip(" .") or "upload"
    return stem + ext


def upload_target(folder: Path, name: str, temp: str | Path) -> Path:
    """Where an upload called ``name`` (its content at ``temp``) is kept in ``folder``.

    The name is reduced by ``safe_name``; a name with no known extension takes the uploaded file's
    ("../../etc/passwd" from a .txt becomes "passwd.txt"). A different file already there is never
    replaced: the new one gets " (2)", " (3)"... The same content under the same name is the file
    already there.
    """
    import filecmp
    import os

    from ingest import FORMATS

    safe = safe_name(name)
    own = Path(str(temp)).suffix.lower()
    if Path(safe).suffix.lower() not in FORMATS and own in FORMATS:
        safe = safe_name(safe + own)
    stem, ext = (safe[: -len(Path(safe).suffix)], Path(safe).suffix) if Path(safe).suffix else (safe, "")
    target, n = folder / safe, 2
    while os.path.lexists(target):  # lexists: a dangling link counts as taken
        if target.is_file() and not target.is_symlink() and filecmp.cmp(target, temp, shallow=False):
            return target
        target, n = folder / f"{stem} ({n}){ext}", n + 1
    if target.parent != folder or target.name in ("", ".", ".."):  # cannot happen after safe_name; checked all the same
        raise DocumentError(f"refused an upload name that leaves the uploads folder: {safe}")
    return target


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
