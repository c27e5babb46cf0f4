"""Train the sentence model that chooses what an answer quotes (``kb/answers/sentences.py``), on the
development corpus's tuning fold, and report both folds.

For every development question (and every unanswerable one) the answerer's own evidence is taken
(``Answerer.evidence``: the retrieved passages, their sentences' similarities, the question's
words), and every quotable sentence its features (``sentences.candidates``). A sentence is a
positive when it, or it with the sentence after it, holds the gold evidence (the rule of
``evals.answers``) in the question's document.

1. **Sentence score**: a listwise linear model over the features (per question, a softmax over its
   sentences, fitted to put its weight on the ones that hold the evidence); its L2 penalty chosen by
   5-fold cross-validation on the tuning fold, grouped by document, scored by the share of questions
   whose quotes hold the evidence. (Until 2026-12-04 it was a logistic regression over all sentences
   at once; on the same features and index the listwise fit gave held back 0.638, the same, and
   tuning 0.662 against 0.652; with the two features added then, 0.654 held back against 0.634.)
2. **Keep-within**: how far below the best a further sentence may score, from a grid on the tuning fold.

A gate (a second linear model over the best candidate, to abstain when nothing here answers) was
tried on 2026-12-03 and not kept: chosen on the tuning fold, it moved the held-back fold's quotes
holding / unanswerable abstaining from 0.643 / 0.500 to 0.557 / 0.714, and the seeds' correct
quotes (``python -m evals.ask``) from 0.650 to 0.350.

The held-back fold is scored once, for the figure only (never fitted, failures never printed).
``--write`` saves the model to ``kb/answers/sentence_model.json``. Run:
``python -m evals.train_answers [--home DIR] [--write]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass, replace
from typing import Any

FOLDS = ("tuning", "heldout")
PENALTY_GRID = (0.01, 0.1, 1.0, 3.0)
KEEP_GRID = (1.0, 2.0, 3.0, 5.0, 100.0)


@dataclass
class Item:
    """One question's evidence, candidates and labels."""

    question: str
    fold: str
    doc: str | None  # None: unanswerable
    evidence: Any  # kb.answers.answer.Evidence
    features: list[list[float]]
    labels: list[bool]


def collect(kb: Any) -> list[Item]:
    """Every question's evidence and its candidates' features and labels."""
    from evals.answers import unanswerable
    from evals.retrieval import holds, questions
    from kb.answers.answer import Answerer

    answerer = Answerer(kb.searcher, kb.store)
    asked: list[tuple[str, str, str | None, str]] = [(q.question, q.fold, q.doc, q.evidence) for q in questions()]
    asked += [(q, f, None, "") for q, f in unanswerable()]
    items = []
    for question, fold, doc, evidence in asked:
        ev = answerer.evidence(question)
        cands = ev.candidates()
        spans = {r.chunk_id: sorted(r.sentences) for r in ev.ranked}
        labels = []
        for c in cands:
            text = ev.texts[c.chunk_id]
            after = next((e for s, e, _ in spans[c.chunk_id] if s > c.start), c.end)
            right = doc is not None and ev.rows[c.chunk_id]["doc"] == doc
            labels.append(right and (holds(text[c.start:c.end], evidence) or holds(text[c.start:after], evidence)))
        items.append(Item(question, fold, doc, ev, [c.features for c in cands], labels))
    return items


def figures(items: list[Item], model: Any, gold: dict[str, str]) -> dict[str, dict[str, float]]:
    """Per fold: quotes holding the evidence (answerable), abstained (unanswerable), answered, mean quoted characters."""
    from evals.answers import held

    out: dict[str, dict[str, list[float]]] = {f: {"hold": [], "abstained": [], "answered": [], "chars": []} for f in FOLDS}
    for it in items:
        picks = it.evidence.choose(model)
        o = out[it.fold]
        if it.doc is None:
            o["abstained"].append(float(not picks))
            continue
        quotes = [(it.evidence.rows[p.chunk_id]["doc"], it.evidence.texts[p.chunk_id][p.start:p.end]) for p in picks]
        o["hold"].append(float(held(quotes, it.doc, gold[it.question])))
        o["answered"].append(float(bool(picks)))
        if picks:
            o["chars"].append(float(sum(p.end - p.start for p in picks)))
    return {f: {k: round(sum(v) / len(v), 3) if v else 0.0 for k, v in o.items()} for f, o in out.items()}


