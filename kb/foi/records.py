"""The FOI assistant: disclosure records, precedents for a new request, and the statutory clock.

Records are written at ingest (in the document's transaction) from ``ingest.foi``. Precedents
compare each question of a new request with every earlier disclosed question by meaning (the
embedding model) and words. The clock counts working days in England and Wales, bank holidays
from the maintained ``holidays`` package.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from kb.errors import InputError
from kb.store import foi_rows
from kb.store.db import Store
from kb.store.filters import Filters

WORKING_DAYS = 20
PUBLIC_INTEREST_EXTRA = 20  # guidance: the total should not exceed 40 working days
NEAR_IDENTICAL = 0.9
SAME_QUESTION = 0.75


def split_request(text: str) -> list[str]:
    """A pasted request split into its questions (numbered items, "Q1", or sentences ending "?")."""
    text = text.strip()
    numbered = re.split(r"(?m)^\s*(?:q(?:uestion)?\s*\d{1,2}[.):]?|\d{1,2}[.):])\s+", text, flags=re.I)
    if len(numbered) > 2:
        parts = [" ".join(p.split()) for p in numbered[1:]]
        return [p for p in parts if len(p) > 8]
    asks = re.compile(r"^(please|provide|tell|state|confirm|list|give|supply|can you|could you|i would like|i request|how|what|which|who|when|where|why|do|does|did|is|are|has|have)\b", re.I)
    sentences = [" ".join(m.group(0).split()) for m in re.finditer(r"[^?.!\n]{12,}[?.!]?", text)]
    questions = [s for s in sentences if s.endswith("?") or asks.match(s)]
    return questions or ([" ".join(text.split())] if text else [])


@dataclass
class Precedent:
    """An earlier disclosed question close to a new one."""

    doc: str
    reference: str | None
    disclosed: str | None
    title: str
    n: int
    question: str
    answer: str
    exemptions: list[str]
    page: int | None
    chunk_id: str | None
    similarity: float
    near_identical: bool = False
    published: str = ""  # "already published in DOC on DATE": a section 21 candidate


@dataclass
class QuestionMatches:
    """A new question and its precedents, best first, with any inconsistency among them."""

    question: str
    precedents: list[Precedent] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PrecedentDocument:
    """An earlier disclosure and how close its closest question came to any of the new ones."""

    doc: str
    best_similarity: float


@dataclass
class Precedents:
    """What ``KB.foi_similar`` gives: per new question its precedents, and the earlier disclosures best first."""

    questions: list[QuestionMatches] = field(default_factory=list)
    documents: list[PrecedentDocument] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The ``kb foi similar --json`` object: documents, then questions."""
        return {"documents": [asdict(d) for d in self.documents], "questions": [asdict(q) for q in self.questions]}


@dataclass(frozen=True)
class DisclosedQuestion:
    """One question of an earlier disclosure, with its answer, the exemptions it cites and its page."""

    n: int
    question: str
    answer: str
    exemptions: list[str]
    page: int | None


@dataclass(frozen=True)
class Disclosure:
    """An FOI disclosure as stored: the docs/ARCHITECTURE.md fields of ``kb foi --json``."""

    doc: str
    reference: str | None
    received: str | None
    disclosed: str | None
    topic: str
    exemptions: list[str]
    questions: list[DisclosedQuestion]
    outcome: str | None

    def to_json(self) -> dict[str, Any]:
        """The ``kb foi --json`` object."""
        return asdict(self)


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\b\d[\d,.]*%?", text))


def differences(precedents: list[Precedent]) -> list[str]:
    """Where earlier answers to the same question differ: a figure or an exemption. Pure."""
    same = [p for p in precedents if p.similarity >= SAME_QUESTION]
    notes = []
    for i, a in enumerate(same):
        for b in same[i + 1:]:
            if set(a.exemptions) != set(b.exemptions):
                notes.append(f"exemptions differ: {a.reference or a.doc} used {', '.join(a.exemptions) or 'none'}; "
                             f"{b.reference or b.doc} used {', '.join(b.exemptions) or 'none'}")
            na, nb = _numbers(a.answer), _numbers(b.answer)
            if na and nb and na != nb:
                notes.append(f"figures differ: {a.reference or a.doc} said {', '.join(sorted(na))}; {b.reference or b.doc} said {', '.join(sorted(nb))}")
    return notes


