"""A deterministic generator of a realistic corpus for the benchmark: inspection reports with
numbered recommendations and areas for improvement, PCC and force responses quoting them with
status updates, and FOI disclosure-log entries, as multi-page PDFs and .txt/.md files.

The shapes follow corpus/ (the real documents) so that the pipeline's parsers recognise them:
"Recommendation N" blocks and "By <date>, forces should:" lead-ins with lettered parts, numbered
recommendations under theme headings, "Request:" / "Response N:" and "Q1 / A1" disclosures with
FOIA exemptions. Text is built by slot-filling topic banks (VAWG, stalking, custody, MAPPA,
IOM, online CSA, call handling, stop and search, ...), so search is not trivial.

Run: ``python -m evals.gencorpus OUT_DIR [--pages 2000] [--seed 7]``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

from evals.gencorpus_banks import (ADDRESSEES, BOARDS, FORCES, GENERIC, MONTHS, OPENERS, PLACES, QUALIFIERS, STATUS_PHRASES, TOPICS, UNITS,
                                    Topic)
from evals.gencorpus_render import Block, make_pdf, paginate, to_text

TEXT_PAGE_WORDS = 400  # the page equivalent of a .txt/.md file




@dataclass
class Rec:
    """A recommendation as a report printed it."""

    type: str  # Recommendation | Area for improvement
    ref: str
    lead: str  # "By 31 October 2026, forces should:" or the whole text
    parts: list[str] = field(default_factory=list)  # lettered parts (A, B, ...)


@dataclass
class Report:
    """An inspection report, kept so responses can quote it."""

    title: str
    published: date
    force: str
    topic: Topic
    recs: list[Rec]


@dataclass
class Manifest:
    """What was generated."""

    seed: int
    documents: int = 0
    pages: int = 0  # PDF pages plus page equivalents of text files
    pdf_pages: int = 0
    words: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_format: dict[str, int] = field(default_factory=dict)


class Writer:
    """Slot-filled text from the topic banks, with one seeded random source."""

    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    def fill(self, text: str, topic: Topic | None = None, force: str = "Dyfed-Powys") -> str:
        """Fill {place}, {board}, {unit}, {a}, {b}, {p}, {force}, {done} slots."""
        r = self.r
        b = r.randint(20, 140)
        values = {"place": r.choice(PLACES), "board": r.choice(BOARDS), "unit": r.choice(UNITS), "a": r.randint(5, b), "b": b,
                  "p": r.randint(8, 45), "force": force, "done": r.choice(topic.done) if topic else "the work is complete",
                  "when": self.month_year(date(2026, 1, 1) + timedelta(days=r.randint(0, 700)))}
        return text.format(**values)

    def finding(self, topic: Topic, force: str) -> str:
        """One sentence of inspection finding."""
        r = self.r
        opener = self.fill(r.choice(OPENERS), topic, force)
        subject = r.choice(topic.subjects)
        sentence = f"{opener} {subject} {r.choice(topic.findings)}{self.fill(r.choice(QUALIFIERS), topic, force)}."
        return sentence[0].upper() + sentence[1:]

    def paragraph(self, topic: Topic, force: str, sentences: tuple[int, int] = (3, 7)) -> str:
        """A paragraph of findings with the odd general sentence."""
        out = []
        for _ in range(self.r.randint(*sentences)):
            if self.r.random() < 0.2:
                out.append(self.fill(self.r.choice(GENERIC), topic, force))
            else:
                out.append(self.finding(topic, force))
        return " ".join(out)

    def day(self, start: date, span_days: int) -> date:
        """A date within span_days after start."""
        return start + timedelta(days=self.r.randint(0, span_days))

    @staticmethod
    def long_date(d: date) -> str:
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}"

    @staticmethod
    def month_year(d: date) -> str:
        return f"{MONTHS[d.month - 1]} {d.year}"

    def response_text(self, topic: Topic, force: str, status: str) -> list[str]:
        """Paragraphs answering one recommendation, whose wording carries the status."""
        r = self.r
        lead = self.fill(r.choice(STATUS_PHRASES[status]), topic, force)
        paras = [lead]
        if status != "not_applicable":
            extra = [f"{self.fill('The {unit}', topic, force)} has reviewed current practice, and {r.choice(topic.done)}.",
                     f"Progress is reported to the {r.choice(BOARDS)} every quarter.",
                     f"An audit of {r.randint(20, 120)} cases in {r.choice(PLACES)} found that {r.choice(topic.subjects)} {r.choice(topic.findings)}.",
                     f"I have asked the Chief Constable for an update on {r.choice(topic.improvements)} at my next accountability meeting."]
            r.shuffle(extra)
            paras.append(" ".join(extra[: r.randint(1, 3)]))
        return paras


def slug(text: str, words: int = 6) -> str:
    """A file-name slug of the first words of text."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())[:words])