def fit(items: list[Item], penalty: float) -> tuple[list[float], float]:
    """Listwise weights: per question, a softmax over its candidates, fitted (L-BFGS) to put its
    probability on the sentences that hold the evidence, with an L2 ``penalty``. What is chosen is the
    best few of one question's sentences, so the loss compares sentences within a question, never across."""
    import numpy as np
    from scipy.optimize import minimize
    from scipy.special import logsumexp

    groups = [(np.array(it.features), np.array(it.labels, dtype=bool)) for it in items
              if it.doc is not None and any(it.labels) and not all(it.labels)]
    width = len(items[0].features[0]) if items and items[0].features else 0

    def loss(w: Any) -> tuple[float, Any]:
        total, grad = penalty * float(w @ w), 2 * penalty * w
        for x, y in groups:
            s = x @ w
            every, right = logsumexp(s), logsumexp(s[y])
            total += every - right
            want = np.zeros_like(s)
            want[y] = np.exp(s[y] - right)
            grad = grad + x.T @ (np.exp(s - every) - want)
        return total, grad

    w = minimize(loss, np.zeros(width), jac=True, method="L-BFGS-B").x
    return [round(float(v), 4) for v in w], 0.0


def train(items: list[Item], gold: dict[str, str], base: Any) -> tuple[Any, dict[str, Any]]:
    """The sentence score (its penalty by grouped CV) and keep-within, on the tuning fold."""
    tuning = [it for it in items if it.fold == "tuning"]
    answerable = [it for it in tuning if it.doc is not None]
    docs = sorted({it.doc for it in answerable if it.doc})
    groups = {d: i % 5 for i, d in enumerate(docs)}
    cv: dict[float, float] = {}
    for c in PENALTY_GRID:
        held = []
        for k in range(5):
            w, b = fit([it for it in answerable if groups[it.doc or ""] != k], c)
            part = [it for it in answerable if groups[it.doc or ""] == k]
            held.append(figures(part, replace(base, weights=tuple(w), bias=b, keep_within=3.0), gold)["tuning"]["hold"] * len(part))
        cv[c] = round(sum(held) / len(answerable), 3)
    best_c = max(PENALTY_GRID, key=lambda c: (cv[c], c))
    w, b = fit(answerable, best_c)
    model = replace(base, weights=tuple(w), bias=b, keep_within=3.0)
    keep = {k: figures(answerable, replace(model, keep_within=k), gold)["tuning"]["hold"] for k in KEEP_GRID}
    model = replace(model, keep_within=min(KEEP_GRID, key=lambda k: (-keep[k], k)))
    return model, {"cv_hold_by_penalty": cv, "penalty": best_c, "hold_by_keep_within": keep}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m evals.train_answers", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--home", help="an existing data home holding the development documents and the seeds")
    p.add_argument("--write", action="store_true", help="save the trained model as the one the package ships")
    args = p.parse_args(argv)
    from evals.reading import DEV
    from evals.retrieval import CORPUS, questions
    from kb.answers.sentences import FEATURES, MODEL_FILE, SentenceModel, shipped
    from kb.service import KB

    gold = {q.question: q.evidence for q in questions()}
    with tempfile.TemporaryDirectory() as tmp:
        kb = KB(home=args.home or tmp)
        if not args.home:
            kb.ingest([DEV / "docs", CORPUS])
        items = collect(kb)
        similarity = SentenceModel(tuple(1.0 if n == "sim" else 0.0 for n in FEATURES), 0.0, 0.12)
        try:
            before: Any = shipped()
        except ValueError:  # the shipped model was trained on other features (they have just changed): train from scratch
            before = None
        model, notes = train(items, gold, before or similarity)
        rows = {"similarity only (best cosine, others within 0.12)": similarity, "shipped model": before, "trained now": model}
        print(f"{'':<70}{'held back: holds':>17}{'abstained':>10}{'chars':>7}   {'tuning: holds':>14}{'abstained':>10}{'chars':>7}")
        for name, m in rows.items():
            if m is None:
                print(f"{name:<70}(trained on other features)")
                continue
            f = figures(items, m, gold)
            h, t = f["heldout"], f["tuning"]
            print(f"{name:<70}{h['hold']:>17.3f}{h['abstained']:>10.3f}{h['chars']:>7.0f}   {t['hold']:>14.3f}{t['abstained']:>10.3f}{t['chars']:>7.0f}")
        print(json.dumps(notes))
        print(json.dumps(model.to_json()))
        if args.write:
            MODEL_FILE.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
            print(f"wrote {MODEL_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
