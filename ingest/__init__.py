"""Pure document understanding: load → clean → metadata → structure → chunk. No model, no storage.

``understand(path)`` runs every stage on one file; each stage is also a plain function
(``load``, ``clean``, ``extract_meta``, ``find_blocks``, ``chunk``) over the records in
``ingest.records``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ingest.chunk import TokenCounter, chunk, word_count
from ingest.clean import clean
from ingest.foi import parse_foi
from ingest.glossary import find_pairs
from ingest.load import FORMATS, LoadError, load
from ingest.marking import find_marking
from ingest.metadata import extract_meta
from ingest.recommendations import find_recommendations
from ingest.records import KINDS, Chunk, Meta, Recommendation, Source, Understood
from ingest.structure import find_blocks

__all__ = [
    "FORMATS", "KINDS", "Chunk", "LoadError", "Meta", "Recommendation", "Source", "TokenCounter", "Understood",
    "chunk", "clean", "content_hash", "extract_meta", "find_blocks", "find_marking", "find_recommendations", "load", "understand", "word_count",
]


def content_hash(path: str | Path) -> str:
    """SHA-256 of a file's bytes: a document's identity."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def understand(path: str | Path, count: TokenCounter = word_count, max_tokens: int = 200, kind: str | None = None,
               max_text_mb: float | None = None) -> Understood:
    """Run every ingest stage on one file. ``kind`` overrides the detected document kind; a text over
    ``max_text_mb`` megabytes is refused before it is cleaned (its passages would take hours to embed)."""
    source = load(path)
    if max_text_mb is not None and len(source.text) > max_text_mb * 1024 * 1024:
        raise LoadError(f"{source.name}: its text is {len(source.text) / 1048576:.0f} MB, over the {max_text_mb:g} MB limit, so it was not "
                        f"ingested (about {len(source.text) // 700:,} passages, hours to embed); split it into smaller files or raise the "
                        f"limit (KB_MAX_TEXT_MB)")
    cleaned = clean(source)
    meta = extract_meta(cleaned.text, source.name)
    if kind:
        meta.kind = kind
    meta.marking = find_marking(source.text)  # the raw text: the cleaner removes repeated page headers
    blocks = find_blocks(cleaned, source, meta.kind)
    chunks = chunk(cleaned, source, blocks, count=count, max_tokens=max_tokens)
    recommendations = find_recommendations(cleaned.text, blocks, meta) if meta.kind != "foi_disclosure" else []
    warnings = []
    if not chunks:
        warnings.append("no searchable text was found in this document")
    foi = parse_foi(cleaned.text, meta.title) if meta.kind == "foi_disclosure" else None
    if foi is not None and foi.disclosed and foi.disclosed != meta.date:  # a disclosure is dated by its response
        meta.date, meta.date_text = foi.disclosed, None
    return Understood(source=source, clean=cleaned, meta=meta, blocks=blocks, chunks=chunks,
                      content_hash=content_hash(path), warnings=warnings, recommendations=recommendations,
                      glossary=find_pairs(cleaned.text), foi=foi)
