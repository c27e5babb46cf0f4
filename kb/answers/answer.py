"""Cited answers without an LLM: the sentences that best answer a question, quoted verbatim,
each followed by [n], each citation checked against its passage. Or an honest abstention.

Selection and the citation check are pure functions; ``Answerer`` wires them to retrieval.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from collections.abc import Callable, Iterable
from typing import Any

from ingest.metadata import named_forces
from kb.answers.quotes import locate, quotable, verified
from kb.answers.sentences import FEATURES, Candidate, Passage, SentenceModel, candidates, idf, intent, shipped
from kb.search.rerank import Scored
from kb.search.hybrid import Searcher, terms
from kb.search.location import Location
from kb.store.filters import Filters
from kb.store.db import Store

NOT_FOUND = "Not found in the indexed documents."
# chosen together on the development corpus's tuning fold (a grid, for quotes holding the evidence plus unanswerable
# questions abstaining; 0.47 / 0.62 / 2 until 2026-12-04, first calibrated on evals/ask_gold.jsonl): see README
ABSTAIN_BELOW = 0.43  # the best sentence's cosine similarity to the question: below this, always abstain
DOUBTFUL_BELOW = 0.85  # ... below this, abstain when the question has words the quoted document never uses
UNKNOWN_WORDS = 3  # ... this many of them (budget, drones, a force or body it is not about: what the document does not cover)
# (the document's words, not the corpus's: as an archive grows almost every word is used somewhere, and a rule on
# the corpus's words let more unanswerable questions through)
SURE_ABOVE = 0.75  # a question naming a year no document mentions needs a best sentence above this
MAX_SENTENCES = 4  # quoted sentences (each running on to the next of its paragraph), best first by the sentence model (3 until 2026-12-04: see README)
MAX_PER_PASSAGE = 2
TOP_PASSAGES = 4  # the passages whose best sentence decides whether to abstain
QUOTE_PASSAGES = 8  # the passages whose sentences may be quoted (6 until 2026-12-04: see README, "Answers on the development corpus")
# search: the first passages ordered by how well their best sentence answers the query (the sentence model's score) plus the
# search's own rank at this weight; chosen on the development corpus's tuning fold (README, "Search beside plain baselines")
ANSWER_ORDERED = 10
RANK_WEIGHT = 0.5
ASKING_PENALTY = 0.1
_REQUEST = FEATURES.index("request")


@dataclass
class Citation(Location):
    """One quoted sentence and where it is (``start``/``end``: the quote's offsets in the document's extracted text)."""

    n: int
    doc: str
    page: int | None
    chunk_id: str
    quote: str
    verified: bool = False  # the quote appears verbatim in the cited passage
    passage: str = ""  # the whole cited passage (the quote sits inside it)


@dataclass
class Answer:
    """What ``kb ask`` prints."""

    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    closest: list[dict[str, Any]] = field(default_factory=list)  # when abstaining: the nearest documents
    mode: str = "extractive"  # or "generative" (written by the configured LLM, then verified)
    dropped: list[dict[str, str]] = field(default_factory=list)  # sentences the verifier removed, and why
    warning: str = ""

    def to_json(self) -> dict[str, Any]:
        """The docs/ARCHITECTURE.md JSON: question, answer, abstained, citations (n, doc, page, chunk_id, quote, ...)."""
        return {**asdict(self), "citations": [c.to_json() for c in self.citations]}


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


@dataclass(frozen=True)
class Anchors:
    """What a question pins its answer to: the police forces and the years it names. Pure."""

    forces: frozenset[str] = frozenset()
    years: frozenset[str] = frozenset()

    @classmethod
    def of(cls, question: str) -> Anchors:
        # "2022/23" names 2022; "2023-25" names 2023: the first year of a span is how documents index it
        return cls(frozenset(named_forces(question)), frozenset(_YEAR.findall(question)))

    def __bool__(self) -> bool:
        return bool(self.forces or self.years)

    def met_by(self, forces_named: Iterable[str], where: str) -> bool:
        """The document names one of the forces (``forces_named``: a force's own documents do; a national
        report about others, or another force's answer to the same request, does not), and ``where``
        (the passage with the document's title and date) names one of the years: a year anywhere in a
        long document (a date in its letterhead, a plan to 2025) does not make it an answer about that year."""
        if self.forces and not self.forces & set(forces_named):
            return False
        return not self.years or any(y in where for y in self.years)


def anchored(ranked: list[Scored], about: Callable[[Scored], bool]) -> list[Scored]:
    """The passages ``about`` the force or year a question names, in order; none when none of the first
    ``TOP_PASSAGES`` (those that decide whether to abstain) is: then the best matches are other forces' (or
    years') documents, and a passage further down is not the answer. Pure."""
    kept = [r for r in ranked if about(r)]
    return kept if any(r in kept for r in ranked[:TOP_PASSAGES]) else []


@dataclass
class Pick:
    """A candidate sentence."""

    chunk_id: str
    start: int
    end: int
    score: float


def abstain(best: float, unknown: int, unknown_year: bool = False) -> bool:
    """Too weak to quote: a poor best sentence, a middling one for a question about things the
    corpus never mentions, or a question about a year no document mentions."""
    return (best < ABSTAIN_BELOW or (unknown >= UNKNOWN_WORDS and best < DOUBTFUL_BELOW)
            or (unknown_year and best < SURE_ABOVE))


_QUANTITY = re.compile(r"\b(how many|how much|what is the (total|number|amount|cost)|number of|budget|how long)\b", re.I)
_NUMBER = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|hundred|thousand|dozen)\b", re.I)


# a question about a sum of money: "how much ... spend / cost / save", "what do ... cost", a budget; not a
# precept's process ("when is the panel considering the precept?") nor a cost limit's hours
_MONEY_Q = re.compile(r"\bhow much money\b|\bhow much\b.{0,60}\b(spen[dt]|cost|save|budget|fund\w*|pa(?:y|id)|grant)\b|"
                      r"\bwhat (?:do|does|did|is|was|are|were)\b.{0,60}\bcosts?\b|\bbudget\w*\b|\bcost (?:of|per|\d{4})\b|\bfunding of\b", re.I)
_MONEY = re.compile(r"£|\bpounds?\b|\bmillion\b|\bbillion\b|\d+(\.\d+)?\s?[mk]\b", re.I)


def wants_number(question: str) -> str:
    """What kind of quantity a question asks for: "money", "number", or "" (none)."""
    if _MONEY_Q.search(question):
        return "money"
    return "number" if _QUANTITY.search(question) else ""


def choose(ranked: list[Scored], texts: dict[str, str], top_passages: int = TOP_PASSAGES, asking: set[str] | None = None,
           unknown: dict[str, int] | None = None, unknown_year: bool = False, needs_number: str = "", titles: dict[str, str] | None = None,
           weights: dict[str, float] | None = None, asks: str = "fact", model: SentenceModel | None = None, question: str = "") -> list[Pick]:
    """The sentences to quote: the best by the sentence model, then the next best, a few per passage. Pure.

    A question ("...?") never answers one; a line that asks (an FOI request: in ``asking``, or worded as one) counts against
    a sentence, and a request's line is never a second or third quote. ``unknown``: per passage, how many of the question's
    words its document never uses. ``weights``: the question's words and their weights (without them, the model scores on
    similarity, role and place alone). ``asks``: the question's intent (``sentences.intent``). Headings and furniture are never quoted."""
    model = model or shipped()
    number = number_pattern(needs_number)
    cands = candidates(passages_for(ranked, texts, titles, asking), weights or {}, asks, number, quotable, question)
    first = [c for c in cands if c.depth < top_passages]
    if not first:
        return []
    closest = max(first, key=_penalised)  # the floor rules judge the closest sentence of the first passages
    if abstain(_penalised(closest), (unknown or {}).get(closest.chunk_id, 0), unknown_year):
        return []
    for c in cands:
        c.score = model.score(c)
    chosen: list[Pick] = []
    per: dict[str, int] = {}
    quoted: set[str] = set()
    ordered = sorted(cands, key=lambda c: -c.score)
    for c in ordered:
        if len(chosen) >= MAX_SENTENCES or c.score < ordered[0].score - model.keep_within:
            break
        sentence = " ".join(texts[c.chunk_id][c.start:c.end].split())
        # passages overlap: a sentence is quoted once; a request's line beside the answer is not more of it
        if per.get(c.chunk_id, 0) >= MAX_PER_PASSAGE or sentence in quoted or (chosen and c.features[_REQUEST]):
            continue
        per[c.chunk_id] = per.get(c.chunk_id, 0) + 1
        quoted.add(sentence)
        chosen.append(Pick(c.chunk_id, c.start, c.end, c.score))
    chosen = _with_next_sentence(chosen, {r.chunk_id: r for r in ranked[:QUOTE_PASSAGES]}, texts)
    if number and not any(number.search(texts[p.chunk_id][p.start:p.end]) for p in chosen):
        return []  # asked for a quantity (or a sum of money), and nothing chosen states one
    return chosen


def _penalised(c: Candidate) -> float:
    """A candidate's similarity, less the penalty for a passage that asks (an FOI request)."""
    return c.sim - (ASKING_PENALTY if c.features[FEATURES.index("asking")] else 0.0)


def number_pattern(needs_number: str) -> re.Pattern[str] | None:
    """What a quantity the question asks for looks like ("money", "number"), or None."""
    return (_MONEY if needs_number == "money" else _NUMBER) if needs_number else None


def passages_for(ranked: list[Scored], texts: dict[str, str], titles: dict[str, str] | None = None,
                 asking: set[str] | None = None, limit: int = QUOTE_PASSAGES) -> list[Passage]:
    """The passages whose sentences may be quoted, best first."""
    return [Passage(r.chunk_id, texts[r.chunk_id], (titles or {}).get(r.chunk_id, ""), r.chunk_id in (asking or set()), r.sentences)
            for r in ranked[:limit]]


def by_answer(ev: Evidence, limit: int = ANSWER_ORDERED, rank_weight: float = RANK_WEIGHT,
              model: SentenceModel | None = None) -> list[tuple[str, float]]:
    """The passages of ``ev`` in the order a searcher wants them: the first ``limit`` by their best
    sentence's score under the sentence model (the log-odds that it answers the question) plus
    ``rank_weight`` times their rank (1 first, falling to 0), then the rest as ranked. A passage with
    no quotable sentence scores one below the lowest that has one (so, at a rank weight under 1, it
    goes after them all). Pure."""
    model = model or shipped()
    head, tail = ev.ranked[:limit], ev.ranked[limit:]
    best: dict[str, float] = {}
    for c in candidates(passages_for(head, ev.texts, ev.titles(), ev.asking, limit), ev.weights, ev.asks,
                        number_pattern(ev.needs_number), quotable, ev.question):
        best[c.chunk_id] = max(best.get(c.chunk_id, -math.inf), model.score(c))
    floor = min(best.values(), default=0.0) - 1.0
    scored = [(r.chunk_id, best.get(r.chunk_id, floor) + rank_weight * (1 - n / len(head))) for n, r in enumerate(head)]
    ordered = sorted(scored, key=lambda s: -s[1])
    low = ordered[-1][1] if ordered else 0.0
    return ordered + [(r.chunk_id, low - 1.0 - n) for n, r in enumerate(tail)]


def _with_next_sentence(picks: list[Pick], ranked: dict[str, Scored], texts: dict[str, str]) -> list[Pick]:
    """Each quote runs on to the sentence after it in the same paragraph (the one that usually says
    how, when or how many: "The force has a plan." / "It was agreed in May and is on track."); two
    quotes that then overlap become one."""
    out: list[Pick] = []
    for p in picks:
        text = texts[p.chunk_id]
        later = sorted((s, e) for s, e, _ in ranked[p.chunk_id].sentences if s >= p.end)
        end = p.end
        following = text[later[0][0]:later[0][1]].rstrip() if later else ""
        if len(following) >= 20 and "\n\n" not in text[p.end:later[0][0]] and not following.endswith("?"):
            end = later[0][1]
        same = next((o for o in out if o.chunk_id == p.chunk_id and o.start <= end and p.start <= o.end), None)
        if same is not None:
            same.start, same.end = min(same.start, p.start), max(same.end, end)
        else:
            out.append(Pick(p.chunk_id, p.start, end, p.score))
    return out


@dataclass
class Evidence:
    """The inputs of ``choose`` for one question (``Answerer.evidence``): evals train the sentence model on them."""

    retrieved: list[tuple[str, float, Scored | None]]
    rows: dict[str, Any]
    ranked: list[Scored]
    texts: dict[str, str]
    asking: set[str]
    unknown: dict[str, int]
    unknown_year: bool
    needs_number: str
    weights: dict[str, float]
    asks: str
    question: str = ""

    def titles(self) -> dict[str, str]:
        return {cid: row["title"] or "" for cid, row in self.rows.items()}

    def candidates(self) -> list[Candidate]:
        """Every quotable sentence of the passages, with its features."""
        return candidates(passages_for(self.ranked, self.texts, self.titles(), self.asking), self.weights, self.asks,
                          number_pattern(self.needs_number), quotable, self.question)

    def choose(self, model: SentenceModel | None = None) -> list[Pick]:
        return choose(self.ranked, self.texts, asking=self.asking, unknown=self.unknown, unknown_year=self.unknown_year,
                      needs_number=self.needs_number, titles=self.titles(), weights=self.weights, asks=self.asks, model=model,
                      question=self.question)


class Answerer:
    """Extractive, cited answers over a searcher."""

    def __init__(self, searcher: Searcher, store: Store) -> None:
        self.searcher = searcher
        self.store = store

    def ask(self, question: str, filters: Filters | None = None) -> Answer:
        """Answer a question with quoted, cited sentences, or abstain with the closest documents."""
        question = " ".join(question.split())
        retrieved, rows, picks = self._gather(question, filters)
        if not picks:
            return self._abstain(question, retrieved, rows)
        citations: list[Citation] = []
        for n, p in enumerate(picks, start=1):
            citations.append(self.cite(n, rows[p.chunk_id], p.chunk_id, p.start, p.end))
        shown = [c for c in citations if c.verified]  # nothing unverified is ever shown as cited
        text = " ".join(f"\u201c{_one_line(c.quote)}\u201d [{c.n}]" for c in shown)
        return Answer(question, text, False, citations=shown)

    def write(self, question: str, llm: Any, filters: Filters | None = None, passages: int = 5) -> Answer:
        """A written answer from the LLM over the top passages, kept only where the verifier finds support."""
        from kb.answers.llm import prompt
        from kb.answers.verify import check

        question = " ".join(question.split())
        retrieved, rows, picks = self._gather(question, filters)
        if not picks:  # the same evidence bar as quoting: no passage is close enough to answer from
            return self._abstain(question, retrieved, rows)
        top = [cid for cid, _, _ in retrieved if cid in rows][:passages]
        sources = [rows[cid]["text"] for cid in top]
        reply = llm.chat(prompt(question, sources)).message.content or ""
        if NOT_FOUND.rstrip(".").lower() in reply.lower():
            return self._abstain(question, retrieved, rows)
        sentence_vectors = self.searcher.sentence_vectors
        assert sentence_vectors is not None

        def best_sentence(text: str, cited: list[int]) -> tuple[float, str, int, int]:
            vector = self.searcher.embedder.embed_query(text)
            best = (-1.0, "", 0, 0)
            for n in cited:
                cid = top[n - 1]
                for s, e, sim in sentence_vectors.similarities(vector, [(cid, rows[cid]["text"])])[0]:
                    if sim > best[0]:
                        best = (sim, cid, s, e)
            return best

        checked = check(reply, sources, lambda text, texts: best_sentence(text, [sources.index(t) + 1 for t in texts])[0])
        citations: list[Citation] = []
        parts = []
        for sentence, cited in checked.kept:
            marks = []
            for n in cited:
                _, cid, s, e = best_sentence(sentence, [n])
                citation = self.cite(len(citations) + 1, rows[cid], cid, s, e)
                if citation.verified:
                    citations.append(citation)
                    marks.append(f"[{citation.n}]")
            if marks:
                parts.append(f"{sentence} {' '.join(marks)}")
        dropped = [{"sentence": s, "why": why} for s, why in checked.dropped]
        if not parts:
            answer = self._abstain(question, retrieved, rows)
            answer.mode, answer.dropped = "generative", dropped
            return answer
        return Answer(question, " ".join(parts), False, citations=citations, mode="generative", dropped=dropped)

    def _gather(self, question: str, filters: Filters | None) -> tuple[list[tuple[str, float, Scored | None]], dict[str, Any], list[Pick]]:
        ev = self.evidence(question, filters)
        return ev.retrieved, ev.rows, ev.choose()

    def order(self, query: str, k: int, filters: Filters | None = None, glossary: bool = True) -> list[tuple[str, float]]:
        """The hybrid search's first k passages, those that answer the query first (``by_answer``); a query
        naming a force still has the documents that name it first (``Searcher.naming_first``)."""
        ev = self.evidence(query, filters, passages=max(k, ANSWER_ORDERED), anchor=False, glossary=glossary)
        ordered = by_answer(ev)
        forces = set(named_forces(query))
        return (self.searcher.naming_first(ordered, forces) if forces else ordered)[:k]

    def evidence(self, question: str, filters: Filters | None = None, passages: int = QUOTE_PASSAGES, anchor: bool = True,
                 glossary: bool = True) -> Evidence:
        """What an answer is chosen from: the retrieved passages (with ``anchor``, those of another force or
        year than the question names left out) and what is known about the question's words."""
        f = filters or Filters()
        retrieved = self.searcher.retrieve(question, passages, f, glossary=glossary)
        ranked = [r for _, _, r in retrieved if r is not None]
        rows = self.store.chunks_by_ids([cid for cid, _, _ in retrieved], f)
        texts = {cid: row["text"] for cid, row in rows.items()}
        asking = {cid for cid, row in rows.items() if re.match(r"(request|question)", row["section"] or "", re.I)}
        words = [t for t in terms(question) if len(t) >= 4]
        unknown_year = any(re.fullmatch(r"(19|20)\d\d", t) and not self.store.term_count(t, f) for t in words)
        ranked = [r for r in ranked if r.chunk_id in texts]
        anchors = Anchors.of(question) if anchor else None
        if anchors:  # a question about one force (or year) is not answered from another's document
            ranked = anchored(ranked, lambda r: anchors.met_by(self.searcher.named(rows[r.chunk_id]["doc_id"]),
                                                               f"{texts[r.chunk_id]} {rows[r.chunk_id]['title']} {rows[r.chunk_id]['date'] or ''}"))
        missing: dict[int, int] = {}  # per document: the question's words it never uses (the floor rules judge the first passages only)
        for r in ranked[:TOP_PASSAGES]:
            doc_id = rows[r.chunk_id]["doc_id"]
            if doc_id not in missing:
                missing[doc_id] = len(self.store.missing_from(doc_id, words))
        passages = self.searcher.term_count("", f)
        weights = {t: idf(passages, self.searcher.term_count(t, f)) for t in dict.fromkeys(terms(question)) if len(t) >= 3}
        return Evidence(retrieved, rows, ranked, texts, asking, {r.chunk_id: missing[rows[r.chunk_id]["doc_id"]] for r in ranked[:TOP_PASSAGES]},
                        unknown_year, wants_number(question), weights, intent(question), question)

    def _abstain(self, question: str, retrieved: list[tuple[str, float, Scored | None]], rows: dict[str, Any]) -> Answer:
        closest: list[dict[str, Any]] = []
        seen: set[str] = set()
        for cid, _, _ in retrieved:
            row = rows.get(cid)
            if row is not None and row["doc"] not in seen:
                seen.add(row["doc"])
                closest.append({"doc": row["doc"], "title": row["title"], "page": row["page"], "kind": row["kind"]})
        return Answer(question, NOT_FOUND, True, closest=closest[:3])

    def cite(self, n: int, row: Any, chunk_id: str, start: int, end: int) -> Citation:
        quote = row["text"][start:end]
        s, e = locate(quote, self.store.source_text(row["doc_id"]), row["start"], row["end"])
        return Citation(n=n, doc=row["doc"], page=row["page"], chunk_id=chunk_id, quote=quote, title=row["title"], kind=row["kind"],
                        date=row["date"], section=row["section"], ref=row["ref"], start=s, end=e, verified=verified(quote, row["text"]),
                        passage=row["text"])


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
