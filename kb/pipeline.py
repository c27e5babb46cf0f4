"""Ingest files: run ingest/, embed the chunks, store them. Idempotent by content hash.

Order of writes (crash safety): the vector ids about to change are journalled in SQLite,
vectors are upserted by deterministic id, the SQLite transaction that swaps the document's
rows commits, then stale vectors are deleted and the journal cleared. A kill at any point
leaves SQLite consistent; the next run (ingest or delete) deletes vectors the journal names
that SQLite does not hold, and embeds again passages SQLite holds whose vectors were lost.
A lock file in the data home keeps that recovery from taking another live ingest's vectors
(the other process, or thread, is mid-write) for a dead one's; tests/test_crash.py kills
ingests with SIGKILL to check all of this.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ingest import FORMATS, LoadError, Understood, content_hash, understand
from kb.config import CONTEXT_TOKENS, Config
from kb.embed import Embedder
from kb.errors import DocumentError, ModelMismatchError, NotFoundError, StoreError
from kb.store import MARKINGS, Store, now, to_json_list
from kb import foi, tracker
from kb.vectors import VectorIndex

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
MODEL_KEY = "embed_model"


@dataclass
class FileReport:
    """What happened to one file."""

    path: str
    name: str
    status: str  # added | updated | unchanged | moved | duplicate | failed
    title: str = ""
    kind: str = ""
    pages: int = 0
    chunks: int = 0
    embedded: int = 0
    recommendations: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    marking: str = ""  # the protective marking the document is stored under

    def to_json(self) -> dict[str, object]:
        """JSON-ready dict."""
        return asdict(self)


def duplicate_of(report: FileReport, other: str, existing: Any) -> FileReport:
    """A file skipped because its content is another file's; a stored file keeps its earlier version (nothing is lost unasked)."""
    report.status = "duplicate"
    if existing is None:
        report.warnings.append(f"same content as {other}, already ingested: skipped")
    else:
        report.title, report.kind, report.chunks = existing["title"], existing["kind"], existing["chunks"]
        report.warnings.append(f"now has the same content as {other}, which is ingested: its earlier version stays in the index "
                               f"until you remove it (kb delete {report.name}) or change the file")
    return report


def higher_marking(*markings: str | None) -> str:
    """The most restrictive of some markings (unknown or empty ones count as OFFICIAL)."""
    return max((m for m in markings if m in MARKINGS), key=MARKINGS.index, default=MARKINGS[0])


@dataclass
class _Pending:
    """A file understood and waiting for its chunks to be embedded."""

    understood: Understood
    path: str
    size: int
    report: FileReport
    texts: list[str]  # what is embedded: context prefix + chunk text
    seconds: float


def _locate(u: Understood, ids: list[str], offset: int) -> tuple[str | None, int | None]:
    """The chunk (and page) holding a clean-text offset, or the nearest before it."""
    best: tuple[str | None, int | None] = (None, None)
    for cid, c in zip(ids, u.chunks):
        if c.clean_start <= offset:
            best = (cid, c.page)
        if c.clean_start <= offset < c.clean_end:
            return cid, c.page
    return best


def register_entries(u: Understood, ids: list[str]) -> list[tracker.Extracted]:
    """The document's recommendations as register entries, each located in its chunk and page."""

    def locate(offset: int) -> tuple[str | None, int | None]:
        return _locate(u, ids, offset)

    out = []
    for seq, r in enumerate(u.recommendations):
        chunk, page = locate(r.start)
        quote_chunk, quote_page = locate(r.status_start) if r.status_quote else (None, None)
        fields = {"report": r.report, "type": r.type, "ref": r.ref, "ordinal": r.ordinal, "parent": r.parent, "seq": seq, "text": r.text,
                  "addressee": r.addressee, "deadline": r.deadline, "deadline_text": r.deadline_text, "theme": r.theme,
                  "response": r.response, "chunk_id": chunk, "page": page}
        out.append(tracker.Extracted(tracker.rec_key(r.report, r.type, r.parent, r.ref, r.ordinal), fields, r.status, r.status_quote,
                                     quote_chunk, quote_page))
    return out


