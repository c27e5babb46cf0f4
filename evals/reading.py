"""How well documents are read, on the development corpus (evals/dev), fold by fold.

Every document of evals/dev/docs is read by ``ingest.understand`` (the same call the pipeline
makes, with the model's own word-piece counter) and compared with its gold reading:

- kind accuracy; titles right, and titles that are site chrome or empty;
- the document's date;
- passages under 150 characters (in documents longer than that);
- FOI: disclosures recognised, reference, received and disclosed dates, exemptions (by section,
  and exactly), outcome, questions found;
- recommendations (areas for improvement and causes of concern included): matched to the gold by
  their opening words; precision, recall and F1; ref, type, addressee and deadline accuracy; status
  accuracy and wrong "complete" proposals; rows taken from FOI requests or contents pages.

Both folds are printed; the failures are listed only for the tuning fold (``--failures``): the
held-back fold's are not read while tuning. A new batch of documents is run alone once, before any
change for it (its honest first figure): ``--batch N``. Run: ``python -m evals.reading [--json] [--failures] [--batch N]``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.dev.check import norm
from evals.dev.folds import fold

DEV = Path(__file__).resolve().parent / "dev"
SHORT = 150  # characters: a passage shorter than this is a fragment, unless its document is that short
_CHROME = re.compile(r"cookie|skip to|\bmenu\b|accessibility|text size|leave this site|quick exit|escape key|^agenda item\s*\d*$|"
                     r"^(home|search|contact us|news|sign in|log in)$|javascript|browser", re.I)


def batch_of(name: str) -> int:
    """The batch a development document came in: n when evals/dev/batchN-*.txt lists it, else 0 (not yet in a batch)."""
    for listing in sorted(DEV.glob("batch*-*.txt")):
        if name in listing.read_text(encoding="utf-8").split():
            return int(re.match(r"batch(\d+)", listing.name).group(1))  # type: ignore[union-attr]
    return 0


def in_batches(name: str, batch: int | None = None, upto: int | None = None) -> bool:
    """Whether a development document belongs to batch ``batch`` (or to batches 1 to ``upto``); None is no limit."""
    b = batch_of(name)
    return (batch is None or b == batch) and (upto is None or 1 <= b <= upto)


def load_gold(batch: int | None = None, upto: int | None = None) -> list[dict[str, Any]]:
    """Every gold reading (or one batch's, or those of batches 1 to ``upto``), sorted by file name."""
    golds = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((DEV / "gold").glob("*.json"))]
    return [g for g in golds if in_batches(g["file"], batch, upto)]


def _words(text: str | None) -> list[str]:
    return re.findall(r"[a-z0-9]+", norm(text or ""))


def title_right(pred: str, gold: dict[str, Any]) -> bool:
    """The predicted title names the document as the gold does (the same words, give or take a
    reference prefix or a site suffix: at least 70% of the gold's words, and mostly its words)."""
    p = _words(pred)
    if not p:
        return False
    for want in [gold["title"], *gold.get("title_alternatives", [])]:
        w = _words(want)
        if not w:
            continue
        if " ".join(w) in " ".join(p) and len(p) <= 2 * len(w) + 4:
            return True
        common = len(set(p) & set(w))
        if common >= 0.7 * len(set(w)) and common >= 0.6 * len(set(p)):
            return True
    return False


def title_chrome(pred: str) -> bool:
    """An empty title, or one that is site furniture."""
    return not pred.strip() or bool(_CHROME.search(pred.strip()))


def _ref(text: str | None) -> str:
    """A reference compared without case, spaces and "FOI"/"ref" labels."""
    t = re.sub(r"\s+", "", (text or "").lower())
    return re.sub(r"^(foi|ref(erence)?|our ref|no\.?)[:.#-]*", "", t)


def _sections(exemptions: Iterable[str]) -> set[str]:
    return {re.match(r"s\d+", e).group(0) for e in exemptions if re.match(r"s\d+", e)}  # type: ignore[union-attr]


def _deadline_right(gold: str | None, pred: str | None) -> bool:
    """Exactly, or in the same month when either is a month alone (its 1st or last day)."""
    if gold == pred:
        return True
    if not gold or not pred:
        return False
    import calendar
    from datetime import date

    def month_only(iso: str) -> bool:
        d = date.fromisoformat(iso)
        return d.day in (1, calendar.monthrange(d.year, d.month)[1])

    return gold[:7] == pred[:7] and (month_only(gold) or month_only(pred))


def _addressee(text: str | None) -> str:
    return re.sub(r"^(the|all)\s+", "", " ".join(_words(text)))


def match_recommendations(gold: list[dict[str, Any]], pred: list[Any]) -> list[tuple[dict[str, Any], Any]]:
    """Pairs of (gold, predicted): in document order, each gold row to the first unused predicted
    row whose opening 400 characters hold the gold's first six words."""
    used: set[int] = set()
    pairs = []
    for g in gold:
        start = " ".join(_words(g["text_start"])[:6])
        for i, p in enumerate(pred):
            if i not in used and start and start in " ".join(_words(p.text[:400])):
                used.add(i)
                pairs.append((g, p))
                break
    return pairs