# --- documents as lists of blocks: ("h", heading) ("p", paragraph) ("l", line) ("b", blank) -----------------


def rec_blocks(rec: Rec) -> list[Block]:
    """A recommendation or area for improvement as printed: its heading line, then its text or its lettered parts."""
    blocks: list[Block] = [("l", f"{rec.type} {rec.ref}"), ("b", "")]
    if rec.parts:
        blocks.append(("l", rec.lead))
        for i, part in enumerate(rec.parts):
            end = "; and" if i == len(rec.parts) - 2 else (";" if i < len(rec.parts) - 1 else ".")
            blocks.append(("l", f"- {chr(65 + i)}. {part}{end}"))
    else:
        blocks.append(("p", rec.lead))
    return blocks + [("b", "")]


def make_report(w: Writer, topic: Topic, force: str, published: date, pages: int) -> tuple[Report, list[Block]]:
    """An inspection report: summary, method, themed findings with recommendations and areas for improvement."""
    r = w.r
    template = r.choice(topic.report_titles)
    title = template.replace("{force}", f"{force} Police")
    if r.random() < 0.5 and "{force}" not in template:
        title = f"{title} in {force} Police"
    blocks: list[Block] = [("h", title), ("l", f"Published {w.long_date(published)}"), ("b", "")]
    acr = "; ".join(f"{b} ({a})" for a, b in topic.acronyms)
    blocks.append(("p", f"This report by His Majesty's Inspectorate of Constabulary and Fire & Rescue Services (HMICFRS) sets out our findings on {topic.name}. "
                        f"It draws on fieldwork in {force} Police and elsewhere, and uses the terms {acr}."))
    blocks.append(("h", "Summary"))
    budget = pages * 400
    recs: list[Rec] = []
    n_rec = n_afi = 0
    themes = [s for s in topic.subjects]
    r.shuffle(themes)
    words = sum(len(t.split()) for _, t in blocks)
    for _ in range(2):
        blocks.append(("p", w.paragraph(topic, force)))
    blocks.append(("h", "About this inspection"))
    blocks.append(("p", w.fill(GENERIC[2], topic, force) + " " + w.paragraph(topic, force, (2, 3))))
    theme_i = 0
    while words < budget:
        heading = themes[theme_i % len(themes)]
        theme_i += 1
        blocks.append(("h", heading[0].upper() + heading[1:]))
        for _ in range(r.randint(3, 7)):
            blocks.append(("p", w.paragraph(topic, force)))
        roll = r.random()
        if roll < 0.3:
            n_rec += 1
            deadline = w.long_date(published + timedelta(days=r.randint(120, 540)))
            addressee = r.choice(ADDRESSEES[:3])
            if r.random() < 0.35:
                acts = r.sample(topic.actions, k=min(len(topic.actions), r.randint(2, 3)))
                lead = f"By {deadline}, {addressee} should:"
                rec = Rec("Recommendation", str(n_rec), lead, [a[0].upper() + a[1:] for a in acts])
            else:
                rec = Rec("Recommendation", str(n_rec), f"By {deadline}, {addressee} should {r.choice(topic.actions)}.")
            recs.append(rec)
            blocks += rec_blocks(rec)
        elif roll < 0.5:
            n_afi += 1
            rec = Rec("Area for improvement", str(n_afi), f"The force should improve {r.choice(topic.improvements)}.")
            recs.append(rec)
            blocks += rec_blocks(rec)
        words = sum(len(t.split()) for _, t in blocks)
    blocks.append(("h", "Conclusion"))
    closing = w.paragraph(topic, force, (2, 3))
    blocks.append(("p", f"In conclusion, {closing[0].lower()}{closing[1:]}"))
    return Report(title, published, force, topic, recs), blocks


def _status_mix(w: Writer) -> str:
    return w.r.choices(["complete", "in_progress", "planned", "not_started", "not_applicable"], [30, 35, 20, 10, 5])[0]


def make_pcc_response(w: Writer, report: Report, force: str, when: date) -> list[Block]:
    """The PCC's section 55 response: "Recommendation N", the quoted text, the status update."""
    r = w.r
    topic = report.topic
    blocks: list[Block] = [("l", w.long_date(when)), ("b", ""),
                           ("h", f"Police and Crime Commissioner for {force} response to:"), ("b", ""),
                           ("h", f"{report.title} ({w.month_year(report.published)})"), ("b", "")]
    blocks.append(("p", f"I welcome this report by His Majesty's Inspectorate of Constabulary and Fire & Rescue Services. {w.paragraph(topic, force, (2, 3))}"))
    blocks.append(("p", f"In my capacity as Police and Crime Commissioner, I will monitor the Force's progress through the {r.choice(BOARDS)}, "
                        f"which is chaired by the Deputy Chief Constable. I set out below the reassurances I have received from the Chief Constable."))
    for rec in [x for x in report.recs if x.type == "Recommendation"]:
        blocks.append(("l", f"Recommendation {rec.ref}"))
        blocks.append(("b", ""))
        if rec.parts:
            blocks.append(("l", rec.lead))
            for i, part in enumerate(rec.parts):
                blocks.append(("l", f"- {chr(65 + i)}. {part}"))
        else:
            blocks.append(("p", rec.lead))
        blocks.append(("b", ""))
        for para in w.response_text(topic, force, _status_mix(w)):
            blocks.append(("p", para))
    blocks.append(("p", f"I am grateful to HMICFRS for this report. {w.fill(GENERIC[9], topic, force)}"))
    return blocks


