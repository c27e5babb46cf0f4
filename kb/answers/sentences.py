"""Which sentences answer a question: each candidate sentence's features and a small linear model
over them, trained on the development corpus's tuning fold (``python -m evals.train_answers``) and
shipped as data (``sentence_model.json``). Pure: the caller brings the similarities, the passages
and the question's word weights.

The features say what the sentence is (its role from its wording: an FOI request's line, a
recommendation, a heading or breadcrumb), how well it matches the question (the model's cosine,
its distance from the best candidate's, the share of the question's weighted words it and the
sentence after it hold) and where it is (the passage's rank, first in its passage). The question's
intent decides what a recommendation's wording is worth: a question about what was done wants the
response, not the recommendation it answers; a question about what was recommended wants the
recommendation.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MODEL_FILE = Path(__file__).with_name("sentence_model.json")

FEATURES = ("sim", "rel", "overlap", "overlap_next", "depth", "first", "request", "rec_done", "rec_recommended", "rec_fact",
            "heading", "number", "no_number", "length", "asking", "digits", "about_document", "echo", "done_wording")

# the wording of a request's line, in a disclosure that repeats the request ("Please provide", "The number of ...")
REQUEST = re.compile(r"^(?:\d{1,2}[.)]\s*)?(?:please\b|i (?:would like|am writing|request|wish)|could you|can you|would you|whether\b|"
                     r"the number of\b|how many\b|how much\b|details of\b|cop(?:y|ies) of\b|a copy\b|for each\b|if (?:available|so)\b|"
                     r"any (?:information|documents?|records?)\b)", re.I)
RECOMMENDS = re.compile(r"\b(?:should|must)\b|\brecommend(?:s|ed)?\b", re.I)
# a sentence about the document itself, not about its subject ("This report updates the Panel on ...", "To consider a report ...")
ABOUT_DOCUMENT = re.compile(r"^(?:\d+(?:\.\d+)*\s+)?(?:this (?:report|page|paper|letter|document|update|response|section|table|appendix)\b|"
                            r"the purpose of this\b|to (?:consider|update|inform|note|set out|provide)\b|purpose of (?:the )?report\b)", re.I)
# a response's wording: what has been done ("has been", "have introduced", "now", "since April")
DONE_WORDING = re.compile(r"\b(?:has|have|had) (?:been|now|already|also|since|introduced|completed|implemented|established|agreed|"
                          r"started|begun|set up|put|recruited|trained|reviewed|appointed|created|developed|launched|made|taken)\b|"
                          r"\bnow\b|\bsince\b|\bwas (?:introduced|completed|implemented|launched|agreed)\b|\bare now\b|\bis now\b", re.I)
_STOP = frozenset(["the", "and", "for", "that", "with", "this", "from", "have", "has", "was", "were", "are", "its", "their", "they", "what", "which", "when", "where", "why", "how", "does", "did", "into", "about", "been", "will", "would", "should", "there", "than", "then", "them", "these", "those", "your", "our", "any", "all", "not", "but", "can"])
BREADCRUMB = re.compile(r"^(?:you are here:?\s*)?home\s*[>›»/]|[>›»]\s*\w+\s*[>›»]", re.I)
# what was recommended: the verb ("what did HMICFRS recommend", "told to", "want ... to do"), not the noun
# ("has the recommendation been closed?" asks what was done)
_ASKS_RECOMMENDED = re.compile(r"\brecommend(?:s|ed)?\b|\btold to\b|\basked to\b|\bwhat should\b|\bshould .{0,40}\bdo\b|"
                               r"\bwant\w* .{0,40}\bto (?:do|change|improve)\b|\bdeadline was .{0,40}\bgiven\b", re.I)
_ASKS_DONE = re.compile(r"\b(?:done|doing|did .{0,40}\b(?:do|change|introduce)|changed|progress|status|implement\w*|complete[ds]?|introduc\w*|"
                        r"action|respond\w*|response|update|sorted|achiev\w*|delivered|discharg\w*|closed|superseded|delayed|replaced|"
                        r"happened|stopped|still|now|extra|when will|will .{0,40}\b(?:get|be|have)|"
                        r"has .{0,40}\b(?:trained|started|begun|set up|put in place|agreed|grown|recruited|referred))\b", re.I)
_WORD = re.compile(r"[a-z0-9]+")
_DIGIT = re.compile(r"\d")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s")


def intent(question: str) -> str:
    """What a question asks for: "recommended" (what an inspectorate asked), "done" (what was done
    about it, a status) or "fact"."""
    if _ASKS_RECOMMENDED.search(question):
        return "recommended"
    return "done" if _ASKS_DONE.search(question) else "fact"


def stem(word: str) -> str:
    """A light stem, the same on both sides of a comparison ("recordings", "recording" -> "record")."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def overlap(weights: dict[str, float], text: str) -> float:
    """The share of the question's weighted words (word -> weight, e.g. inverse passage frequency) the text holds."""
    total = sum(weights.values())
    if not total:
        return 0.0
    have = {stem(w) for w in _WORD.findall(text.lower())}
    return sum(v for w, v in weights.items() if stem(w) in have) / total