@dataclass
class Tally:
    """Counts of one fold."""

    docs: int = 0
    kind_right: int = 0
    title_right: int = 0
    title_chrome: int = 0
    date_right: int = 0
    passages: int = 0
    short_passages: int = 0
    docs_with_short: int = 0
    foi_docs: int = 0
    foi_recognised: int = 0
    foi: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("reference", "received", "disclosed", "exemptions", "exemptions_exact", "outcome", "questions_found", "questions_gold"), 0))
    recs_gold: int = 0
    recs_pred: int = 0
    recs_found: int = 0
    rec_fields: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("ref", "type", "addressee", "deadline", "status"), 0))
    wrong_complete: int = 0
    from_foi_or_contents: int = 0
    failures: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        """Rates for the report."""
        def rate(a: int, b: int) -> float | None:
            return round(a / b, 3) if b else None

        p, r = rate(self.recs_found, self.recs_pred), rate(self.recs_found, self.recs_gold)
        f1 = round(2 * p * r / (p + r), 3) if p and r else 0.0
        return {
            "documents": self.docs, "kind": rate(self.kind_right, self.docs), "title": rate(self.title_right, self.docs),
            "title_chrome_or_empty": self.title_chrome, "date": rate(self.date_right, self.docs),
            "passages": self.passages, "short_passages": self.short_passages, "docs_with_short_passages": self.docs_with_short,
            "foi_disclosures": self.foi_docs, "foi_recognised": rate(self.foi_recognised, self.foi_docs),
            **{f"foi_{k}": rate(v, self.foi_docs) for k, v in self.foi.items() if not k.startswith("questions")},
            "foi_questions_found": rate(self.foi["questions_found"], self.foi["questions_gold"]),
            "recs_gold": self.recs_gold, "recs_predicted": self.recs_pred, "recs_found": self.recs_found,
            "recs_precision": p, "recs_recall": r, "recs_f1": f1,
            **{f"rec_{k}": rate(v, self.recs_found) for k, v in self.rec_fields.items()},
            "wrong_complete": self.wrong_complete, "recs_from_foi_or_contents": self.from_foi_or_contents,
        }


def score(gold: dict[str, Any], u: Any, t: Tally) -> None:
    """Add one document's reading to its fold's tally (and its failures, by name)."""
    name = gold["file"]

    def fail(what: str) -> None:
        t.failures.append(f"{name}: {what}")

    def check(ok: bool, what: str) -> int:
        if not ok:
            fail(what)
        return int(ok)

    t.docs += 1
    meta = u.meta
    t.kind_right += check(meta.kind == gold["kind"], f"kind {meta.kind}, gold {gold['kind']}")
    t.title_right += check(title_right(meta.title, gold), f"title {meta.title[:90]!r}, gold {gold['title'][:90]!r}")
    t.title_chrome += title_chrome(meta.title)
    t.date_right += check(meta.date == gold["date"], f"date {meta.date}, gold {gold['date']}")
    long_doc = len(u.clean.text) >= SHORT
    short = [c for c in u.chunks if len(c.text) < SHORT] if long_doc else []
    t.passages += len(u.chunks)
    t.short_passages += len(short)
    t.docs_with_short += bool(short)
    if short:
        fail(f"{len(short)} of {len(u.chunks)} passages under {SHORT} characters, e.g. {short[0].text[:60]!r}")
    if gold["foi"]:
        _score_foi(gold["foi"], u.foi, t, fail)
    _score_recommendations(gold, u.recommendations, t, fail)


def _score_foi(g: dict[str, Any], r: Any, t: Tally, fail: Any) -> None:
    """An FOI disclosure's fields and questions against its gold."""
    t.foi_docs += 1
    if r is None:
        fail("FOI disclosure not recognised")
    else:
        t.foi_recognised += 1
        checks = {"reference": _ref(r.reference) == _ref(g["reference"]), "received": r.received == g["received"],
                  "disclosed": r.disclosed == g["disclosed"], "exemptions": _sections(r.exemptions) == _sections(g["exemptions"]),
                  "exemptions_exact": set(r.exemptions) == set(g["exemptions"]), "outcome": r.outcome == g["outcome"]}
        for key, ok in checks.items():
            t.foi[key] += ok
            if not ok and key != "exemptions_exact":
                fail(f"FOI {key}: {getattr(r, key if key != 'exemptions' else 'exemptions')!r}, gold {g[key]!r}")
        found = sum(any(" ".join(_words(q)[:6]) in " ".join(_words(p.question)) for p in r.questions) for q in g["questions"])
        t.foi["questions_found"] += found
        if found < len(g["questions"]):
            fail(f"FOI questions: {found} of {len(g['questions'])} found ({len(r.questions)} read)")
    t.foi["questions_gold"] += len(g["questions"])


