"""The records ingest/ produces: plain dataclasses, no behaviour beyond small helpers.

Offsets are always into ``Source.text`` (the whole extracted text of a file, pages joined
with a form feed) unless a field says it is into the cleaned text.
"""

from __future__ import annotations

from array import array
from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = ("inspection_report", "pcc_response", "force_response", "foi_disclosure", "guidance", "other")

PAGE_BREAK = "\f"


@dataclass
class Page:
    """One page of a source: 1-based number, printed label if any, and its span in the text."""

    number: int
    start: int
    end: int
    label: str | None = None
    has_text: bool = True


@dataclass
class Source:
    """What a loader extracted from one file, before any cleaning."""

    path: str
    name: str
    format: str  # pdf, docx, html, txt, md
    text: str
    pages: list[Page] = field(default_factory=list)  # empty for formats without pages
    warnings: list[str] = field(default_factory=list)

    def page_at(self, offset: int) -> Page | None:
        """The page holding a source offset, or None for page-less formats."""
        for page in self.pages:
            if page.start <= offset < page.end or (offset == page.end == len(self.text)):
                return page
        return None


@dataclass
class Removed:
    """A piece of page furniture the cleaner took out, kept so a user can see why."""

    start: int
    end: int
    reason: str
    text: str


@dataclass
class Clean:
    """Cleaned text plus, for every character, the source offset it came from."""

    text: str
    offsets: array  # array('i'), or 'q' past 2 GB: offsets[i] is the source index of text[i]
    removed: list[Removed] = field(default_factory=list)

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of clean text to the source span that covers it."""
        if end <= start:
            pos = self.offsets[start] if start < len(self.offsets) else (self.offsets[-1] + 1 if self.offsets else 0)
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1


@dataclass
class Meta:
    """What a document is: kind, title, dates, force, references."""

    kind: str = "other"
    title: str = ""
    date: str | None = None  # ISO date; a month-only date is the 1st of that month
    date_text: str | None = None  # the date as printed
    force: str | None = None
    foi_reference: str | None = None
    report: str | None = None  # the report a response answers, from its title
    dates: list[str] = field(default_factory=list)  # every ISO date found
    marking: str = "OFFICIAL"  # the protective marking printed on the document (OFFICIAL if none)
    kind_confidence: float = 1.0  # the chosen kind's share of the cues' weight (see ingest.kind)
    kind_reasons: list[str] = field(default_factory=list)  # the cues found, for a person to see why


@dataclass
class Block:
    """A structural unit of the clean text: a heading, a recommendation block or a paragraph."""

    kind: str  # heading | recommendation | paragraph
    start: int  # clean-text offsets
    end: int
    section: str = ""  # the heading it sits under
    ref: str | None = None  # recommendation ref as printed ("14", "11", "B") when kind == recommendation
    context: str = ""  # what a passage needs to be understood alone (an FOI answer's question)


@dataclass
class Chunk:
    """A passage to index: its text is clean text; offsets point into the source text."""

    ordinal: int
    text: str
    start: int  # source offsets
    end: int
    clean_start: int
    clean_end: int
    page: int | None
    page_end: int | None
    section: str = ""
    ref: str | None = None
    tokens: int = 0
    context: str = ""  # not part of the text: the recommendation a response piece answers, an answer's question
    passage: str = ""  # what search scores and shows: this text and the text after it, up to ingest.chunk.PASSAGE_CHARS
    passage_end: int = 0  # source offset where the passage ends


@dataclass
class Recommendation:
    """A recommendation (or area for improvement, cause of concern, lettered part) and the response to it.

    Offsets are into the clean text; the status is a proposal from the response's wording.
    """

    ref: str  # as printed: "14", "11", "B"
    ordinal: int  # 1 for the first time this ref appears in the document, 2 for the second ...
    type: str  # recommendation | area_for_improvement | cause_of_concern
    text: str
    start: int
    end: int
    parent: str | None = None  # a lettered part's numbered recommendation
    addressee: str | None = None
    deadline: str | None = None  # ISO date
    deadline_text: str | None = None  # as printed ("By 31 October 2026", "within six months")
    theme: str = ""
    report: str | None = None
    response: str = ""
    response_start: int = 0
    response_end: int = 0
    status: str = "unknown"
    status_quote: str = ""
    status_start: int = 0  # clean offsets of the quote
    status_end: int = 0


@dataclass
class Understood:
    """Everything ingest/ understood of one file."""

    source: Source
    clean: Clean
    meta: Meta
    blocks: list[Block]
    chunks: list[Chunk]
    content_hash: str
    warnings: list[str] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    glossary: list[tuple[str, str]] = field(default_factory=list)  # (acronym, expansion) as the document spells them
    foi: Any = None  # an ingest.foi.FoiRecord for FOI disclosures

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary (what ``python -m ingest FILE`` prints)."""
        return {
            "file": self.source.name,
            "format": self.source.format,
            "content_hash": self.content_hash,
            "meta": asdict(self.meta),
            "pages": [asdict(p) for p in self.source.pages],
            "removed": [asdict(r) for r in self.clean.removed],
            "sections": sorted({b.section for b in self.blocks if b.section}),
            "glossary": dict(self.glossary),
            "foi": asdict(self.foi) if self.foi is not None else None,
            "recommendations": [asdict(r) for r in self.recommendations],
            "chunks": [asdict(c) for c in self.chunks],
            "warnings": self.source.warnings + self.warnings,
        }