def chunk_id(doc_hash: str, start: int, end: int) -> str:
    """A chunk's stable id: the document's content hash and the chunk's source offsets."""
    return hashlib.sha256(f"{doc_hash}:{start}:{end}".encode()).hexdigest()[:32]


def doc_key(doc_hash: str) -> int:
    """The integer that tags a document's vectors in Chroma (known before SQLite commits)."""
    return int(doc_hash[:12], 16)


def vector_meta(doc_hash: str, name: str, kind: str) -> dict[str, Any]:
    """The metadata stored with each of a document's vectors."""
    return {"doc_key": doc_key(doc_hash), "doc": name, "kind": kind}


@contextmanager
def vector_lock(home: Path, exclusive: bool) -> Iterator[None]:
    """Hold the data home's vector lock: shared while a file's vectors are written or removed
    (journal to clean-up), exclusive while the journal is recovered.

    So a recovery never mistakes the journal entries of an ingest still running, in another
    process or thread, for those of one that was killed. The kernel releases the lock of a
    killed process. Without fcntl (Windows) there is no lock: run one ingest at a time.
    """
    try:
        import fcntl
    except ImportError:
        yield
        return
    with (home / "ingest.lock").open("a") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def expand(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileReport]]:
    """Files to ingest from files and folders (folders recursively, supported types only).

    A folder's README.md describes the folder and is skipped; a file named explicitly is
    always taken. Paths that do not exist come back as failed reports.
    """
    files: list[Path] = []
    missing: list[FileReport] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in FORMATS and not any(part.startswith(".") for part in f.relative_to(p).parts) and f.name.lower() != "readme.md":
                    files.append(f)
        elif p.is_file():
            files.append(p)
        else:
            missing.append(FileReport(path=str(p), name=p.name, status="failed", error=f"{p}: no such file or folder"))
    seen: set[Path] = set()
    unique = [f for f in files if not (f.resolve() in seen or seen.add(f.resolve()))]  # type: ignore[func-returns-value]
    return unique, missing