def make_force_response(w: Writer, report: Report, force: str, when: date) -> list[Block]:
    """The force's response: numbered recommendations under theme headings, each with its update."""
    r = w.r
    topic = report.topic
    blocks: list[Block] = [("h", f"Force Response to the HMICFRS report: {report.title} ({w.month_year(when)})"), ("b", "")]
    blocks.append(("p", f"{force} Police would like to thank HMICFRS for the report. {w.paragraph(topic, force, (2, 4))}"))
    blocks.append(("h", "Response to the Recommendations"))
    items = [x for x in report.recs]
    blocks.append(("p", f"In total there were {len(items)} recommendations and areas for improvement in the report, and we have provided a short response to each."))
    for n, rec in enumerate(items, start=1):
        if n % 4 == 1:
            blocks.append(("h", r.choice(["GOVERNANCE", "TRAINING", "RESOURCING", "VICTIM CARE", "INVESTIGATION", "PARTNERSHIP", "DATA AND PERFORMANCE"])))
        text = rec.lead if not rec.parts else f"{rec.lead} {' '.join(rec.parts)}"
        blocks.append(("l", f"{n}. {text}"))
        blocks.append(("b", ""))
        for para in w.response_text(topic, force, _status_mix(w)):
            blocks.append(("p", para))
    blocks.append(("p", "Overall, the force has made good progress and will continue to review these recommendations through its governance."))
    return blocks


EXEMPTIONS = [
    "Some of the information is exempt under Section 31(1)(a) and (b) (law enforcement), as disclosure would be likely to prejudice the prevention or detection of crime.",
    "The names of officers are withheld under Section 40(2) (personal information).",
    "Information relating to ongoing investigations is exempt under Section 30(1)(a) (investigations and proceedings).",
    "This information is already published on our website and is therefore exempt under Section 21 (information reasonably accessible by other means).",
    "The force can neither confirm nor deny that it holds further information by virtue of Section 31(3) and Section 23(5).",
]


