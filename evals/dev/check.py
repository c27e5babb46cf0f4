"""Check the development corpus's gold against its documents: schema, and every quoted span verbatim.

Each gold file must name a document that exists; every ``text_start``, ``evidence``, FOI question
start and question evidence must appear in the document's text (compared with runs of white space
made one space, and typographic quotes and dashes made plain). Run:
``python -m evals.dev.check`` (every gold file) or ``python -m evals.dev.check NAME ...``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from evals.dev.folds import fold
from ingest.load import load

HERE = Path(__file__).resolve().parent
DOCS, GOLD = HERE / "docs", HERE / "gold"

KINDS = {"inspection_report", "pcc_response", "force_response", "foi_disclosure", "guidance", "other"}
STATUSES = {"not_started", "planned", "in_progress", "complete", "superseded", "not_applicable", "unknown"}
TYPES = {"recommendation", "area_for_improvement", "cause_of_concern"}
OUTCOMES = {"disclosed_in_full", "disclosed_in_part", "refused", "not_held", "neither_confirm_nor_deny"}
STYLES = {"paraphrase", "acronym", "keyword", "names_body"}
ASKS = {"fact", "what_was_done", "what_was_recommended"}
FAMILIES = {
    "foi_disclosure_log_page", "foi_response_letter", "foi_whatdotheyknow", "pcc_s55_letter", "pcc_web_statement",
    "hmicfrs_report_page", "hmicfrs_report_extract", "hmicfrs_letter", "hmicfrs_monitoring_entry", "joint_inspection_extract",
    "force_progress_report", "committee_paper", "third_party_tracker", "force_press_response", "force_response_to_opcc",
    "guidance_page", "guidance_contents", "other_news", "other_report",
}
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_EXEMPTION = re.compile(r"s\d{1,2}(\(\d{1,2}\))?(\([a-z]\))?")


def norm(text: str) -> str:
    """Text for a verbatim comparison: plain quotes and dashes, one space for any white space, lower case."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u00a0", " ").replace("\u2022", " ")
    return " ".join(text.split()).lower()


def doc_text(path: Path) -> str:
    """The document's extracted text, normalised."""
    return norm(load(path).text)


def check(gold_path: Path) -> list[str]:
    """The problems with one gold file (empty when it is sound)."""
    problems: list[str] = []
    try:
        g: dict[str, Any] = json.loads(gold_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"unreadable: {exc}"]
    doc = DOCS / str(g.get("file", ""))
    if g.get("file") != gold_path.name.removesuffix(".json") or not doc.is_file():
        return [f"file {g.get('file')!r} must be the gold file's name without .json and exist in docs/"]
    text = doc_text(doc)

    def need(cond: bool, what: str) -> None:
        if not cond:
            problems.append(what)

    def verbatim(span: Any, what: str) -> None:
        need(isinstance(span, str) and len(span.strip()) >= 8 and norm(span) in text, f"{what} not verbatim in the document: {span!r}")

    need(isinstance(g.get("modelled_on"), str) and g["modelled_on"].startswith("http"), "modelled_on must be the real page's address")
    need(g.get("family") in FAMILIES, f"family {g.get('family')!r} is not one of the families")
    need(g.get("kind") in KINDS, f"kind {g.get('kind')!r}")
    need(isinstance(g.get("title"), str) and bool(g["title"].strip()), "title is empty")
    if isinstance(g.get("title"), str):
        need(norm(g["title"])[:40] in text, f"title not in the document: {g['title']!r}")
    need(isinstance(g.get("body"), str) and bool(g["body"].strip()), "body is empty")
    need(g.get("date") is None or bool(_ISO.fullmatch(str(g["date"]))), f"date {g.get('date')!r} is not ISO")
    foi = g.get("foi")
    if g.get("kind") == "foi_disclosure":
        need(isinstance(foi, dict), "an FOI disclosure needs its foi record")
    if isinstance(foi, dict):
        for key in ("received", "disclosed"):
            need(foi.get(key) is None or bool(_ISO.fullmatch(str(foi[key]))), f"foi.{key} {foi.get(key)!r} is not ISO")
        need(isinstance(foi.get("reference"), str) and norm(foi["reference"]) in text, f"foi.reference not in the document: {foi.get('reference')!r}")
        need(foi.get("outcome") in OUTCOMES, f"foi.outcome {foi.get('outcome')!r}")
        need(all(isinstance(e, str) and _EXEMPTION.fullmatch(e) for e in foi.get("exemptions", [])), f"foi.exemptions {foi.get('exemptions')!r}")
        need(bool(foi.get("questions")), "foi.questions is empty")
        for q in foi.get("questions", []):
            verbatim(q, "foi question")
    for i, r in enumerate(g.get("recommendations", [])):
        where = f"recommendation {i + 1} ({r.get('ref')})"
        need(r.get("type") in TYPES, f"{where}: type {r.get('type')!r}")
        need(r.get("status") in STATUSES, f"{where}: status {r.get('status')!r}")
        need(r.get("deadline") is None or bool(_ISO.fullmatch(str(r["deadline"]))), f"{where}: deadline {r.get('deadline')!r}")
        verbatim(r.get("text_start"), f"{where}: text_start")
        if r.get("status") != "unknown":
            verbatim(r.get("evidence"), f"{where}: evidence")
    questions = g.get("questions", [])
    need(len(questions) >= 2, "at least two questions")
    for q in questions:
        need(q.get("style") in STYLES and q.get("asks") in ASKS, f"question style/asks: {q.get('style')!r} / {q.get('asks')!r}")
        need(isinstance(q.get("question"), str) and len(q["question"]) > 5, "a question is empty")
        verbatim(q.get("evidence"), "question evidence")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Check the named gold files (or all); print each problem; exit 1 if there is any."""
    names = argv if argv is not None else sys.argv[1:]
    paths = [GOLD / (Path(n).name.removesuffix(".json") + ".json") for n in names] if names else sorted(GOLD.glob("*.json"))
    bad = 0
    for p in paths:
        problems = check(p)
        bad += bool(problems)
        status = "ok" if not problems else f"{len(problems)} problem(s)"
        print(f"{p.name.removesuffix('.json')} [{fold(p.name.removesuffix('.json'))}]: {status}")
        for problem in problems:
            print(f"   - {problem}")
    for u in sorted(HERE.glob("unanswerable-*.jsonl")):
        for n, line in enumerate(u.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                try:
                    row = json.loads(line)
                    assert isinstance(row["question"], str) and row["question"].strip()
                except (ValueError, KeyError, AssertionError):
                    bad += 1
                    print(f"{u.name} line {n}: not a {{\"question\", \"why\"}} object")
    print(f"{len(paths)} gold files, {bad} with problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
