"""Ingest files: run ingest/, embed the chunks, store them. Idempotent by content hash.

Order of writes (crash safety): the vector ids about to change are journalled in SQLite,
vectors are upserted by deterministic id, the SQLite transaction that swaps the document's
rows commits, then stale vectors are deleted and the journal cleared. A kill at any point
leaves SQLite consistent; the next run deletes vectors the journal names that SQLite does
not hold.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ingest import FORMATS, LoadError, Understood, content_hash, understand
from kb.config import CONTEXT_TOKENS, Config
from kb.embed import Embedder
from kb.errors import DocumentError, ModelMismatchError, NotFoundError
from kb.store import Store, now, to_json_list
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

    def to_json(self) -> dict[str, object]:
        """JSON-ready dict."""
        return asdict(self)


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

    def check_model(self) -> None:
        """Refuse to mix vectors from two models."""
        built_with = self.store.get_setting(MODEL_KEY)
        if built_with and built_with != self.embedder.name:
            raise ModelMismatchError(
                f"this index was built with the embedding model '{built_with}' but '{self.embedder.name}' is configured; "
                f"set KB_MODEL_PATH back to that model, or start a new data home (KB_HOME) and ingest again"
            )

    def recover(self) -> int:
        """Delete vectors left behind by an ingest that was killed; returns how many."""
        pending = self.store.journal()
        if not pending:
            return 0
        live = self.store.chunk_ids()
        orphans = [i for i in pending if i not in live]
        self.vectors.delete(orphans)
        self.store.journal_clear()
        if orphans:
            log.info("removed %d vectors left by an interrupted ingest", len(orphans))
        return len(orphans)

    def ingest(self, paths: Iterable[str | Path], progress: Progress | None = None, force: bool = False) -> list[FileReport]:
        """Ingest files and folders; one report per file, failures included (never raised).

        Files are parsed one by one, and their chunks embedded together in model calls of
        several files at once (small files would otherwise waste the model's batches); each
        file is then stored in its own transaction.
        """
        self.check_model()
        self.recover()
        files, reports = expand(paths)
        pending: list[_Pending] = []
        for i, f in enumerate(files):
            if progress:
                progress(i, len(files), f.name)
            item = self.prepare(f, force=force)
            reports.append(item.report if isinstance(item, _Pending) else item)
            if isinstance(item, _Pending):
                pending.append(item)
                if sum(len(p.texts) for p in pending) >= 4 * self.config.embed_batch:
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
                raise DocumentError(f"{path.name}: {size / 1048576:.0f} MB is over the {self.config.max_file_mb} MB limit (KB_MAX_FILE_MB)")
            digest = content_hash(path)
            existing = self.store.document_by_path(resolved)
            if existing is not None and existing["content_hash"] == digest and not force:
                report.status, report.title, report.kind = "unchanged", existing["title"], existing["kind"]
                report.pages, report.chunks = existing["pages"], existing["chunks"]
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
            u = understand(path, count=self.embedder.count_tokens, max_tokens=self.config.chunk_tokens)
            report.status = "updated" if existing is not None else "added"
            texts = []
            for c in u.chunks:
                ctx = self.context(u.meta.title, c.section, c.ref, c.context)
                texts.append(f"{ctx}\n{c.text}" if ctx else c.text)
            return _Pending(u, resolved, size, report, texts, time.perf_counter() - t0)
        except (LoadError, DocumentError) as exc:
            report.error = str(exc)
        except OSError as exc:
            report.error = f"{path.name}: {exc.strerror or exc}"
        report.seconds = round(time.perf_counter() - t0, 3)
        return report

    def _flush(self, pending: list[_Pending]) -> None:
        """Embed the chunks of several prepared files in one go, then store each file."""
        if not pending:
            return
        t0 = time.perf_counter()
        vectors = self.embedder.embed([t for p in pending for t in p.texts], batch_size=self.config.embed_batch)
        total = max(1, len(vectors))
        embed_s = time.perf_counter() - t0
        pos = 0
        for p in pending:
            t1 = time.perf_counter()
            mine = vectors[pos:pos + len(p.texts)]
            pos += len(p.texts)
            try:
                self._store(p.understood, p.path, p.size, p.report, mine)
            except OSError as exc:  # disk full, permissions: this file fails, the others go on
                p.report.status, p.report.error = "failed", f"{p.report.name}: could not be stored ({exc})"
            p.report.seconds = round(p.seconds + embed_s * len(p.texts) / total + time.perf_counter() - t1, 3)

    def _store(self, u: Understood, path: str, size: int, report: FileReport, vectors: list[list[float]]) -> None:
        meta = u.meta
        ids = [chunk_id(u.content_hash, c.start, c.end) for c in u.chunks]
        warnings = u.source.warnings + u.warnings
        existing = self.store.document_by_path(path)
        old_ids = [r for r in self.store.chunk_ids_of(existing["id"])] if existing is not None else []
        self.store.journal_add(ids + old_ids)
        key = doc_key(u.content_hash)
        self.vectors.upsert(ids, vectors, [c.text for c in u.chunks],
                            [{"doc_key": key, "doc": u.source.name, "kind": meta.kind} for _ in u.chunks])
        record = {
            "path": path, "name": u.source.name, "content_hash": u.content_hash, "format": u.source.format,
            "kind": meta.kind, "title": meta.title, "date": meta.date, "date_text": meta.date_text, "force": meta.force,
            "foi_reference": meta.foi_reference, "report": meta.report, "pages": len(u.source.pages),
            "chunks": len(u.chunks), "bytes": size, "warnings": to_json_list(warnings),
            "meta": json.dumps(asdict(meta), ensure_ascii=False), "ingested_at": now(), "glossary": u.glossary,
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
        """Remove every document called ``name`` (file name or path); returns the paths removed."""
        docs = self.store.documents_named(name)
        if not docs:
            raise NotFoundError(f"no document called '{name}' (see: kb docs)")
        removed = []
        for d in docs:
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
