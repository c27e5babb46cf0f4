"""Lexical search over the FTS5 index of passages (a mixin of ``Store``): bm25 top k under any filter."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from kb.store.filters import Filters, Passing

log = logging.getLogger(__name__)


class LexicalSearch:
    """Searches the store's full-text index; the store gives the connection and the passing rows of a filter."""

    if TYPE_CHECKING:
        @property
        def db(self) -> sqlite3.Connection: ...

        def passing(self, filters: Filters) -> Passing: ...

    def lexical(self, match: str, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """Top-k chunk ids for an FTS5 MATCH expression, best first, with bm25 scores (higher is better).

        bm25 is the cost on a large archive, so each filter is searched the way that scores the
        fewest rows: unfiltered, the full-text index ranks alone and only the top k are joined; a
        filter whose passages lie in a few runs of rowids (a document or a few) is searched run by
        run inside the index; a narrow filter joins first, so only passing rows are scored; a broad
        one (a reader's markings) ranks enough rows for its share and joins the whole match only
        when too few of those pass."""
        if not match:
            return []
        f = filters or Filters()
        ranked = """SELECT rowid, -bm25(chunks_fts, 1.0, 0.6, 0.3) AS score FROM chunks_fts WHERE chunks_fts MATCH ?
                     ORDER BY score DESC LIMIT ?"""
        try:
            if not f.active():
                return self._scored(f"SELECT c.id, f.score FROM ({ranked}) f JOIN chunks c ON c.rowid = f.rowid ORDER BY f.score DESC, c.id", [match, k])
            p = self.passing(f)
            if p.count == 0:
                return []
            if p.ranges:
                within = """SELECT c.id, f.score FROM (SELECT rowid, -bm25(chunks_fts, 1.0, 0.6, 0.3) AS score FROM chunks_fts
                            WHERE chunks_fts MATCH ? AND rowid BETWEEN ? AND ? ORDER BY score DESC LIMIT ?) f JOIN chunks c ON c.rowid = f.rowid"""
                rows = [r for lo, hi in p.ranges for r in self._scored(within, [match, lo, hi, k])]
                return sorted(rows, key=lambda r: (-r[1], r[0]))[:k]
            where, params = f.where()
            full = f"""SELECT c.id, -bm25(chunks_fts, 1.0, 0.6, 0.3) AS score
                       FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid JOIN documents d ON d.id = c.doc_id
                       WHERE chunks_fts MATCH ? AND {where} ORDER BY score DESC, c.id LIMIT ?"""
            if p.share < 0.5:
                return self._scored(full, [match, *params, k])
            fetch = min(int(k * 3 / p.share) + 1, 5000)
            rows = self._scored(f"""SELECT c.id, f.score FROM ({ranked}) f JOIN chunks c ON c.rowid = f.rowid JOIN documents d ON d.id = c.doc_id
                                    WHERE {where} ORDER BY f.score DESC, c.id LIMIT ?""", [match, fetch, *params, k])
            if len(rows) < k and int(self.db.execute(f"SELECT COUNT(*) FROM ({ranked})", [match, fetch]).fetchone()[0]) >= fetch:
                rows = self._scored(full, [match, *params, k])  # the ranked rows ran out before enough passed
            return rows
        except sqlite3.OperationalError as exc:  # defensive: the query builder escapes input
            log.warning("lexical query failed for %r: %s", match, exc)
            return []

    def _scored(self, sql: str, params: list[Any]) -> list[tuple[str, float]]:
        return [(r[0], float(r[1])) for r in self.db.execute(sql, params)]

    def term_count(self, term: str, filters: Filters | None = None) -> int:
        """How many passages (that pass the filters) use a word, stemmed as the index stems it."""
        words = re.findall(r"\w+", term.lower())
        if not words:
            return 0
        match = '"' + " ".join(words) + '"'
        f = filters or Filters()
        if not f.restricted():
            return int(self.db.execute("SELECT COUNT(*) FROM chunks_fts WHERE chunks_fts MATCH ?", (match,)).fetchone()[0])
        where, params = Filters(markings=f.markings).where()
        return int(self.db.execute(f"""SELECT COUNT(*) FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid
                                       JOIN documents d ON d.id = c.doc_id WHERE chunks_fts MATCH ? AND {where}""", [match, *params]).fetchone()[0])


    def missing_from(self, doc_id: int, words: Iterable[str]) -> list[str]:
        """The words (stemmed as the index stems them) that no passage of one document uses."""
        out = []
        for word in dict.fromkeys(words):
            parts = re.findall(r"\w+", word.lower())
            if parts and self.db.execute("""SELECT 1 FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid
                                            WHERE chunks_fts MATCH ? AND c.doc_id = ? LIMIT 1""",
                                         ('"' + " ".join(parts) + '"', doc_id)).fetchone() is None:
                out.append(word)
        return out
