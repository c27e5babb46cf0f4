"""The audit log (append-only) and the vector journal that makes an ingest safe against a kill (a mixin of ``Store``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from kb.store.stamps import now


class AuditAndJournal:
    """Who did what, and which vector ids an unfinished ingest may have written."""

    if TYPE_CHECKING:
        @property
        def db(self) -> sqlite3.Connection: ...

        def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

    def audit(self, user: str, action: str, detail: str = "") -> None:
        """Record who did what, now (append-only: the table refuses updates and deletes)."""
        self.db.execute("INSERT INTO audit (at, user, action, detail) VALUES (?, ?, ?, ?)", (now(), user, action, detail[:2000]))

    def audit_rows(self, limit: int = 500, user: str | None = None, action: str | None = None) -> list[dict[str, Any]]:
        """The newest audit entries first, optionally for one user or action."""
        sql, params = "SELECT at, user, action, detail FROM audit WHERE 1=1", list[Any]()
        if user:
            sql, params = sql + " AND user = ?", [*params, user]
        if action:
            sql, params = sql + " AND action = ?", [*params, action]
        return [dict(r) for r in self.db.execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit])]


    def journal_add(self, ids: Iterable[str]) -> None:
        """Record vector ids about to be written, before they reach Chroma."""
        with self.transaction() as tx:
            tx.executemany("INSERT OR IGNORE INTO vector_journal VALUES (?)", [(i,) for i in ids])

    def journal(self) -> list[str]:
        """Vector ids written by an ingest that may not have finished."""
        return [r[0] for r in self.db.execute("SELECT chunk_id FROM vector_journal")]

    def journal_clear(self, ids: Iterable[str] | None = None) -> None:
        """Forget journal entries (all of them when ids is None)."""
        with self.transaction() as tx:
            if ids is None:
                tx.execute("DELETE FROM vector_journal")
            else:
                tx.executemany("DELETE FROM vector_journal WHERE chunk_id = ?", [(i,) for i in ids])
