"""Section 55 response drafts: for each recommendation of a newly published report, what the force
and the PCC have already said (verified quotes with citations), related recommendations, how other
responses answered it, and a draft paragraph that marks plainly where the force's update is needed.

The draft never invents a commitment, a date or a figure: every sentence is either a verified quote
with its citation or a fixed phrase, and a gap says "[Force update required ...]". The clock is
publication + 56 calendar days, with the date the chief constable's comments are needed.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kb.answers.answer import Answerer
from kb.errors import InputError
from kb.files import save_docx
from kb.store.filters import Filters
from kb.register.tracker import rec_label

S55_DAYS = 56
STATEMENT_MIN = 0.5  # a sentence must be at least this close to the recommendation to be offered as what was said
UPDATE = "[Force update required: the steps taken on this recommendation, by whom and by when.]"
_FORCE = re.compile(r"\b(forces?|police forces|chief constables?|chief officers|the force|[a-z-]+ police)\b", re.I)


@dataclass
class Source:
    """A numbered reference in the draft."""

    n: int
    doc: str
    title: str
    page: int | None
    date: str | None
    quote: str
    chunk_id: str


@dataclass
class DraftItem:
    """One recommendation of the report, and its draft paragraph."""

    ref: str
    text: str
    addressee: str | None
    deadline: str | None
    applies_to_force: bool
    reason: str
    related: list[dict[str, Any]] = field(default_factory=list)
    prior_statements: list[dict[str, Any]] = field(default_factory=list)  # {quote, doc, page, date, n}
    other_responses: list[dict[str, Any]] = field(default_factory=list)
    draft: str = ""
    label: str = ""  # "Recommendation 4", "Area for improvement (unnumbered)"


@dataclass
class Draft:
    """The whole draft response."""

    report: str
    doc: str
    published: str
    due: str
    chief_constable_due: str
    days_left: int
    recommendations: list[DraftItem]
    sources: list[Source]

    def to_json(self) -> dict[str, Any]:
        """The CLI's JSON (report, published, due, recommendations[...]) and the numbered sources."""
        return asdict(self)

    def to_markdown(self) -> str:
        """The draft as Markdown, sources numbered at the end."""
        lines = [f"# Draft: PCC response to {self.report}", "",
                 f"Published {self.published}. The PCC's response is due by **{self.due}** ({self.days_left} days left); "
                 f"the chief constable's comments are needed by {self.chief_constable_due}.", ""]
        for item in self.recommendations:
            lines += [f"## {item.label or 'Recommendation ' + item.ref}", "", f"> {item.text}", "", item.draft, ""]
        lines += ["## Sources", ""]
        lines += [f"{s.n}. {s.title} ({s.doc}{', page ' + str(s.page) if s.page else ''}{', ' + s.date if s.date else ''}): \u201c{s.quote}\u201d"
                  for s in self.sources]
        return "\n".join(lines) + "\n"

    def to_docx(self, path: str | Path) -> Path:
        """The draft as an editable Word document, with a numbered sources list."""
        import docx

        target = Path(path)
        d = docx.Document()
        d.add_heading(f"Draft: PCC response to {self.report}", level=1)
        d.add_paragraph(f"Published {self.published}. The PCC's response is due by {self.due} ({self.days_left} days left); "
                        f"the chief constable's comments are needed by {self.chief_constable_due}.")
        for item in self.recommendations:
            d.add_heading(item.label or f"Recommendation {item.ref}", level=2)
            d.add_paragraph(item.text, style="Intense Quote")
            d.add_paragraph(item.draft)
        d.add_heading("Sources", level=2)
        for s in self.sources:
            d.add_paragraph(f"[{s.n}] {s.title} ({s.doc}{', page ' + str(s.page) if s.page else ''}{', ' + s.date if s.date else ''}): "
                            f"\u201c{s.quote}\u201d", style="List Number")
        return save_docx(d, target)


def applies(addressee: str | None) -> tuple[bool, str]:
    """Whether a recommendation is the force's to act on, with the reason. Pure."""
    if not addressee:
        return True, "no addressee stated: taken as the force's"
    if _FORCE.search(addressee):
        return True, f"addressed to {addressee}"
    return False, f"addressed to {addressee} only, not to the force"


def clock(published: date, lead_days: int = 14, today: date | None = None) -> tuple[str, str, int]:
    """(due, chief constable's comments due, days left): publication + 56 calendar days."""
    due = published + timedelta(days=S55_DAYS)
    return due.isoformat(), (due - timedelta(days=lead_days)).isoformat(), (due - (today or date.today())).days


