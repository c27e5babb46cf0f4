"""Search on documents it was not tuned on, beside three plain baselines, in the same run, fold by fold.

The index holds every development document (evals/dev/docs) and the five seeds (corpus/); the
questions are the development gold's (each document has at least two, most worded differently
from the text, some swapping an acronym and its expansion, some keyword, some naming the force or
report). A hit is a passage from the question's document whose first 1,200 characters hold at
least 60% of the words of the gold evidence. Each mode of ours (``kb search --mode ...``) and each
baseline is scored by that rule, for the tuning and the held-back fold:

- ``bm25``: llama-index ``SentenceSplitter(chunk_size=256, chunk_overlap=32)`` over each document's
  text, ranked by bm25s with English stopwords;
- ``dense``: the same split embedded by the same model (all-MiniLM-L6-v2, the packaged copy), cosine top-k;
- ``rrf``: reciprocal-rank fusion (k = 60) of those two lists.

The baselines read the same loaded text our pipeline reads (``ingest.load``: PDF, DOCX and HTML
need a reader either way), so the comparison is of what comes after. Run:
``python -m evals.retrieval [--json] [--k 10] [--home DIR] [--batch N | --upto N]`` (``--home``: an
existing data home that already holds these documents; ``--batch N``: a new batch's first run, its
questions only, over the documents of batches 1 to N; ``--upto N``: batches 1 to N).
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.common import add_batches, finish, parser, print_items
from evals.dev.folds import fold
from evals.reading import DEV, in_batches, load_gold

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
WINDOW = 1200  # characters of a passage that must hold the evidence
SHARE = 0.6  # of the evidence's words
_WORD = re.compile(r"[a-z0-9]+")


@dataclass
class Question:
    doc: str
    fold: str
    question: str
    evidence: str
    style: str
    asks: str


def questions(batch: int | None = None, upto: int | None = None) -> list[Question]:
    """Every gold question of the development corpus (or of one batch's documents, or of batches 1 to
    ``upto``), with its document's fold."""
    return [Question(g["file"], fold(g["file"]), q["question"], q["evidence"], q.get("style", ""), q.get("asks", ""))
            for g in load_gold(batch, upto) for q in g.get("questions", [])]


def holds(text: str, evidence: str) -> bool:
    """The passage's first WINDOW characters hold at least SHARE of the evidence's words."""
    want = _WORD.findall(evidence.lower())
    if not want:
        return False
    have = set(_WORD.findall(text[:WINDOW].lower()))
    return sum(w in have for w in want) / len(want) >= SHARE


def rank(ranked: list[tuple[str, str]], q: Question) -> int | None:
    """1-based rank of the first (doc, text) that answers q, or None."""
    for i, (doc, text) in enumerate(ranked, 1):
        if doc == q.doc and holds(text, q.evidence):
            return i
    return None


