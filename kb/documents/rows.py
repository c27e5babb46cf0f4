"""How an understood document becomes rows: its chunks' stable ids, the tag of its vectors, its
recommendations as register entries located in their chunk and page, and its marking."""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable
from typing import Any

from ingest import Understood
from kb.register import tracker
from kb.store.filters import MARKINGS
from kb.store.register_rows import Extracted


def higher_marking(*markings: str | None) -> str:
    """The most restrictive of some markings (unknown or empty ones count as OFFICIAL)."""
    return max((m for m in markings if m in MARKINGS), key=MARKINGS.index, default=MARKINGS[0])


def locator(u: Understood, ids: list[str]) -> Callable[[int], tuple[str | None, int | None]]:
    """A function from a clean-text offset to the chunk (and page) holding it, or the nearest before
    it: a binary search, so a file of 150,000 passages is not scanned once per recommendation."""
    starts = [c.clean_start for c in u.chunks]

    def locate(offset: int) -> tuple[str | None, int | None]:
        i = bisect.bisect_right(starts, offset) - 1
        return (ids[i], u.chunks[i].page) if i >= 0 else (None, None)

    return locate


def register_entries(u: Understood, ids: list[str]) -> list[Extracted]:
    """The document's recommendations as register entries, each located in its chunk and page."""
    locate = locator(u, ids)
    out = []
    for seq, r in enumerate(u.recommendations):
        chunk, page = locate(r.start)
        quote_chunk, quote_page = locate(r.status_start) if r.status_quote else (None, None)
        fields = {"report": r.report, "type": r.type, "ref": r.ref, "ordinal": r.ordinal, "parent": r.parent, "seq": seq, "text": r.text,
                  "addressee": r.addressee, "deadline": r.deadline, "deadline_text": r.deadline_text, "theme": r.theme,
                  "response": r.response, "chunk_id": chunk, "page": page}
        out.append(Extracted(tracker.rec_key(r.report, r.type, r.parent, r.ref, r.ordinal), fields, r.status, r.status_quote,
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