def build(kb: Any, doc: str, published: str | None = None, lead_days: int = 14, today: date | None = None) -> Draft:
    """Draft the response to report ``doc`` (a file name in the index)."""
    row = kb.document_named(doc)
    when = published or row["date"]
    if not when:
        raise InputError(f"the publication date of '{doc}' is not in the document: give it (--published YYYY-MM-DD)")
    try:
        pub = date.fromisoformat(when)
    except ValueError:
        raise InputError("dates are written YYYY-MM-DD (e.g. 2026-11-15)") from None
    due, cc_due, left = clock(pub, lead_days, today)
    answerer = Answerer(kb.searcher, kb.store)
    others = tuple(d.name for d in kb.documents() if d.name != row["name"] and d.kind in ("pcc_response", "force_response"))
    sources: list[Source] = []
    items = []
    # what earlier reports *asked* is not what the force *said*: recommendation texts are never quoted as statements
    asked = [_norm(r.text) for r in kb.recommendations()]
    for rec in [r for r in kb.recommendations(doc=row["name"]) if not r.parent]:
        ok, reason = applies(rec.addressee)
        item = DraftItem(ref=rec.ref, label=rec_label(rec.type, rec.ref, rec.parent, rec.ordinal), text=rec.text, addressee=rec.addressee, deadline=rec.deadline, applies_to_force=ok, reason=reason)
        item.related = [{k: j[k] for k in ("doc", "ref", "report", "status", "similarity")}
                        for j in (r.to_json() for r in kb.related_recommendations(rec.ref, row["name"], rec.ordinal, rec.parent, k=3))]
        statements = kb.tracker.statements(rec.key)
        item.other_responses = [asdict(s) for s in statements if s.doc != row["name"]]
        if others:
            found = _register_evidence(kb, answerer, item.related)  # what was said on alike recommendations, with what they were
            seen = {c.chunk_id for c, _ in found}
            found += [(c, "") for c in _statements(kb, answerer, _question(rec.text), others, asked) if c.chunk_id not in seen]
            for c, about in sorted(found[:3], key=lambda f: f[0].date or "", reverse=True):
                sources.append(Source(len(sources) + 1, c.doc, c.title, c.page, c.date, c.quote, c.chunk_id))
                item.prior_statements.append({"quote": c.quote, "doc": c.doc, "page": c.page, "date": c.date, "n": len(sources),
                                              "chunk_id": c.chunk_id, "about": about})
        item.draft = _paragraph(item)
        items.append(item)
    return Draft(report=row["title"], doc=row["name"], published=pub.isoformat(), due=due, chief_constable_due=cc_due, days_left=left,
                 recommendations=items, sources=sources)


def _norm(text: str) -> str:
    return " ".join(re.sub(r"^[A-Z][.)]\s+", "", text.strip(" -•")).lower().split())


def _statements(kb: Any, answerer: Answerer, question: str, docs: tuple[str, ...], asked: list[str], most: int = 2) -> list[Any]:
    """The best verified sentences that earlier responses *said* about a question (one per passage)."""
    filters = Filters(docs=docs, markings=kb.markings)
    retrieved = kb.searcher.retrieve(question, 8, filters)
    rows = kb.store.chunks_by_ids([cid for cid, _, _ in retrieved], filters)
    candidates = []
    for _, _, scored in retrieved:
        if scored is None or scored.chunk_id not in rows:
            continue
        text = rows[scored.chunk_id]["text"]
        for s, e, sim in scored.sentences:
            sentence = _norm(text[s:e])
            if sim < STATEMENT_MIN or len(sentence) < 25 or sentence.endswith("?") or any(sentence in a or a in sentence for a in asked):
                continue
            candidates.append((sim, scored.chunk_id, s, e))
    candidates.sort(key=lambda c: -c[0])
    chosen, seen = [], set()
    for _sim, cid, s, e in candidates:
        if cid in seen:
            continue
        seen.add(cid)
        citation = answerer.cite(0, rows[cid], cid, s, e)
        if citation.verified:
            chosen.append(citation)
        if len(chosen) >= most:
            break
    return chosen


def _register_evidence(kb: Any, answerer: Answerer, related: list[dict[str, Any]], min_similarity: float = 0.6, most: int = 2) -> list[tuple[Any, str]]:
    """The status evidence of closely related recommendations in other reports, as verified citations."""
    out = []
    for r in related:
        if r["similarity"] < min_similarity:
            continue
        row = kb.tracker.find(r["ref"], r["doc"])
        quote, chunk_id = row["status_evidence"], row["status_chunk"]
        chunk = kb.store.chunks_by_ids([chunk_id], Filters(markings=kb.markings)).get(chunk_id) if quote and chunk_id else None
        if chunk is None or quote not in chunk["text"]:
            continue
        start = chunk["text"].index(quote)
        citation = answerer.cite(0, chunk, chunk_id, start, start + len(quote))
        if citation.verified:
            out.append((citation, f"Recommendation {r['ref']} of {r['report']}"))
        if len(out) >= most:
            break
    return out


def _question(text: str) -> str:
    """A recommendation's own words, without its deadline clause, as the question to search with."""
    return re.sub(r"^\s*by \d{1,2}\s+\w+\s+\d{4},?\s*", "", text, flags=re.I)


def _paragraph(item: DraftItem) -> str:
    """The draft paragraph: fixed phrases, verified quotes with [n], and a marked gap. Pure."""
    if not item.applies_to_force:
        return f"This recommendation is {item.reason}. [Force update required: confirm whether the force has a part to play.]"
    if not item.prior_statements:
        return f"No earlier statement by the force or the PCC on this was found in the indexed documents. {UPDATE}"
    parts = []
    for s in item.prior_statements:
        lead = f"On a similar recommendation ({s['about']}), the response said:" if s.get("about") else "Previously:"
        parts.append(f"{lead} \u201c{s['quote']}\u201d [{s['n']}]")
    return " ".join(parts) + f" {UPDATE}"