def _score_recommendations(gold: dict[str, Any], recs: list[Any], t: Tally, fail: Any) -> None:
    """The recommendations read against the gold: found, missed, extra, and the fields of each pair."""
    pairs = match_recommendations(gold["recommendations"], recs)
    t.recs_gold += len(gold["recommendations"])
    t.recs_pred += len(recs)
    t.recs_found += len(pairs)
    if not gold["recommendations"] and recs and (gold["kind"] == "foi_disclosure" or gold["family"] == "guidance_contents"):
        t.from_foi_or_contents += len(recs)
    matched = {id(p) for _, p in pairs}
    for g in gold["recommendations"]:
        if not any(g is x for x, _ in pairs):
            fail(f"missed {g['type']} {g['ref']}: {g['text_start'][:70]!r}")
    for p in recs:
        if id(p) not in matched:
            fail(f"extra {p.type} {p.ref}: {p.text[:70]!r}")
    for g, p in pairs:
        fields = {"ref": str(g["ref"] or "") == str(p.ref or "") or (g["ref"] is None and not re.search(r"\d", p.ref or "")),
                  "type": g["type"] == p.type, "addressee": _addressee(g["addressee"]) == _addressee(p.addressee),
                  "deadline": _deadline_right(g["deadline"], p.deadline), "status": g["status"] == p.status}
        for key, ok in fields.items():
            t.rec_fields[key] += ok
        if not fields["status"]:
            fail(f"status of {g['ref']}: {p.status}, gold {g['status']}")
        t.wrong_complete += p.status == "complete" and g["status"] != "complete"


def read(paths: list[Path], count: Callable[[str], int], max_tokens: int) -> dict[str, Any]:
    """Each document understood, by file name."""
    from ingest import understand

    return {p.name: understand(p, count=count, max_tokens=max_tokens) for p in paths}


def evaluate(golds: list[dict[str, Any]] | None = None) -> dict[str, Tally]:
    """Read the development corpus and tally each fold."""
    from kb.config import load_config
    from kb.search.embed import Embedder

    golds = golds if golds is not None else load_gold()
    config = load_config()
    counter = Embedder(config.model_path).count_tokens
    understood = read([DEV / "docs" / g["file"] for g in golds], counter, config.chunk_tokens)
    tallies = {"tuning": Tally(), "heldout": Tally()}
    for g in golds:
        score(g, understood[g["file"]], tallies[fold(g["file"])])
    return tallies


LABELS = [("documents", "documents"), ("kind", "kind accuracy"), ("title", "title right"), ("title_chrome_or_empty", "titles that are chrome or empty"),
          ("date", "date right"), ("short_passages", f"passages under {SHORT} chars"), ("docs_with_short_passages", "documents with such passages"),
          ("foi_disclosures", "FOI disclosures"), ("foi_recognised", "FOI recognised"), ("foi_reference", "FOI reference"),
          ("foi_received", "FOI received date"), ("foi_disclosed", "FOI disclosed date"), ("foi_exemptions", "FOI exemptions (sections)"),
          ("foi_exemptions_exact", "FOI exemptions (exact)"), ("foi_outcome", "FOI outcome"), ("foi_questions_found", "FOI questions found"),
          ("recs_gold", "recommendations (gold)"), ("recs_predicted", "recommendations (read)"), ("recs_precision", "recommendations precision"),
          ("recs_recall", "recommendations recall"), ("recs_f1", "recommendations F1"), ("rec_ref", "ref right"), ("rec_type", "type right"),
          ("rec_addressee", "addressee right"), ("rec_deadline", "deadline right"), ("rec_status", "status right"),
          ("wrong_complete", "wrongly proposed complete"), ("recs_from_foi_or_contents", "rows from FOI requests or contents pages")]


def main(argv: list[str] | None = None) -> int:
    """Print both folds' figures (and the tuning fold's failures with --failures)."""
    p = argparse.ArgumentParser(prog="python -m evals.reading", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--failures", action="store_true", help="list the tuning fold's failures (never the held-back fold's)")
    p.add_argument("--batch", type=int, help="only the documents of one batch (those listed in evals/dev/batchN-*.txt; 1 is the first 87)")
    p.add_argument("--upto", type=int, help="only the documents of batches 1 to N (the corpus as it stood before a later batch)")
    args = p.parse_args(argv)
    tallies = evaluate(load_gold(args.batch, args.upto))
    figures = {name: t.figures() for name, t in tallies.items()}
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"{'':<44}{'tuning':>10}{'held back':>11}")
        for key, label in LABELS:
            a, b = figures["tuning"][key], figures["heldout"][key]
            print(f"{label:<44}{'-' if a is None else a:>10}{'-' if b is None else b:>11}")
    if args.failures:
        print("\nTuning-fold failures:")
        for line in tallies["tuning"].failures:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
