"""What a reader may see and what a search is limited to: protective markings and clearances,
search filters as SQL over documents, and the passages a filter lets through."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Protective markings, lowest first: a user cleared to one sees it and every marking below it.
MARKINGS = ("OFFICIAL", "OFFICIAL-SENSITIVE")


def markings_up_to(clearance: str | None) -> tuple[str, ...]:
    """The markings a clearance may see (None: every marking, as for the console)."""
    if clearance is None:
        return MARKINGS
    if clearance not in MARKINGS:
        return MARKINGS[:1]
    return MARKINGS[: MARKINGS.index(clearance) + 1]


@dataclass
class Filters:
    """Search filters: document kinds, one or more document names, a date range (ISO), and the
    protective markings the reader may see (empty: all; access control rides on every query)."""

    kinds: tuple[str, ...] = ()
    docs: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    markings: tuple[str, ...] = ()

    def active(self) -> bool:
        """True when any filter is set."""
        return bool(self.kinds or self.docs or self.date_from or self.date_to or self.restricted())

    def restricted(self) -> bool:
        """True when the reader may not see every marking."""
        return bool(self.markings) and set(MARKINGS) - set(self.markings) != set()

    def where(self) -> tuple[str, list[Any]]:
        """A SQL condition on the documents table (alias d) and its parameters."""
        parts: list[str] = ["1=1"]
        params: list[Any] = []
        if self.kinds:
            parts.append(f"d.kind IN ({','.join('?' * len(self.kinds))})")
            params.extend(self.kinds)
        if self.docs:
            parts.append(f"d.name IN ({','.join('?' * len(self.docs))})")
            params.extend(self.docs)
        if self.date_from:
            parts.append("d.date >= ?")
            params.append(self.date_from)
        if self.date_to:
            parts.append("d.date <= ?")
            params.append(self.date_to)
        if self.restricted():
            parts.append(f"d.marking IN ({','.join('?' * len(self.markings))})")
            params.extend(self.markings)
        return " AND ".join(parts), params


MAX_PASSING_IDS = 20000  # a filter passing more passages than this is checked per result instead of listed
MAX_RANGES = 8  # passing passages in at most this many runs of rowids are searched run by run


@dataclass(frozen=True)
class Passing:
    """The passages a filter lets through: their share of all passages and, when there are few
    enough, their chunk ids and (when they lie in a few runs, as one document's do) their rowid runs."""

    share: float
    count: int
    ids: frozenset[str] | None = None
    ranges: tuple[tuple[int, int], ...] = ()


def runs(rowids: list[int]) -> list[tuple[int, int]]:
    """Sorted integers as (first, last) runs of consecutive values."""
    out: list[tuple[int, int]] = []
    for r in rowids:
        if out and r == out[-1][1] + 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out
