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

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ingest import LoadError, Understood, content_hash, understand
from kb.config import CONTEXT_TOKENS, Config
from kb.documents.rows import chunk_id, higher_marking, locator, register_entries, vector_meta
from kb.documents.sources import FileReport, duplicate_of, expand
from kb.errors import DocumentError, ModelMismatchError, NotFoundError, StoreError
from kb.search.embed import Embedder, release_memory
from kb.search.vectors import VectorIndex
from kb.store import chunk_rows, foi_rows, register_rows
from kb.store.db import Store, now, to_json_list
from kb.store.filters import MARKINGS
from kb.store.locks import vector_lock

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]  # files done, files, the file being read ("" when done)
EmbedProgress = Callable[[int, int, str, float], None]  # passages embedded, passages in this group, a file among them, seconds left
MODEL_KEY = "embed_model"


@dataclass
class _Pending:
    """A file understood and waiting for its chunks to be embedded."""

    understood: Understood
    path: str
    size: int
    report: FileReport
    texts: list[str]  # what is embedded: context prefix + chunk text
    seconds: float


class Pipeline:
    """Runs ingest/ over files and writes the results to the store and the vector index."""

    def __init__(self, config: Config, store: Store, vectors: VectorIndex, embedder: Embedder) -> None:
        self.config = config
        self.store = store
        self.vectors = vectors
        self.embedder = embedder
        self.marking: str | None = None  # the marking given at upload for this run, if any
        self.on_embed: EmbedProgress | None = None  # told after each group of passages is embedded and written

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
        # another ingest is writing (a large file takes minutes): its journal is live, and this
        # recovery waits for the next run rather than for it
        with vector_lock(self.store.path.parent, exclusive=True, wait=False) as held:
            if not held:
                log.info("another ingest is running: checking for an interrupted one is left for the next run")
                return 0
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
        rows = chunk_rows.for_embedding(self.store.db, ids)
        if not rows:
            return
        texts = [self.embedded_text(r["title"], r["section"], r["ref"], r["context"], r["text"]) for r in rows]
        vectors = self.embedder.embed(texts, batch_size=self.config.embed_batch)
        self.vectors.upsert([r["id"] for r in rows], vectors, [r["text"] for r in rows],
                            [vector_meta(r["content_hash"], r["name"], r["kind"]) for r in rows])

    def ingest(self, paths: Iterable[str | Path], progress: Progress | None = None, force: bool = False,
               marking: str | None = None, on_embed: EmbedProgress | None = None) -> list[FileReport]:
        """Ingest files and folders; one report per file, failures included (never raised).

        Files are parsed one by one, and their chunks embedded together in model calls of
        several files at once (small files would otherwise waste the model's batches); each
        file is then stored in its own transaction. ``marking`` (set at upload) raises, never
        lowers, the protective marking printed on a document. ``on_embed`` hears how many passages
        are embedded, of how many, and the time left (a large file takes minutes).
        """
        if marking is not None and marking not in MARKINGS:
            raise DocumentError(f"unknown protective marking '{marking}': use one of {', '.join(MARKINGS)}")
        self.marking, self.on_embed = marking, on_embed
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
            # a document stored before passages existed (schema 10) is read again once, so that search scores and shows them
            if existing is not None and existing["content_hash"] == digest and not force and self.store.has_passages(existing["id"]):
                report.status, report.title, report.kind = "unchanged", existing["title"], existing["kind"]
                report.pages, report.chunks = existing["pages"], existing["chunks"]
                report.marking = higher_marking(existing["marking"], self.marking)
                if report.marking != existing["marking"]:
                    self.store.set_marking(existing["id"], report.marking)
                    report.warnings.append(f"protective marking raised to {report.marking}")
                return report
            if existing is not None and existing["content_hash"] == digest and not force:
                report.warnings.append("read again: it was stored by an earlier version, before search scored whole passages")
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
            corrected = self.store.correction(resolved)  # a person's kind and title outlive every re-read
            u = understand(path, count=self.embedder.count_tokens, max_tokens=self.config.chunk_tokens, max_text_mb=self.config.max_text_mb,
                           kind=corrected["kind"] if corrected else None)
            if corrected and corrected["title"]:
                u.meta.title = corrected["title"]
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
        """Embed and write the chunks of several prepared files, a group at a time, then store each
        file in its own transaction.

        Small files share model calls and one Chroma write (a write per file cost 3x as much here);
        a large file is embedded and written ``embed_group`` passages at a time, so memory holds one
        group's vectors, never the file's (a 50 MB text is ~150,000 passages). Write order as for
        one file: every id that may change is journalled, vectors are written, each file's SQLite
        transaction commits, then stale vectors are deleted and the journal cleared.
        """
        if not pending:
            return
        t0 = time.perf_counter()
        with vector_lock(self.store.path.parent, exclusive=False):
            plans: list[tuple[_Pending, list[str], list[str]]] = []
            for p in pending:
                ids = [chunk_id(p.understood.content_hash, c.start, c.end) for c in p.understood.chunks]
                existing = self.store.document_by_path(p.path)
                plans.append((p, ids, self.store.chunk_ids_of(existing["id"]) if existing is not None else []))
            try:
                self.store.journal_add([i for _, ids, old in plans for i in ids + old])
                dimension = self._embed_and_write(plans)
            except (OSError, StoreError) as exc:  # disk full, a busy database, a vector store gone: none of these files is stored
                for p in pending:
                    p.report.status, p.report.error = "failed", f"{p.report.name}: could not be stored ({exc})"
                return
            shared_s = time.perf_counter() - t0
            total = max(1, sum(len(p.texts) for p in pending))
            for p, ids, old_ids in plans:
                t2 = time.perf_counter()
                try:
                    self._store(p, ids, old_ids, dimension)
                except (OSError, StoreError) as exc:  # this file fails (its vectors are journalled: the next run removes them), the others go on
                    p.report.status, p.report.error = "failed", f"{p.report.name}: could not be stored ({exc})"
                p.report.seconds = round(p.seconds + shared_s * len(p.texts) / total + time.perf_counter() - t2, 3)

    def _embed_and_write(self, plans: list[tuple[_Pending, list[str], list[str]]]) -> int:
        """Embed the planned files' passages and write their vectors, ``embed_group`` at a time,
        telling ``on_embed`` how far it has got; returns the vectors' dimension (0 if none)."""
        items = [(i, c.text, t, vector_meta(p.understood.content_hash, p.understood.source.name, p.understood.meta.kind), p.report.name)
                 for p, ids, _ in plans for i, c, t in zip(ids, p.understood.chunks, p.texts)]
        group, dimension, started = max(1, self.config.embed_group), 0, time.perf_counter()
        for at in range(0, len(items), group):
            part = items[at:at + group]
            vectors = self.embedder.embed([t for _, _, t, _, _ in part], batch_size=self.config.embed_batch)
            dimension = len(vectors[0]) if vectors else dimension
            self.vectors.upsert([i for i, *_ in part], vectors, [c for _, c, *_ in part], [m for *_, m, _ in part])
            del vectors
            release_memory()  # else the heap grows ~80 KB a passage over a long file
            if self.on_embed is not None:
                done = at + len(part)
                left = (time.perf_counter() - started) / done * (len(items) - done)
                self.on_embed(done, len(items), part[-1][4], left)
        return dimension

    def _store(self, p: _Pending, ids: list[str], old_ids: list[str], dimension: int) -> None:
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
        chunks = [{"id": i, **{k: getattr(c, k) for k in ("ordinal", "text", "start", "end", "page", "page_end", "section", "ref", "tokens", "context",
                                                                "passage", "passage_end")}}
                  for i, c in zip(ids, u.chunks, strict=False)]
        pages = [asdict(p) for p in u.source.pages]
        extracted = register_entries(u, ids)

        def also(tx: Any) -> None:
            register_rows.sync(tx, u.source.name, meta.date, extracted)
            if u.foi is not None:
                locate = locator(u, ids)
                located = [locate(q.answer_start or q.start) for q in u.foi.questions]
                foi_rows.save_record(tx, u.source.name, u.foi, located)

        self.store.save_document(record, pages, chunks, u.source.text, also=also)
        if self.store.get_setting(MODEL_KEY) is None:
            self.store.set_setting(MODEL_KEY, self.embedder.name)
            self.store.set_setting("embed_dimension", str(dimension))
        stale = sorted(set(old_ids) - set(ids))
        self.vectors.delete(stale)
        self.store.journal_clear(ids + old_ids)
        report.title, report.kind, report.pages, report.chunks, report.embedded = meta.title, meta.kind, len(u.source.pages), len(u.chunks), len(ids)
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
                self.store.delete_document(d["id"], also=lambda tx: register_rows.forget_document(tx, name))  # noqa: B023 (called at once)
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