def idf(passages: int, using: int) -> float:
    """A word's weight from how many of the indexed passages use it."""
    return math.log(1 + passages / (1 + using))


def echo(question: str, sentence: str) -> float:
    """The share of the sentence's longer words that are the question's: near 1, the sentence restates the question."""
    asked = {stem(w) for w in _WORD.findall(question.lower()) if len(w) >= 3 and w not in _STOP}
    words = [stem(w) for w in _WORD.findall(sentence.lower()) if len(w) >= 3 and w not in _STOP]
    return sum(w in asked for w in words) / len(words) if words else 0.0


def heading_like(sentence: str, title: str) -> bool:
    """A breadcrumb, or the document's title over again (most of its words are the title's)."""
    if BREADCRUMB.search(sentence):
        return True
    words = _WORD.findall(sentence.lower())
    title_words = set(_WORD.findall(title.lower()))
    return bool(words) and len(words) <= 40 and sum(w in title_words for w in words) / len(words) >= 0.8


@dataclass
class Passage:
    """A passage whose sentences may be quoted: its rank, text, title, whether it asks (an FOI request)."""

    chunk_id: str
    text: str
    title: str
    asking: bool
    sentences: list[tuple[int, int, float]]  # (start, end, cosine similarity to the question)


@dataclass
class Candidate:
    """A sentence that might be quoted, with its features (in ``FEATURES`` order)."""

    chunk_id: str
    start: int
    end: int
    sim: float
    depth: int
    features: list[float]
    score: float = 0.0


def candidates(passages: list[Passage], weights: dict[str, float], asks: str, number: re.Pattern[str] | None,
               quotable: object, question: str = "") -> list[Candidate]:
    """Every quotable sentence of the passages, with its features. ``quotable(sentence)`` says whether a
    sentence may be quoted at all; ``number``: the pattern of the quantity the question asks for, if any."""
    out: list[Candidate] = []
    for depth, p in enumerate(passages):
        spans = sorted(p.sentences)
        for i, (s, e, sim) in enumerate(spans):
            sentence = p.text[s:e].rstrip()
            if not quotable(sentence):  # type: ignore[operator]
                continue
            after = spans[i + 1][1] if i + 1 < len(spans) else e
            rec = bool(RECOMMENDS.search(sentence))
            has_number = bool(number.search(sentence)) if number else False
            out.append(Candidate(p.chunk_id, s, e, sim, depth, [
                sim, 0.0, overlap(weights, sentence), overlap(weights, p.text[s:after]), float(depth), float(i == 0),
                float(bool(REQUEST.search(sentence.strip()))), float(rec and asks == "done"), float(rec and asks == "recommended"),
                float(rec and asks == "fact"), float(heading_like(sentence, p.title)), float(has_number), float(bool(number) and not has_number),
                math.log(len(sentence)), float(p.asking), float(bool(_DIGIT.search(sentence))),
                float(bool(ABOUT_DOCUMENT.search(sentence.strip()))), echo(question, sentence),
                float(asks == "done" and bool(DONE_WORDING.search(sentence)))]))
    if out:
        best = max(c.sim for c in out)
        for c in out:
            c.features[1] = c.sim - best
    return out


@dataclass(frozen=True)
class SentenceModel:
    """Linear weights for the sentence score (the log-odds that a sentence holds the answer)."""

    weights: tuple[float, ...]
    bias: float
    keep_within: float  # further sentences must score within this of the best one

    def score(self, c: Candidate) -> float:
        return self.bias + sum(w * x for w, x in zip(self.weights, c.features, strict=True))

    def to_json(self) -> dict[str, object]:
        return {"features": list(FEATURES), "weights": list(self.weights), "bias": self.bias, "keep_within": self.keep_within}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> SentenceModel:
        if list(data["features"]) != list(FEATURES):  # type: ignore[call-overload]
            raise ValueError("the sentence model was trained on other features: run python -m evals.train_answers")
        return cls(tuple(data["weights"]), float(data["bias"]), float(data["keep_within"]))  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def shipped() -> SentenceModel:
    """The model shipped with the package."""
    return SentenceModel.from_json(json.loads(MODEL_FILE.read_text(encoding="utf-8")))
