"""The SQLite store: documents, pages, chunks and their FTS5 index. The source of truth.

Migrations (kb.schema) are numbered and recorded in ``schema_migrations``. Every write of a document
(its row, pages, chunks and FTS rows) happens in one transaction, so a crash leaves either
the old document or the new one, never half of either. Connections are per thread (the app
serves from several) and the database runs in WAL mode so readers never wait for an ingest.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kb.errors import StoreError
from kb.store.filters import MARKINGS, MAX_PASSING_IDS, MAX_RANGES, Filters, Passing, runs
from kb.store.audit_rows import AuditAndJournal
from kb.store.lexical import LexicalSearch
from kb.store.locks import open_lock
from kb.store.schema import MIGRATIONS, statements
from kb.store.stamps import now

log = logging.getLogger(__name__)


class Store(LexicalSearch, AuditAndJournal):
    """The SQLite database of a data home."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the data home {self.path.parent}: {exc.strerror}") from exc
        self._local = threading.local()
        self._passing: dict[tuple[Any, ...], Passing] = {}
        with open_lock(self.path):  # two processes opening a new home at once: one creates the schema, the other waits
            self._migrate()

    # --- connections and transactions -------------------------------------------------
    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
                conn.row_factory = sqlite3.Row
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA foreign_keys=ON")
                conn.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"cannot open the database {self.path}: {exc}") from exc
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any error."""
        db = self.db
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"the database is busy ({exc}): another ingest, restore or backup may be writing; try again in a minute") from exc
        try:
            yield db
            db.execute("COMMIT")
        except sqlite3.OperationalError as exc:  # disk full, I/O error, a lock held too long
            db.execute("ROLLBACK")
            text = str(exc).lower()
            advice = ("check the free disk space" if any(w in text for w in ("full", "disk", "i/o")) else
                      "another program held the database too long; try again in a minute" if "locked" in text or "busy" in text else
                      "please report it")
            raise StoreError(f"could not write to the database {self.path} ({exc}): nothing was changed; {advice}") from exc
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def _migrate(self) -> None:
        try:
            db = self.db
            db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
            done = {r[0] for r in db.execute("SELECT version FROM schema_migrations")}
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a knowledge-base database ({exc})") from exc
        if done and max(done) > len(MIGRATIONS):
            raise StoreError(f"{self.path} was written by a newer version of this program (schema {max(done)}); upgrade kb")
        for version, sql in enumerate(MIGRATIONS, start=1):
            if version in done:
                continue
            try:
                with self.transaction() as tx:  # BEGIN IMMEDIATE: one process migrates, the others wait, then find it done
                    if tx.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (version,)).fetchone():
                        continue
                    for statement in statements(sql):
                        tx.execute(statement)
                    tx.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, now()))
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"could not upgrade {self.path} to schema {version}: {exc}") from exc
            log.info("database migrated to schema %d", version)

    def schema_version(self) -> int:
        """The highest migration applied."""
        return int(self.db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()[0])

    # --- settings -----------------------------------------------------------------------
    def get_setting(self, key: str) -> str | None:
        """A stored setting (e.g. the embedding model that built the index)."""
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_setting(self, key: str, value: str) -> None:
        """Store a setting."""
        self.db.execute("INSERT INTO settings VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    # --- documents ----------------------------------------------------------------------
    def document_by_path(self, path: str) -> sqlite3.Row | None:
        """The document ingested from a path."""
        return self.db.execute("SELECT * FROM documents WHERE path = ?", (path,)).fetchone()

    def documents_by_hash(self, content_hash: str) -> list[sqlite3.Row]:
        """Documents with this exact content."""
        return self.db.execute("SELECT * FROM documents WHERE content_hash = ?", (content_hash,)).fetchall()

    def documents_named(self, name: str) -> list[sqlite3.Row]:
        """Documents whose file name (or path) is ``name``."""
        return self.db.execute("SELECT * FROM documents WHERE name = ? OR path = ? ORDER BY id", (name, name)).fetchall()

    def correction(self, path: str) -> sqlite3.Row | None:
        """A person's correction of the document at ``path`` (its kind, its title), if any."""
        return self.db.execute("SELECT * FROM doc_corrections WHERE path = ?", (path,)).fetchone()

    def set_correction(self, path: str, kind: str | None, title: str | None, by: str) -> None:
        """Record (or extend) a person's correction of a document's kind and title."""
        with self.transaction() as tx:
            tx.execute("""INSERT INTO doc_corrections (path, kind, title, by, at) VALUES (?, ?, ?, ?, ?)
                          ON CONFLICT(path) DO UPDATE SET kind = COALESCE(excluded.kind, kind), title = COALESCE(excluded.title, title),
                          by = excluded.by, at = excluded.at""", (path, kind, title, by, now()))

    def documents(self) -> list[sqlite3.Row]:
        """Every document, newest date first."""
        return self.db.execute("SELECT * FROM documents ORDER BY COALESCE(date, '') DESC, name").fetchall()

    def empty(self) -> bool:
        """True when no document is stored (cheap, unlike counts())."""
        return self.db.execute("SELECT 1 FROM documents LIMIT 1").fetchone() is None

    def documents_version(self) -> int:
        """Changes whenever a document is added, replaced, removed, moved or re-marked, by any process
        (triggers keep it): the key of caches derived from documents."""
        row = self.db.execute("SELECT value FROM settings WHERE key = 'documents_version'").fetchone()
        return int(row[0]) if row else 0

    def counts(self, markings: tuple[str, ...] = ()) -> dict[str, int]:
        """Numbers of documents and chunks (of the documents with these markings; empty: all)."""
        if markings:
            marks = ",".join("?" * len(markings))
            row = self.db.execute(f"SELECT COUNT(*), COALESCE(SUM(chunks), 0) FROM documents WHERE marking IN ({marks})", markings).fetchone()
            return {"documents": row[0], "chunks": row[1]}
        row = self.db.execute("SELECT (SELECT COUNT(*) FROM documents), (SELECT COUNT(*) FROM chunks), (SELECT COUNT(*) FROM chunks_fts)").fetchone()
        return {"documents": row[0], "chunks": row[1], "fts_rows": row[2]}

    def save_document(self, doc: dict[str, Any], pages: Iterable[dict[str, Any]], chunks: list[dict[str, Any]], source: str,
                      also: Callable[[sqlite3.Connection], None] | None = None) -> tuple[int, list[str]]:
        """Insert or replace the document at doc['path'] with its pages and chunks, atomically.

        ``also`` runs inside the same transaction (the register's update), so both commit or neither.
        Returns the new document id and the chunk ids the old version had (for vector cleanup).
        """
        with self.transaction() as tx:
            old = tx.execute("SELECT id FROM documents WHERE path = ?", (doc["path"],)).fetchone()
            old_ids: list[str] = []
            if old:
                old_ids = self._delete(tx, old[0])
            cols = ["path", "name", "content_hash", "format", "kind", "title", "date", "date_text", "force",
                    "foi_reference", "report", "pages", "chunks", "bytes", "warnings", "meta", "ingested_at", "marking"]
            values = [doc.get(c) for c in cols]
            values[-1] = values[-1] or MARKINGS[0]
            cur = tx.execute(f"INSERT INTO documents ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})", values)
            doc_id = int(cur.lastrowid or 0)
            tx.execute("INSERT INTO doc_text VALUES (?, ?)", (doc_id, source))
            tx.executemany("INSERT INTO pages VALUES (?, ?, ?, ?, ?, ?)",
                           [(doc_id, p["number"], p.get("label"), p["start"], p["end"], int(p.get("has_text", True))) for p in pages])
            for c in chunks:
                cur = tx.execute(
                    "INSERT INTO chunks (id, doc_id, ordinal, text, start, end, page, page_end, section, ref, tokens, context, passage, passage_end) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (c["id"], doc_id, c["ordinal"], c["text"], c["start"], c["end"], c["page"], c["page_end"], c["section"], c["ref"], c["tokens"],
                     c.get("context", ""), c.get("passage", ""), c.get("passage_end")),
                )
                # the lexical index scores the passage; the section column also carries the chunk's context,
                # so a response is found by its question
                tx.execute("INSERT INTO chunks_fts (rowid, text, section, title) VALUES (?, ?, ?, ?)",
                           (cur.lastrowid, c.get("passage") or c["text"], f"{c['section']} {c.get('context', '')}".strip(), doc["title"]))
            tx.executemany("INSERT OR IGNORE INTO glossary (doc_id, acronym, expansion) VALUES (?, ?, ?)",
                           [(doc_id, a, e) for a, e in doc.get("glossary", [])])
            if also is not None:
                also(tx)
        return doc_id, old_ids

    def _delete(self, tx: sqlite3.Connection, doc_id: int) -> list[str]:
        ids = [r[0] for r in tx.execute("SELECT id FROM chunks WHERE doc_id = ?", (doc_id,))]
        tx.execute("DELETE FROM chunks_fts WHERE rowid IN (SELECT rowid FROM chunks WHERE doc_id = ?)", (doc_id,))
        tx.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        return ids

    def delete_document(self, doc_id: int, also: Callable[[sqlite3.Connection], None] | None = None) -> list[str]:
        """Remove a document with its pages and chunks; returns the removed chunk ids.

        ``also`` runs in the same transaction (the register forgetting the document)."""
        with self.transaction() as tx:
            ids = self._delete(tx, doc_id)
            if also is not None:
                also(tx)
            return ids

    def glossary(self, markings: tuple[str, ...] = ()) -> list[tuple[str, str, int]]:
        """(acronym, expansion, number of documents) across the documents a reader may see, commonest expansion first."""
        where, params = Filters(markings=markings).where()
        return [(r[0], r[1], r[2]) for r in self.db.execute(
            f"""SELECT g.acronym, g.expansion, COUNT(*) AS n FROM glossary g JOIN documents d ON d.id = g.doc_id WHERE {where}
                GROUP BY g.acronym, lower(g.expansion) ORDER BY g.acronym, n DESC, g.expansion""", params)]

    def source_text(self, doc_id: int) -> str:
        """The full extracted text of a document (chunk offsets point into it)."""
        row = self.db.execute("SELECT source FROM doc_text WHERE doc_id = ?", (doc_id,)).fetchone()
        return row[0] if row else ""

    # --- chunks -------------------------------------------------------------------------
    def has_passages(self, doc_id: int) -> bool:
        """Whether a document's chunks have their passages (not one written before schema 10)."""
        return self.db.execute("SELECT 1 FROM chunks WHERE doc_id = ? AND passage = '' LIMIT 1", (doc_id,)).fetchone() is None


    def chunk_ids(self) -> set[str]:
        """Every chunk id in the database."""
        return {r[0] for r in self.db.execute("SELECT id FROM chunks")}

    def chunks_by_ids(self, ids: list[str], filters: Filters | None = None) -> dict[str, sqlite3.Row]:
        """Chunk rows joined with their document, keyed by chunk id; with filters, only the chunks that pass them.

        ``text`` is the passage that search scores, shows and quotes from (ingest.chunk.passages), ending at
        source offset ``end``: the chunk's own text in a database written before passages. ``chunk_text`` is
        the chunk the model embedded."""
        out: dict[str, sqlite3.Row] = {}
        where, params = (filters or Filters()).where()
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            rows = self.db.execute(
                f"""SELECT c.id, c.doc_id, c.ordinal, COALESCE(NULLIF(c.passage, ''), c.text) AS text, c.text AS chunk_text, c.start,
                           COALESCE(c.passage_end, c.end) AS end, c.page, c.page_end, c.section, c.ref, c.tokens, c.context,
                           d.name AS doc, d.title, d.kind, d.date, d.path, d.marking
                    FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE c.id IN ({','.join('?' * len(part))}) AND {where}""",
                [*part, *params],
            )
            out.update({r["id"]: r for r in rows})
        return out

    def passing(self, filters: Filters) -> Passing:
        """What passes a filter (cached until the documents change): the share of all passages, and
        their ids when at most ``MAX_PASSING_IDS`` pass, read document by document through the index."""
        key = (tuple(filters.kinds), tuple(filters.docs), filters.date_from, filters.date_to, tuple(filters.markings), self.documents_version())
        cached = self._passing.get(key)
        if cached is not None:
            return cached
        where, params = filters.where()
        row = self.db.execute(f"""SELECT COALESCE(SUM(CASE WHEN {where} THEN d.chunks ELSE 0 END), 0), COALESCE(SUM(d.chunks), 0)
                                  FROM documents d""", params).fetchone()
        count, total = int(row[0]), int(row[1])
        found = Passing(share=count / total if total else 0.0, count=count)
        if count <= MAX_PASSING_IDS:
            rows = self.db.execute(f"""SELECT c.rowid, c.id FROM documents d CROSS JOIN chunks c INDEXED BY chunks_doc ON c.doc_id = d.id
                                       WHERE {where} ORDER BY c.rowid""", params).fetchall()
            spans = runs([r[0] for r in rows])
            found = Passing(share=found.share, count=len(rows), ids=frozenset(r[1] for r in rows),
                            ranges=tuple(spans) if len(spans) <= MAX_RANGES else ())
        if len(self._passing) >= 32:
            self._passing.clear()
        self._passing[key] = found
        return found

    def passing_ids(self, ids: list[str], filters: Filters) -> set[str]:
        """Which of some chunk ids pass the filters (ids only: no passage text is read)."""
        where, params = filters.where()
        out: set[str] = set()
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            out.update(r[0] for r in self.db.execute(
                f"""SELECT c.id FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE c.id IN ({','.join('?' * len(part))}) AND {where}""",
                [*part, *params]))
        return out

    def doc_hashes(self, filters: Filters) -> list[str]:
        """Content hashes of the documents that pass the filters."""
        where, params = filters.where()
        return [r[0] for r in self.db.execute(f"SELECT d.content_hash FROM documents d WHERE {where}", params)]

    def chunk_ids_of(self, doc_id: int) -> list[str]:
        """The chunk ids of one document."""
        return [r[0] for r in self.db.execute("SELECT id FROM chunks WHERE doc_id = ? ORDER BY ordinal", (doc_id,))]

    def set_marking(self, doc_id: int, marking: str) -> None:
        """Change a document's protective marking."""
        if marking not in MARKINGS:
            raise StoreError(f"unknown protective marking '{marking}': use one of {', '.join(MARKINGS)}")
        with self.transaction() as tx:
            tx.execute("UPDATE documents SET marking = ? WHERE id = ?", (marking, doc_id))

    def move_document(self, doc_id: int, path: str, name: str) -> None:
        """Record that a document's file now lives at another path (content unchanged)."""
        with self.transaction() as tx:
            tx.execute("UPDATE documents SET path = ?, name = ? WHERE id = ?", (path, name, doc_id))


def to_json_list(values: list[str]) -> str:
    """Serialise a list for a TEXT column."""
    return json.dumps(values, ensure_ascii=False)