class Pipeline:
    """Runs ingest/ over files and writes the results to the store and the vector index."""

    def __init__(self, config: Config, store: Store, vectors: VectorIndex, embedder: Embedder) -> None:
        self.config = config
        self.store = store
        self.vectors = vectors
        self.embedder = embedder
        self.marking: str | None = None  # the marking given at upload for this run, if any

    def check_model(self) -> None:
        """Refuse to mix vectors from two models."""
        built_with = self.store.get_setting(MODEL_KEY)
        if built_with and built_with != self.embedder.name:
            raise ModelMismatchError(
                f"this index was built with the embedding model '{built_with}' but '{self.embedder.name}' is configured; "
                f"set KB_MODEL_PATH back to that model, or start a new data home (KB_HOME) and ingest again"
            )

    def recover(self) -> int:
        """Mend what an ingest or delete that was killed left in the vector index; returns how many vectors changed.

        Journalled vectors SQLite does not hold are deleted (the kill came before the commit, or
        before a replaced version's vectors were removed). Journalled passages SQLite holds but
        Chroma lacks (a re-read killed between removing its vectors and adding them again) are
        embedded again.
        """
        with vector_lock(self.store.path.parent, exclusive=True):
            pending = self.store.journal()
            if not pending:
                return 0
            live = self.store.chunk_ids()
            orphans = [i for i in pending if i not in live]
            self.vectors.delete(orphans)
            stored = [i for i in pending if i in live]
            have = self.vectors.ids() if stored else set()
            lost = [i for i in stored if i not in have]
            self._reembed(lost)
            self.store.journal_clear()
        if orphans or lost:
            log.warning("an earlier ingest was interrupted: removed %d stray vectors, embedded %d passages again", len(orphans), len(lost))
        return len(orphans) + len(lost)

    def _reembed(self, ids: list[str]) -> None:
        """Embed stored passages again and write their vectors, as ``_store`` does."""
        rows: list[Any] = []
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            rows += self.store.db.execute(
                f"""SELECT c.id, c.text, c.section, c.ref, c.context, d.title, d.name, d.kind, d.content_hash
                    FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE c.id IN ({','.join('?' * len(part))})""", part).fetchall()
        if not rows:
            return
        texts = [self.embedded_text(r["title"], r["section"], r["ref"], r["context"], r["text"]) for r in rows]
        vectors = self.embedder.embed(texts, batch_size=self.config.embed_batch)
        self.vectors.upsert([r["id"] for r in rows], vectors, [r["text"] for r in rows],
                            [vector_meta(r["content_hash"], r["name"], r["kind"]) for r in rows])

    def ingest(self, paths: Iterable[str | Path], progress: Progress | None = None, force: bool = False,
               marking: str | None = None) -> list[FileReport]:
        """Ingest files and folders; one report per file, failures included (never raised).

        Files are parsed one by one, and their chunks embedded together in model calls of
        several files at once (small files would otherwise waste the model's batches); each
        file is then stored in its own transaction. ``marking`` (set at upload) raises, never
        lowers, the protective marking printed on a document.
        """
        if marking is not None and marking not in MARKINGS:
            raise DocumentError(f"unknown protective marking '{marking}': use one of {', '.join(MARKINGS)}")
        self.marking = marking
        self.check_model()
        self.recover()
        files, reports = expand(paths)
        pending: list[_Pending] = []
        for i, f in enumerate(files):
            if progress:
                progress(i, len(files), f.name)
            item = self.prepare(f, force=force)
            twin = next((p for p in pending if isinstance(item, _Pending) and p.understood.content_hash == item.understood.content_hash), None)
            if twin is not None and isinstance(item, _Pending):  # the same content twice in this batch, not yet stored
                item = duplicate_of(item.report, twin.report.name, self.store.document_by_path(item.path))
            reports.append(item.report if isinstance(item, _Pending) else item)
            if isinstance(item, _Pending):
                pending.append(item)
                if sum(len(p.texts) for p in pending) >= self.config.embed_group:
                    self._flush(pending)
                    pending = []
        self._flush(pending)
        if progress:
            progress(len(files), len(files), "")
        return reports

    def ingest_file(self, path: Path) -> FileReport:
        """Ingest one file, returning its report; expected failures become a failed report."""
        item = self.prepare(path)
        if isinstance(item, _Pending):
            self._flush([item])
            return item.report
        return item

    def prepare(self, path: Path, force: bool = False) -> _Pending | FileReport:
        """Read and understand one file; a report when there is nothing to embed (unchanged, failed, ...)."""
        t0 = time.perf_counter()
        resolved = str(path.resolve())
        report = FileReport(path=resolved, name=path.name, status="failed")
        try:
            size = path.stat().st_size
            if size > self.config.max_file_mb * 1024 * 1024:
                raise DocumentError(f"{path.name}: the file is {size / 1048576:.1f} MB, over the {self.config.max_file_mb} MB limit, so it was not read; "
                                    f"split it into smaller files or raise the limit (KB_MAX_FILE_MB)")
            digest = content_hash(path)
            existing = self.store.document_by_path(resolved)
            if existing is not None and existing["content_hash"] == digest and not force:
                report.status, report.title, report.kind = "unchanged", existing["title"], existing["kind"]
                report.pages, report.chunks = existing["pages"], existing["chunks"]
                report.marking = higher_marking(existing["marking"], self.marking)
                if report.marking != existing["marking"]:
                    self.store.set_marking(existing["id"], report.marking)
                    report.warnings.append(f"protective marking raised to {report.marking}")
                return report
            same = [d for d in self.store.documents_by_hash(digest) if d["path"] != resolved]
            if same and existing is None:
                gone = [d for d in same if not Path(d["path"]).exists()]
                if gone:  # the file was moved or renamed: keep its chunks and vectors
                    self.store.move_document(gone[0]["id"], resolved, path.name)
                    report.status, report.title, report.kind, report.chunks = "moved", gone[0]["title"], gone[0]["kind"], gone[0]["chunks"]
                    return report
                report.status = "duplicate"
                report.warnings.append(f"same content as {same[0]['name']}, already ingested: skipped")
                return report
            if same:  # a stored file now holds what another stored file holds (the same passages twice would clash)
                return duplicate_of(report, same[0]["name"], existing)
            u = understand(path, count=self.embedder.count_tokens, max_tokens=self.config.chunk_tokens)
            report.status = "updated" if existing is not None else "added"
            texts = [self.embedded_text(u.meta.title, c.section, c.ref, c.context, c.text) for c in u.chunks]
            return _Pending(u, resolved, size, report, texts, time.perf_counter() - t0)
        except (LoadError, DocumentError) as exc:
            report.error = str(exc)
        except OSError as exc:
            report.error = f"{path.name}: could not be read ({exc.strerror or exc}); check that the file exists and that you may open it"
        except Exception as exc:  # a bug in a later stage must fail this file, not the whole batch
            log.exception("ingest failed: %s", path)
            report.error = f"{path.name}: could not be ingested because of an unexpected error ({exc.__class__.__name__}: {exc}); please report it"
        report.seconds = round(time.perf_counter() - t0, 3)
        return report

    def _flush(self, pending: list[_Pending]) -> None:
        """Embed the chunks of several prepared files in one go, write their vectors in one go (a
        Chroma write per file cost 3x as much here), then store each file in its own transaction.

        Write order as for one file: every id that may change is journalled, vectors are written,
        each file's SQLite transaction commits, then stale vectors are deleted and the journal cleared.
        """
        if not pending:
            return
        t0 = time.perf_counter()
        vectors = self.embedder.embed([t for p in pending for t in p.texts], batch_size=self.config.embed_batch)
        total = max(1, len(vectors))
        embed_s = time.perf_counter() - t0
        with vector_lock(self.store.path.parent, exclusive=False):
            t1 = time.perf_counter()
            plans: list[tuple[_Pending, list[str], list[str], list[list[float]]]] = []
            pos = 0
            for p in pending:
                ids = [chunk_id(p.understood.content_hash, c.start, c.end) for c in p.understood.chunks]
                existing = self.store.document_by_path(p.path)
                old_ids = self.store.chunk_ids_of(existing["id"]) if existing is not None else []
                plans.append((p, ids, old_ids, vectors[pos:pos + len(p.texts)]))
                pos += len(p.texts)
            try:
                self.store.journal_add([i for _, ids, old, _ in plans for i in ids + old])
                self.vectors.upsert([i for _, ids, _, _ in plans for i in ids], vectors,
                                    [c.text for p, _, _, _ in plans for c in p.understood.chunks],
                                    [vector_meta(p.understood.content_hash, p.understood.source.name, p.understood.meta.kind)
                                     for p, _, _, _ in plans for _ in p.understood.chunks])
            except (OSError, StoreError) as exc:  # disk full, a busy database, a vector store gone: none of these files is stored
                for p in pending:
                    p.report.status, p.report.error = "failed", f"{p.report.name}: could not be stored ({exc})"
                return
            shared_s = time.perf_counter() - t1
            for p, ids, old_ids, mine in plans:
                t2 = time.perf_counter()
                try:
                    self._store(p, ids, old_ids, mine)
                except (OSError, StoreError) as exc:  # this file fails (its vectors are journalled: the next run removes them), the others go on
                    p.report.status, p.report.error = "failed", f"{p.report.name}: could not be stored ({exc})"
                p.report.seconds = round(p.seconds + (embed_s + shared_s) * len(p.texts) / total + time.perf_counter() - t2, 3)

    def _store(self, p: _Pending, ids: list[str], old_ids: list[str], vectors: list[list[float]]) -> None:
        """Commit one file whose vectors are written, then remove its stale vectors."""
        u, path, size, report = p.understood, p.path, p.size, p.report
        meta = u.meta
        warnings = u.source.warnings + u.warnings
        record = {
            "path": path, "name": u.source.name, "content_hash": u.content_hash, "format": u.source.format,
            "kind": meta.kind, "title": meta.title, "date": meta.date, "date_text": meta.date_text, "force": meta.force,
            "foi_reference": meta.foi_reference, "report": meta.report, "pages": len(u.source.pages),
            "chunks": len(u.chunks), "bytes": size, "warnings": to_json_list(warnings),
            "meta": json.dumps(asdict(meta), ensure_ascii=False), "ingested_at": now(), "glossary": u.glossary,
            "marking": higher_marking(meta.marking, self.marking),
        }
        chunks = [{"id": i, **{k: getattr(c, k) for k in ("ordinal", "text", "start", "end", "page", "page_end", "section", "ref", "tokens", "context")}}
                  for i, c in zip(ids, u.chunks, strict=False)]
        pages = [asdict(p) for p in u.source.pages]
        extracted = register_entries(u, ids)

        def also(tx: Any) -> None:
            tracker.sync(tx, u.source.name, meta.date, extracted)
            if u.foi is not None:
                located = [_locate(u, ids, q.answer_start or q.start) for q in u.foi.questions]
                foi.save(tx, u.source.name, u.foi, located)

        self.store.save_document(record, pages, chunks, u.source.text, also=also)
        if self.store.get_setting(MODEL_KEY) is None:
            self.store.set_setting(MODEL_KEY, self.embedder.name)
            self.store.set_setting("embed_dimension", str(len(vectors[0]) if vectors else 0))
        stale = sorted(set(old_ids) - set(ids))
        self.vectors.delete(stale)
        self.store.journal_clear(ids + old_ids)
        report.title, report.kind, report.pages, report.chunks, report.embedded = meta.title, meta.kind, len(u.source.pages), len(u.chunks), len(vectors)
        report.recommendations = len(extracted)
        report.warnings.extend(warnings)
        report.marking = str(record["marking"])

    def embedded_text(self, title: str, section: str, ref: str | None, context: str, text: str) -> str:
        """What is embedded for a chunk: its context prefix, then its text."""
        ctx = self.context(title, section, ref, context)
        return f"{ctx}\n{text}" if ctx else text

    def context(self, title: str, section: str, ref: str | None, context: str = "") -> str:
        """The short prefix embedded with a chunk, most specific first, within a small budget.

        A response piece leads with the recommendation it answers, an FOI answer with its
        question; every chunk then names its section and document title.
        """
        parts = []
        if context:
            parts.append(f"Recommendation {ref}: {context}" if ref else context)
        elif ref:
            parts.append(f"Recommendation {ref}")
        if section and section.lower() not in title.lower():
            parts.append(section)
        parts.append(title)
        return self.embedder.truncate(" | ".join(p for p in parts if p), CONTEXT_TOKENS)

    def delete(self, name: str) -> list[str]:
        """Remove every document called ``name`` (file name or path); returns the paths removed.

        Same write order as an ingest: journal, SQLite commit, vectors, journal cleared; what a
        killed delete (or ingest) left behind is mended first.
        """
        self.recover()
        docs = self.store.documents_named(name)
        if not docs:
            raise NotFoundError(f"no document called '{name}' (see: kb docs)")
        removed = []
        for d in docs:
            with vector_lock(self.store.path.parent, exclusive=False):
                ids = self.store.chunk_ids_of(d["id"])
                self.store.journal_add(ids)
                name = d["name"]
                self.store.delete_document(d["id"], also=lambda tx: tracker.forget_document(tx, name))  # noqa: B023 (called at once)
                self.vectors.delete(ids)
                self.store.journal_clear(ids)
            removed.append(d["path"])
        return removed

    def prune(self, folders: Iterable[str | Path]) -> list[str]:
        """Remove documents whose file under one of these folders no longer exists."""
        roots = [str(Path(f).resolve()) for f in folders if Path(f).is_dir()]
        gone = [d for d in self.store.documents() if any(d["path"].startswith(r + "/") for r in roots) and not Path(d["path"]).exists()]
        removed: list[str] = []
        for d in gone:
            removed.extend(self.delete(d["path"]))
        return removed
