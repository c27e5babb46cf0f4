"""The cleaner: furniture out, content kept, and every clean character mapped back to the source."""

from __future__ import annotations

from pathlib import Path

from conftest import CORPUS, CSA, FOI, IOM, MAPPA, STALKING
from pdfmake import make_pdf

from ingest.clean import clean, line_reason
from ingest.load import load
from ingest.records import Clean, Source


def assert_mapped(c: Clean, s: Source) -> None:
    """Every non-space character of the clean text is the source character it maps to."""
    assert len(c.offsets) == len(c.text)
    for i, ch in enumerate(c.text):
        if not ch.isspace():
            assert s.text[c.offsets[i]] == ch, (i, ch)
    assert list(c.offsets) == sorted(c.offsets)


def test_foi_site_chrome_removed_content_kept() -> None:
    s = load(CORPUS / FOI)
    c = clean(s)
    assert "cookie" not in c.text.lower()
    assert "Leave this site" not in c.text and "This site is a beta" not in c.text
    assert "technical problem" not in c.text
    assert "Os oes angen" not in c.text  # Welsh notice is furniture
    assert c.text.startswith("FOI Reference: 392/2026")
    assert "Dyfed Powys Police do not have a separate high-harm OMU." in c.text
    assert "disclosed on 08/05/2026" in c.text
    reasons = {r.reason for r in c.removed}
    assert {"website chrome or cookie banner", "Welsh-language notice"} <= reasons
    assert_mapped(c, s)


def test_stalking_letterhead_address_and_bilingual_notice_removed() -> None:
    s = load(CORPUS / STALKING)
    c = clean(s)
    for furniture in ("SA31 2PF", "Prif Gwnstabl", "Heddlu Police", "www.dyfed-powys.police.uk", "croesawu gohebiaeth", "welcomes correspondence in Welsh"):
        assert furniture not in c.text, furniture
    assert "**" not in c.text and "###" not in c.text
    assert "Longer term sustainable funding should be identified by the Force" in c.text
    assert "This recommendation is for the HMCTS." in c.text
    assert_mapped(c, s)


def test_markup_removed_and_superscripts_joined() -> None:
    s = load(CORPUS / MAPPA)
    c = clean(s)
    assert c.text.startswith("8th September 2022")
    assert "<sup>" not in c.text
    assert "Recommendation 15" in c.text
    assert_mapped(c, s)


def test_welsh_header_notices_removed_from_csa_response() -> None:
    c = clean(load(CORPUS / CSA))
    assert "ar gael yn Gymraeg" not in c.text and "AVAILABLE IN WELSH" not in c.text
    assert c.text.startswith("Police and Crime Commissioner for Dyfed-Powys response to:")


def test_guidance_page_keeps_everything() -> None:
    s = load(CORPUS / IOM)
    c = clean(s)
    assert c.removed == []
    assert "IOM Cymru Toolkit" in c.text
    assert_mapped(c, s)


def test_pdf_repeated_headers_footers_and_page_numbers(tmp_path: Path) -> None:
    pages = []
    for i in range(1, 6):
        pages.append([
            "Dyfed-Powys OPCC Assurance Report 2025",
            f"Paragraph {i}: the force reviewed {['MAPPA', 'IOM', 'MARAC', 'DASH', 'ARMS'][i - 1]} arrangements in quarter {i}.",
            f"Further detail number {i * 7} on workloads for topic {'abcde'[i - 1]}.",
            f"Page {i} of 5",
        ])
    s = load(make_pdf(tmp_path / "h.pdf", pages))
    c = clean(s)
    assert "Assurance Report 2025" not in c.text
    assert "Page 3 of 5" not in c.text
    for word in ("MAPPA", "IOM", "MARAC", "DASH", "ARMS"):
        assert word in c.text
    assert sum(r.reason == "repeated header or footer" for r in c.removed) >= 5
    assert_mapped(c, s)


def test_line_rules_leave_content_alone() -> None:
    assert line_reason("The cookie policy was reviewed by the board in 2024 as part of the audit.") is None
    assert line_reason("Welsh language services were part of the inspection.") is None
    assert line_reason("Page 4 of 12") == "page number"
    assert line_reason("www.example.police.uk") == "web address"
    assert line_reason("We use essential cookies to make our website work.") == "website chrome or cookie banner"
