"""Cited answers on documents they were not tuned on: do the quotes hold the evidence, and does
``kb ask`` abstain when the corpus holds no answer? Fold by fold.

Over an index of every development document and the five seeds (as ``evals.retrieval``):

- **answerable**: the development gold's questions. The quotes hold the evidence when the quotes
  taken from the question's document, joined, hold at least 60% of the gold evidence's words (the
  rule a search hit meets, applied to what the answer quotes). An abstention holds nothing.
  Every quote must be verbatim in its passage (``verified``); the count of any that are not is printed.
- **unanswerable**: ``evals/dev/unanswerable-*.jsonl``, questions the corpus cannot answer (a force
  with no document here, a year no document covers, an outcome never recorded). Each is in the
  fold of its own wording's hash, so that some can be tuned on and the rest held back.

``--archive N`` adds a generated archive of N pages (``evals.gencorpus``, shaped like the real
documents) to the index first, to see whether abstention holds as the archive grows.

Run: ``python -m evals.answers [--json] [--home DIR] [--archive PAGES] [--batch N | --upto N]`` (as
``evals.retrieval``: ``--batch N`` is a new batch's first run).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from evals.common import add_batches, finish, parser, print_items
from evals.dev.folds import fold
from evals.reading import DEV, batch_of
from evals.retrieval import Question, documents, holds, questions

FOLDS = ("tuning", "heldout")


def unanswerable(batch: int | None = None, upto: int | None = None) -> list[tuple[str, str]]:
    """(question, fold) for every question the development corpus cannot answer (or those written
    with one batch, or with batches 1 to ``upto``: a file's batch is the listing that names it, and
    a file no listing names came with the first)."""
    out = []
    for path in sorted(DEV.glob("unanswerable-*.jsonl")):
        b = batch_of(path.name) or 1
        if (batch is not None and b != batch) or (upto is not None and b > upto):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                q = json.loads(line)["question"]
                out.append((q, fold(q)))
    return out


def held(quotes: list[tuple[str, str]], doc: str, evidence: str) -> bool:
    """The quotes (document, text) from the question's document, joined, hold the evidence."""
    quoted = " ".join(text for d, text in quotes if d == doc)
    return bool(quoted) and holds(quoted[:100000], evidence)


def quotes_hold(answer: Any, q: Question) -> bool:
    """The answer's quotes from the question's document, joined, hold the evidence."""
    return not answer.abstained and held([(c.doc, c.quote) for c in answer.citations], q.doc, q.evidence)


def evaluate(home: str | None = None, archive: int = 0, batch: int | None = None, upto: int | None = None) -> dict[str, Any]:
    """Per fold: the share of answerable questions whose quotes hold the evidence, answered at all,
    abstentions on unanswerable questions; unverified quotes; seconds per question. ``batch`` asks
    only that batch's questions over batches 1 to it; ``upto``, batches 1 to it."""
    from kb.service import KB

    qs = questions(batch, upto)
    unknown = unanswerable(batch, upto)
    with tempfile.TemporaryDirectory() as tmp:
        kb = KB(home=home or tmp)
        if not home:
            paths = documents(batch, upto)
            if archive:
                from evals.gencorpus import generate

                generate(Path(tmp) / "archive", pages=archive)
                paths.append(Path(tmp) / "archive")
            kb.ingest(paths)
        started = time.perf_counter()
        held: dict[str, list[bool]] = {f: [] for f in FOLDS}
        answered: dict[str, list[bool]] = {f: [] for f in FOLDS}
        unverified = 0
        chars: list[int] = []  # quoted characters per answer given
        misses: list[str] = []
        for q in qs:
            a = kb.ask(q.question, written=False)
            unverified += sum(not c.verified for c in a.citations)
            if not a.abstained:
                chars.append(sum(len(c.quote) for c in a.citations))
            ok = quotes_hold(a, q)
            held[q.fold].append(ok)
            answered[q.fold].append(not a.abstained)
            if not ok and q.fold == "tuning":
                misses.append(q.question)
        abstained: dict[str, list[bool]] = {f: [] for f in FOLDS}
        let_through: list[str] = []
        for question, f in unknown:
            a = kb.ask(question, written=False)
            abstained[f].append(a.abstained)
            if not a.abstained and f == "tuning":
                let_through.append(question)
        seconds = (time.perf_counter() - started) / max(1, len(qs) + len(unknown))

    def share(xs: list[bool]) -> float:
        return round(sum(xs) / len(xs), 3) if xs else 0.0

    return {
        "folds": {f: {"answerable": len(held[f]), "quotes_hold_evidence": share(held[f]), "answered": share(answered[f]),
                      "unanswerable": len(abstained[f]), "abstained": share(abstained[f])} for f in FOLDS},
        "unverified_quotes": unverified, "seconds_per_question": round(seconds, 2), "mean_quoted_chars": round(sum(chars) / max(1, len(chars))),
        "tuning_misses": misses, "tuning_let_through": let_through,
    }


def main(argv: list[str] | None = None) -> int:
    p = parser("python -m evals.answers", __doc__)  # --home and --json
    p.add_argument("--archive", type=int, default=0, help="pages of generated archive to index as well (without --home)")
    p.add_argument("--misses", action="store_true", help="list the tuning fold's failures (never the held-back fold's)")
    add_batches(p)
    args = p.parse_args(argv)
    return finish(args, evaluate(args.home, args.archive, args.batch, args.upto), lambda out: _report(out, args.misses))


def _report(out: dict[str, Any], misses: bool) -> None:
    print(f"{'':<34}{'held back':>10}{'tuning':>10}")
    h, t = out["folds"]["heldout"], out["folds"]["tuning"]
    for key, label in (("quotes_hold_evidence", "quotes hold the evidence"), ("answered", "answerable questions answered"),
                       ("abstained", "unanswerable questions abstained")):
        print(f"{label:<34}{h[key]:>10.3f}{t[key]:>10.3f}")
    print(f"{'questions (answerable/unanswerable)':<34}{h['answerable']:>6}/{h['unanswerable']:<3}{t['answerable']:>6}/{t['unanswerable']:<3}")
    print(f"unverified quotes: {out['unverified_quotes']}; {out['seconds_per_question']} s a question; "
          f"{out['mean_quoted_chars']} characters quoted per answer")
    if misses:
        print_items("tuning questions whose quotes miss the evidence", out["tuning_misses"])
        print_items("tuning unanswerable questions answered", out["tuning_let_through"])

if __name__ == "__main__":
    sys.exit(main())