def make_foi(w: Writer, topic: Topic, force: str, ref: str, received: date, layout: int) -> list[Block]:
    """A disclosure-log entry: reference, dates, numbered questions and answers, exemptions."""
    r = w.r
    disclosed = received + timedelta(days=r.randint(10, 40))
    year = r.randint(2019, received.year - 1)
    pairs = r.sample(topic.foi, k=min(len(topic.foi), r.randint(1, 3)))
    qa = []
    for q, a in pairs:
        n = r.randint(3, 2400)
        values = {"year": year, "n": n, "m": r.randint(1, max(2, n // 2)), "p": r.randint(40, 97)}
        qa.append((q.format(**values), a.format(**values)))
    if r.random() < 0.5:
        extra = r.choice(EXEMPTIONS)
        qa.append((f"Please provide the names and ranks of the officers responsible for {topic.name} in {force}.", extra))
    if layout == 0:  # the seed's web page: "Request:" with numbered questions, then "Response N:"
        blocks: list[Block] = [("l", f"FOI Reference: {ref}"), ("l", "Request:"),
                               ("l", f"I am writing to request information regarding {topic.name} within your force.")]
        for i, (q, _) in enumerate(qa, start=1):
            blocks.append(("l", f"{i}. {q}"))
        for i, (_, a) in enumerate(qa, start=1):
            blocks.append(("l", f"Response {i}:"))
            blocks.append(("l", f"I can confirm that {force} Police does hold the information requested, as outlined below."))
            blocks.append(("l", a))
        blocks.append(("l", f"(This is a response under the Freedom of Information Act 2000 and disclosed on {disclosed.strftime('%d/%m/%Y')})"))
        return blocks
    blocks = [("l", "Freedom of Information Act 2000 – Disclosure Log"), ("l", f"Our ref: FOI {ref}"),
              ("l", f"Date received: {received.strftime('%d/%m/%Y')}"), ("l", f"Date of response: {disclosed.strftime('%d/%m/%Y')}"), ("b", ""),
              ("l", f"Subject: {topic.name[0].upper() + topic.name[1:]}"), ("b", "")]
    for i, (q, a) in enumerate(qa, start=1):
        blocks.append(("l", f"Q{i} {q}"))
        blocks.append(("l", f"A{i} {a}"))
        blocks.append(("b", ""))
    return blocks


class Corpus:
    """Writes documents into a folder and keeps the manifest."""

    def __init__(self, out: Path, seed: int, pdf_share: float) -> None:
        self.out = out
        self.rng = random.Random(seed)
        self.w = Writer(self.rng)
        self.pdf_share = pdf_share
        self.m = Manifest(seed=seed)
        self.names: set[str] = set()

    def write(self, folder: str, name: str, kind: str, blocks: list[Block], pdf: bool, header: str) -> None:
        """One document, as a PDF or a .txt/.md file."""
        base = name
        n = 2
        while base in self.names:
            base = f"{name}-{n}"
            n += 1
        self.names.add(base)
        target = self.out / folder
        target.mkdir(parents=True, exist_ok=True)
        words = sum(len(t.split()) for _, t in blocks)
        if pdf:
            pages = paginate(blocks, self.rng, header)
            make_pdf(target / f"{base}.pdf", pages)
            self.m.pages += len(pages)
            self.m.pdf_pages += len(pages)
            fmt = "pdf"
        else:
            md = self.rng.random() < 0.4
            fmt = "md" if md else "txt"
            (target / f"{base}.{fmt}").write_text(to_text(blocks, md), encoding="utf-8")
            self.m.pages += max(1, round(words / TEXT_PAGE_WORDS))
        self.m.documents += 1
        self.m.words += words
        self.m.by_kind[kind] = self.m.by_kind.get(kind, 0) + 1
        self.m.by_format[fmt] = self.m.by_format.get(fmt, 0) + 1


def generate(out: str | Path, pages: int = 2000, seed: int = 7, pdf_share: float = 0.7) -> Manifest:
    """Write a corpus of at least ``pages`` pages into ``out``; the same seed always writes the same files.

    Per round: an inspection report (8-30 pages), its PCC response and often a force response,
    and a few FOI disclosures (1-2 pages). Reports and responses are PDFs with probability
    ``pdf_share``; disclosures are text (they come from web disclosure logs).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    c = Corpus(out, seed, pdf_share)
    r, w = c.rng, c.w
    foi_n = r.randint(100, 300)
    while c.m.pages < pages:
        topic = r.choice(TOPICS)
        force = r.choice(FORCES)
        published = w.day(date(2019, 1, 1), 2700)
        report, blocks = make_report(w, topic, force, published, r.randint(8, 30))
        year = published.year
        c.write("reports", f"hmicfrs-{slug(topic.key + ' ' + report.title, 7)}-{year}", "inspection_report", blocks,
                r.random() < pdf_share, "OFFICIAL")
        if any(x.type == "Recommendation" for x in report.recs):
            when = published + timedelta(days=r.randint(30, 56))
            home = r.choice(FORCES[:6])
            c.write("responses", f"pcc-response-{slug(home, 2)}-{slug(report.title, 5)}-{when.year}", "pcc_response",
                    make_pcc_response(w, report, home, when), r.random() < pdf_share, f"Office of the Police and Crime Commissioner for {home}")
        if r.random() < 0.6:
            when = published + timedelta(days=r.randint(60, 400))
            home = r.choice(FORCES[:6])
            c.write("responses", f"force-response-{slug(home, 2)}-{slug(report.title, 5)}-{when.year}", "force_response",
                    make_force_response(w, report, home, when), r.random() < pdf_share, f"{home} Police")
        for _ in range(r.randint(2, 5)):
            foi_n += r.randint(1, 40)
            received = w.day(date(2020, 1, 1), 2300)
            ref = f"{foi_n % 1500}/{received.year}"
            ftopic = r.choice(TOPICS)
            c.write("foi", f"foi-{ref.replace('/', '-')}-{ftopic.key}", "foi_disclosure",
                    make_foi(w, ftopic, r.choice(FORCES[:6]), ref, received, r.randint(0, 1)), False, "")
    (out / "manifest.json").write_text(json.dumps(asdict(c.m), indent=1), encoding="utf-8")
    return c.m


def main(argv: list[str] | None = None) -> int:
    """Write a corpus and print its manifest."""
    p = argparse.ArgumentParser(prog="python -m evals.gencorpus", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", help="folder to write into (created)")
    p.add_argument("--pages", type=int, default=2000, help="at least this many pages (default 2000)")
    p.add_argument("--seed", type=int, default=7, help="random seed: the same seed writes the same corpus")
    p.add_argument("--pdf-share", type=float, default=0.7, help="share of reports and responses written as PDF (default 0.7)")
    args = p.parse_args(argv)
    m = generate(args.out, args.pages, args.seed, args.pdf_share)
    print(json.dumps(asdict(m)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