def figures(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    return {"hit@1": round(sum(r == 1 for r in ranks) / n, 3), "hit@5": round(sum(r is not None and r <= 5 for r in ranks) / n, 3),
            "mrr": round(sum(1 / r for r in ranks if r) / n, 3), "n": len(ranks)}


def documents(batch: int | None = None, upto: int | None = None) -> list[Path]:
    """The development documents (those of batches 1 to ``upto``, or 1 to ``batch``: the corpus as it
    stood when that batch came) and the seeds."""
    limit = upto or batch
    dev = [p for p in sorted((DEV / "docs").iterdir()) if limit is None or in_batches(p.name, upto=limit)]
    return dev + sorted(p for p in CORPUS.iterdir() if p.is_file() and not p.name.startswith((".", "README")))


class Baselines:
    """The three baselines over SentenceSplitter(256, 32) nodes of every document."""

    def __init__(self, paths: list[Path], embedder: Any) -> None:
        import bm25s
        import numpy as np
        from llama_index.core import Document
        from llama_index.core.node_parser import SentenceSplitter

        from ingest.load import load

        splitter = SentenceSplitter(chunk_size=256, chunk_overlap=32)
        self.nodes: list[tuple[str, str]] = []
        for p in paths:
            for node in splitter.get_nodes_from_documents([Document(text=load(p).text)]):
                self.nodes.append((p.name, node.get_content()))
        texts = [t for _, t in self.nodes]
        self.bm25 = bm25s.BM25()
        self.bm25.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
        self.embedder = embedder
        self.matrix = np.asarray(embedder.embed(texts), dtype=np.float32)
        self._np, self._bm25s = np, bm25s

    def lexical(self, query: str, k: int) -> list[int]:
        ids, _ = self.bm25.retrieve(self._bm25s.tokenize([query], stopwords="en", show_progress=False), k=min(k, len(self.nodes)), show_progress=False)
        return [int(i) for i in ids[0]]

    def dense(self, query: str, k: int) -> list[int]:
        v = self._np.asarray(self.embedder.embed_query(query), dtype=self._np.float32)
        return [int(i) for i in self._np.argsort(-(self.matrix @ v))[:k]]

    def run(self, query: str, k: int) -> dict[str, list[tuple[str, str]]]:
        lex, den = self.lexical(query, 50), self.dense(query, 50)
        fused: dict[int, float] = {}
        for ids in (lex, den):
            for r, i in enumerate(ids, 1):
                fused[i] = fused.get(i, 0.0) + 1 / (60 + r)
        rrf = sorted(fused, key=lambda i: -fused[i])[:k]
        return {name: [self.nodes[i] for i in ids[:k]] for name, ids in (("baseline bm25", lex), ("baseline dense", den), ("baseline rrf", rrf))}


def evaluate(home: str | None = None, k: int = 10, batch: int | None = None, upto: int | None = None) -> dict[str, Any]:
    """Ranks of every question under every mode of ours and every baseline; figures per fold.
    ``batch`` asks only that batch's questions over batches 1 to it; ``upto``, batches 1 to it."""
    from kb.search.hybrid import MODES
    from kb.service import KB

    qs = questions(batch, upto)
    paths = documents(batch, upto)
    with tempfile.TemporaryDirectory() as tmp:
        kb = KB(home=home or tmp)
        started = time.perf_counter()
        if not home:
            kb.ingest(paths)
        indexed = time.perf_counter() - started
        base = Baselines(paths, kb.embedder)
        ranks: dict[str, list[int | None]] = {}
        misses: dict[str, list[str]] = {}
        for q in qs:
            lists = {f"kb {m}": [(h.doc, h.text) for h in kb.search(q.question, k=k, mode=m)] for m in MODES}
            lists.update(base.run(q.question, k))
            for name, ranked in lists.items():
                r = rank(ranked, q)
                ranks.setdefault(name, []).append(r)
                if r != 1 and q.fold == "tuning":
                    misses.setdefault(name, []).append(q.question)
    out: dict[str, Any] = {"questions": {f: sum(q.fold == f for q in qs) for f in ("tuning", "heldout")}, "documents": len(paths),
                           "passages": {"baseline": len(base.nodes)}, "index_seconds": round(indexed, 1), "modes": {}}
    for name, rs in ranks.items():
        out["modes"][name] = {f: figures([r for r, q in zip(rs, qs) if q.fold == f]) for f in ("tuning", "heldout")}
    out["tuning_misses"] = misses
    return out


def main(argv: list[str] | None = None) -> int:
    p = parser("python -m evals.retrieval", __doc__)  # --home and --json
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--misses", action="store_true", help="list the tuning fold's questions each mode misses at rank 1 (never the held-back fold's)")
    add_batches(p)
    args = p.parse_args(argv)
    return finish(args, evaluate(args.home, args.k, args.batch, args.upto), lambda out: _report(out, args.misses))


def _report(out: dict[str, Any], misses: bool) -> None:
    print(f"{out['documents']} documents; questions: tuning {out['questions']['tuning']}, held back {out['questions']['heldout']}")
    print(f"{'':<18}{'held back: hit@1':>17}{'hit@5':>7}{'MRR':>7}   {'tuning: hit@1':>14}{'hit@5':>7}{'MRR':>7}")
    for name, f in out["modes"].items():
        h, t = f["heldout"], f["tuning"]
        print(f"{name:<18}{h['hit@1']:>17.3f}{h['hit@5']:>7.3f}{h['mrr']:>7.3f}   {t['hit@1']:>14.3f}{t['hit@5']:>7.3f}{t['mrr']:>7.3f}")
    if misses:
        for name, qs in out["tuning_misses"].items():
            print_items(f"{name} misses at rank 1 (tuning fold)", qs)

if __name__ == "__main__":
    sys.exit(main())
