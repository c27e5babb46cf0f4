"""Section 55 drafts: cited prior statements for covered themes, a marked gap for the rest,
verbatim quotes, the DOCX, and the 56-day clock."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import CORPUS, CSA, MAPPA, STALKING

import app
from kb.register.draft import UPDATE, applies, clock
from kb.search.embed import Embedder
from kb.errors import KBError
from kb.service import KB

REPORT = Path(__file__).resolve().parent / "data" / "draft" / "hmicfrs-test-report-2026.md"
NAME = REPORT.name


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder):  # type: ignore[no-untyped-def]
    kb = KB(home=str(tmp_path_factory.mktemp("draft_home")), embedder=embedder)
    kb.ingest([CORPUS, REPORT])
    return kb, kb.draft(NAME, today=date(2026, 11, 23))


def test_covered_themes_cite_the_right_seed_passages(drafted) -> None:  # type: ignore[no-untyped-def]
    kb, d = drafted
    assert d.published == "2026-11-15" and [r.ref for r in d.recommendations] == ["1", "2", "3", "4"]
    docs = {r.ref: {s["doc"] for s in r.prior_statements} for r in d.recommendations}
    assert STALKING in docs["1"] and MAPPA in docs["2"] and CSA in docs["3"]
    assert any("embedded practice" in s["quote"] for s in d.recommendations[2].prior_statements)  # visits: the Rec 10 assurance
    for r in d.recommendations[:3]:
        assert r.applies_to_force and "[1]" in d.to_markdown() and UPDATE in r.draft


def test_uncovered_theme_is_a_marked_gap_without_citations(drafted) -> None:  # type: ignore[no-untyped-def]
    _, d = drafted
    drones = d.recommendations[3]
    assert drones.prior_statements == [] and "[Force update required" in drones.draft and "[" + "1]" not in drones.draft
    assert "No earlier statement" in drones.draft


def test_every_quote_is_verbatim_in_its_cited_source(drafted) -> None:  # type: ignore[no-untyped-def]
    kb, d = drafted
    rows = kb.store.chunks_by_ids([s.chunk_id for s in d.sources])
    assert d.sources and all(s.quote in rows[s.chunk_id]["text"] for s in d.sources)
    for r in d.recommendations:
        for s in r.prior_statements:
            assert f"\u201c{s['quote']}\u201d [{s['n']}]" in r.draft
    # the draft invents nothing: outside the quotes it is only fixed phrases
    for r in d.recommendations:
        rest = r.draft
        for s in r.prior_statements:
            rest = rest.replace(f"\u201c{s['quote']}\u201d [{s['n']}]", "").replace(s.get("about") or "\u0000", "")
        assert not any(ch.isdigit() for ch in rest.replace("[Force update required", ""))


def test_docx_read_back(drafted, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import docx

    _, d = drafted
    path = d.to_docx(tmp_path / "draft.docx")
    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    assert paragraphs[0].startswith("Draft: PCC response to HMICFRS inspection of public protection in Anyshire")
    assert sum(1 for p in paragraphs if p.startswith("Recommendation ")) == 4
    references = [p for p in paragraphs if p.startswith("[") and "]" in p[:5]]
    assert len(references) == len(d.sources) and all(s.quote in references[i] for i, s in enumerate(d.sources))


def test_the_clock_across_month_and_year() -> None:
    assert clock(date(2026, 11, 15), 14, date(2026, 11, 23)) == ("2027-01-10", "2026-12-27", 48)
    assert clock(date(2027, 2, 10), 7, date(2027, 4, 10))[0] == "2027-04-07"  # February, not a leap year
    assert clock(date(2026, 12, 1), 14, date(2027, 2, 1))[2] == -6  # due 2027-01-26: overdue


def test_addressees() -> None:
    assert applies("forces")[0] and applies("the Home Office and forces")[0]
    ok, reason = applies("the Home Office")
    assert not ok and "not to the force" in reason
    assert applies("HMCTS")[0] is False and applies(None)[0]


def test_cli_json_and_errors(drafted, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    kb, _ = drafted
    kb_bin = str(Path(sys.executable).parent / "kb")
    out = subprocess.run([kb_bin, "--home", str(kb.config.home), "draft", NAME, "--json", "--docx", str(tmp_path / "d.docx")],
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) >= {"report", "published", "due", "recommendations"} and data["due"] == "2027-01-10"
    assert set(data["recommendations"][0]) >= {"ref", "text", "addressee", "applies_to_force", "related", "prior_statements", "other_responses", "draft"}
    assert (tmp_path / "d.docx").exists()
    with pytest.raises(KBError, match="no document"):
        kb.draft("nothing.pdf")
    with pytest.raises(KBError, match="YYYY-MM-DD"):
        kb.draft(NAME, published="15/11/2026")


def test_app_draft_panel(drafted) -> None:  # type: ignore[no-untyped-def]
    kb, _ = drafted
    app._state["kb"] = kb
    try:
        markdown, path = app.do_draft(NAME, "")
        assert "## Recommendation 4" in markdown and path.endswith(".docx") and Path(path).exists()
    finally:
        app._state.pop("kb", None)