class FOI:
    """Reading FOI records and finding precedents."""

    def __init__(self, store: Store, embed: Callable[[list[str]], list[list[float]]], markings: tuple[str, ...] = ()) -> None:
        self.store = store
        self.embed = embed  # the facade's cached embedding: stored questions are embedded once, not per request
        self.where, self.params = Filters(markings=markings).where()  # the reader sees only the markings they are cleared for

    def records(self) -> list[Disclosure]:
        """Every disclosure this reader may see: reference, dates, topic, exemptions, questions with answers, outcome."""
        out = []
        for r in foi_rows.records(self.store.db, self.where, self.params):
            questions = [DisclosedQuestion(q["n"], q["question"], q["answer"], json.loads(q["exemptions"]), q["page"])
                         for q in foi_rows.questions_of(self.store.db, r["doc_id"])]
            out.append(Disclosure(doc=r["name"], reference=r["reference"], received=r["received"], disclosed=r["disclosed"],
                                  topic=re.sub(r"^FOI [^:]*:\s*", "", r["title"]), exemptions=json.loads(r["exemptions"]),
                                  questions=questions, outcome=r["outcome"]))
        return out

    def similar(self, request: str, k: int = 3) -> Precedents:
        """Precedents for a new request: per question the closest earlier questions; the best documents first."""
        asked = split_request(request)
        if not asked:
            raise InputError("paste the text of the request")
        rows = foi_rows.questions(self.store.db, self.where, self.params)
        if not rows:
            return Precedents([QuestionMatches(q) for q in asked])
        # each earlier question is compared twice: alone (is it the same question?) and with its answer (does it answer ours?)
        vectors = self.embed(asked + [r["question"] for r in rows] + [f"{r['question']} {r['answer'][:300]}" for r in rows])
        new, alone, with_answer = vectors[: len(asked)], vectors[len(asked):len(asked) + len(rows)], vectors[len(asked) + len(rows):]
        matches: list[QuestionMatches] = []
        per_doc: dict[str, float] = {}

        def cos(a: list[float], b: list[float]) -> float:
            return sum(x * y for x, y in zip(a, b))

        for question, qv in zip(asked, new):
            scored = sorted(((max(cos(qv, av), cos(qv, wv)), cos(qv, av), r) for av, wv, r in zip(alone, with_answer, rows)), key=lambda x: -x[0])[:k]
            precedents = []
            for sim, same_question, r in scored:
                p = Precedent(doc=r["name"], reference=r["reference"], disclosed=r["disclosed"] or r["date"], title=r["title"], n=r["n"],
                              question=r["question"], answer=r["answer"], exemptions=json.loads(r["exemptions"]), page=r["page"],
                              chunk_id=r["chunk_id"], similarity=round(sim, 3), near_identical=same_question >= NEAR_IDENTICAL)
                if p.near_identical and p.answer and "s21" not in p.exemptions:
                    p.published = f"already published in {p.doc} ({p.reference or 'no reference'}) on {p.disclosed or 'an unknown date'}: consider section 21"
                precedents.append(p)
                per_doc[p.doc] = max(per_doc.get(p.doc, 0.0), sim)
            matches.append(QuestionMatches(question, precedents, differences(precedents)))
        docs = [PrecedentDocument(d, round(s, 3)) for d, s in sorted(per_doc.items(), key=lambda x: -x[1])]
        return Precedents(matches, docs)


# --- the clock ------------------------------------------------------------------------------------


def bank_holidays(years: range) -> set[date]:
    """England and Wales bank holidays (the maintained ``holidays`` package, Wales subdivision)."""
    import holidays

    return set(holidays.country_holidays("GB", subdiv="WLS", years=list(years)))


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (day 1 is the first working day after it)."""
    off = bank_holidays(range(start.year, start.year + 2 + days // 200))
    d, counted = start, 0
    while counted < days:
        d += timedelta(days=1)
        if d.weekday() < 5 and d not in off:
            counted += 1
    return d


def working_days_between(a: date, b: date) -> int:
    """Working days after ``a`` up to and including ``b`` (negative when b is before a)."""
    if b < a:
        return -working_days_between(b, a)
    off = bank_holidays(range(a.year, b.year + 1))
    return sum(1 for i in range(1, (b - a).days + 1) if (a + timedelta(days=i)).weekday() < 5 and (a + timedelta(days=i)) not in off)


@dataclass
class Clock:
    """Where a request stands against the 20 working days."""

    received: str
    clock_starts: str  # the receipt, or the clarification reply that restarted the clock
    due: str
    public_interest_due: str  # with the public-interest extension (40 working days in all)
    today: str
    working_days_left: int  # negative: working days overdue
    status: str
    skipped_holidays: list[str]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


def due(received: str, clarified: str | None = None, today: date | None = None, extended: bool = False) -> Clock:
    """The statutory deadline of a request received on ``received`` (ISO date)."""
    try:
        got = date.fromisoformat(received)
        start = date.fromisoformat(clarified) if clarified else got
    except ValueError:
        raise InputError("dates are written YYYY-MM-DD (e.g. 2026-12-18)") from None
    if start < got:
        raise InputError("the clarification reply cannot come before the request was received")
    today = today or date.today()
    deadline = add_working_days(start, WORKING_DAYS)
    pi = add_working_days(start, WORKING_DAYS + PUBLIC_INTEREST_EXTRA)
    target = pi if extended else deadline
    left = working_days_between(today, target)
    off = bank_holidays(range(start.year, target.year + 1))
    skipped = sorted(d.isoformat() for d in off if start < d <= target and d.weekday() < 5)
    status = (f"{left} working day{'s' if left != 1 else ''} left" if left > 0 else "due today" if left == 0
              else f"overdue by {-left} working day{'s' if left != -1 else ''}")
    return Clock(received=got.isoformat(), clock_starts=start.isoformat(), due=deadline.isoformat(), public_interest_due=pi.isoformat(),
                 today=today.isoformat(), working_days_left=left, status=status, skipped_holidays=skipped)


__all__ = ["FOI", "Clock", "Precedent", "QuestionMatches", "add_working_days", "due", "split_request"]
