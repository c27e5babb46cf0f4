"""Loaders: PDF (page by page, labels, no-text pages), DOCX, HTML, TXT, Markdown, and bad files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pdfmake import make_pdf

from ingest import ocr
from ingest.load import LoadError, _page_warnings, decode_text, load, sniff
from ingest.web import html_to_text


def test_pdf_pages_numbers_labels_and_missing_text_layer(tmp_path: Path) -> None:
    pages = [[f"Page one text about MAPPA {i}"] for i in range(3)]
    pages.insert(1, [])
    pdf = make_pdf(tmp_path / "r.pdf", pages, roman_labels=True)
    src = load(pdf)
    assert src.format == "pdf"
    assert [p.number for p in src.pages] == [1, 2, 3, 4]
    assert [p.label for p in src.pages] == ["i", "ii", "iii", "iv"]
    assert [p.has_text for p in src.pages] == [True, False, True, True]
    assert any("page 2 has no text layer" in w for w in src.warnings)
    for p in src.pages:  # each page's span holds that page's text
        if p.has_text:
            assert "MAPPA" in src.text[p.start:p.end]
    assert src.page_at(src.text.index("MAPPA 2")).number == 4


def test_pdf_plain_numbers_have_no_label(tmp_path: Path) -> None:
    src = load(make_pdf(tmp_path / "a.pdf", [["alpha"], ["beta"]]))
    assert [p.label for p in src.pages] == [None, None]


def test_corrupt_and_empty_and_unsupported_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not really a pdf")
    with pytest.raises(LoadError, match="not a readable PDF|no pages"):
        load(bad)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(LoadError, match="empty"):
        load(empty)
    odd = tmp_path / "sheet.xyz"
    odd.write_text("x")
    with pytest.raises(LoadError, match="files of type '.xyz' cannot be ingested"):
        load(odd)
    fake = tmp_path / "fake.docx"
    fake.write_text("not a zip")
    with pytest.raises(LoadError, match="not a valid DOCX"):
        load(fake)
    with pytest.raises(LoadError, match="no such file"):
        load(tmp_path / "missing.txt")


def test_text_encodings(tmp_path: Path) -> None:
    f = tmp_path / "w.txt"
    f.write_bytes("Caf\u00e9 \u2013 Cymraeg\r\nline two".encode("cp1252"))
    src = load(f)
    assert src.text == "Caf\u00e9 \u2013 Cymraeg\nline two"
    assert any("Windows-1252" in w for w in src.warnings)
    g = tmp_path / "u.md"
    g.write_bytes("\ufeff# Title\n\nBody".encode())
    assert load(g).text == "# Title\n\nBody"


def test_text_encodings_without_a_marker() -> None:
    # UTF-16 without a byte-order mark (every other byte zero), and UTF-8 with one stray Windows-1252 pound sign
    assert decode_text("Caf\u00e9 \u00a35".encode("utf-16-le")) == ("Caf\u00e9 \u00a35", [])
    assert decode_text("\u00a3".encode("utf-16-be") + "10 r\u00e9sum\u00e9".encode("utf-16-be"))[0] == "\u00a310 r\u00e9sum\u00e9"
    text, warnings = decode_text("r\u00e9sum\u00e9 ".encode() + b"\xa3" + b"5 \x93quoted\x94")
    assert text == "r\u00e9sum\u00e9 \u00a35 \u201cquoted\u201d"
    assert warnings and "Windows-1252" in warnings[0]


def test_sniff_names_what_a_file_really_holds() -> None:
    assert sniff(b"%PDF-1.7\n...")[0] == "pdf"
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))[1].startswith("an old-style Office file")
    assert sniff(b"\x89PNG\r\n\x1a\n" + bytes(100))[1] == "a PNG image"
    assert sniff(b"PK\x03\x04 cut short")[1].startswith("an incomplete or damaged zip")
    assert sniff(b"  <!doctype html><title>x</title>")[:2] == ("text", "a web page (HTML)")
    assert sniff("Plain words, \u00a3 and \u201cquotes\u201d".encode("cp1252"))[:2] == ("text", "plain text")
    assert sniff(bytes(range(256)))[0] == "other"


def test_old_word_file_named_docx_and_image_named_pdf(tmp_path: Path) -> None:
    doc = tmp_path / "minutes.docx"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(LoadError, match="minutes.docx: not a valid DOCX file: it holds an old-style Office file .*save it as .docx or PDF"):
        load(doc)
    img = tmp_path / "scan.pdf"
    img.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(600))
    with pytest.raises(LoadError, match="scan.pdf: not a readable PDF: the file holds a PNG image.*print it to PDF"):
        load(img)


def test_page_warnings_name_each_page_and_group_runs() -> None:
    notes = [None, ("ocr", ""), ("ocr", ""), ("no_ocr", ""), None, ("failed", "it took too long"), ("blank", "")]
    assert _page_warnings(notes) == [
        "pages 2-3 had no text layer: their text was read by OCR (check quotes against the original)",
        f"page 4 has no text layer (a scan?) and OCR is not installed ({ocr.INSTALL}): it cannot be searched",
        "page 6 has no text layer and OCR failed (it took too long): it cannot be searched",
        "page 7 has no text layer and no images: it is blank or holds only drawings",
    ]


def test_ocr_helpers() -> None:
    from PIL import Image

    assert ocr.tidy("Line one  \nLine two\n\n\n\nEnd\f") == "Line one\nLine two\n\nEnd"
    a4_at_150 = Image.new("L", (1240, 1754), 255)
    assert ocr.resolution(a4_at_150, 595.2) == 150  # its width across an A4 page
    tiny = Image.new("L", (100, 100), 255)
    assert ocr.resolution(tiny, 595.2) == 70  # never below tesseract's floor


@pytest.mark.skipif(not ocr.available(), reason="tesseract is not installed (apt install tesseract-ocr)")
def test_ocr_failure_is_a_plain_error() -> None:
    from PIL import Image

    with pytest.raises(ocr.OcrError, match="tesseract failed: .*xx"):
        ocr.read_image(Image.new("L", (200, 200), 255), 150, lang="xx")
    assert ocr.read_image(Image.new("L", (400, 400), 255), 150) == ""  # a blank image holds no text


def test_docx_paragraphs_headings_and_tables(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_heading("Response to the Recommendations", level=1)
    d.add_paragraph("The Force has reviewed its use of civil orders.")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Ref", "Status"
    table.cell(1, 0).text, table.cell(1, 1).text = "R1", "Complete"
    path = tmp_path / "r.docx"
    d.save(path)
    src = load(path)
    assert src.format == "docx"
    assert "## Response to the Recommendations" in src.text
    assert "The Force has reviewed its use of civil orders." in src.text
    assert "R1 | Complete" in src.text


def test_html_skips_scripts_and_navigation() -> None:
    page = """<html><head><title>T</title><style>p{}</style></head><body><nav>Home | About</nav>
    <h2>FOI 12/2025</h2><p>The force holds <b>no</b> information.</p><script>alert(1)</script>
    <ul><li>first</li><li>second</li></ul><footer>Cookies</footer></body></html>"""
    text = html_to_text(page)
    assert "## FOI 12/2025" in text
    assert "The force holds no information." in text
    assert "- first" in text and "- second" in text
    assert "alert" not in text and "Home | About" not in text and "Cookies" not in text


def test_html_file(tmp_path: Path) -> None:
    f = tmp_path / "p.html"
    f.write_text("<p>Integrated Offender Management &amp; MAPPA</p>", encoding="utf-8")
    src = load(f)
    assert src.format == "html" and "Integrated Offender Management & MAPPA" in src.text


def test_a_page_of_cards_keeps_every_card_and_each_cards_own_header(tmp_path: Path) -> None:
    """A monitoring page of ten cards (a development document): the main-content extractor kept one card and
    lost nine, so the whole page is read; each article's own header (its title and status) is kept."""
    page = Path(__file__).resolve().parent.parent / "evals" / "dev" / "docs" / "hmicfrs-monitoring-west-mercia-peel-2018-19-recommendations.html"
    text = load(page).text.replace("## ", "")
    for i in range(1, 11):
        assert f"Recommendation {i}\n" in text and f"WMP-PEEL1819-R{i}\n" in text
    assert text.count("HMIC recommends that") == 10
    cards = "".join(f"<article><header><h2>Recommendation {i}</h2><span>Completed</span></header><p>Text {i}.</p></article>" for i in range(3))
    plain = html_to_text(f"<body><header><p>Site search banner</p></header><main>{cards}</main><footer>Copyright</footer></body>")
    assert plain.count("Completed") == 3 and "Recommendation 2" in plain and "Site search banner" not in plain and "Copyright" not in plain


def test_a_request_threads_dates_come_from_its_message_headers(tmp_path: Path) -> None:
    """A WhatDoTheyKnow page: the request's and the response's dates stand only in each message's header."""
    def message(way: str, iso: str, body: str) -> str:
        return (f'<div class="correspondence box {way}_correspondence"><div class="correspondence__header">'
                f'<time datetime="{iso}T12:00:00+00:00">{iso}</time></div><div class="correspondence_text"><p>{body}</p></div></div>')
    page = tmp_path / "wdtk.html"
    page.write_text("<html><head><title>Clare's Law applications</title></head><body><main><h1>Clare's Law applications about police employees</h1>"
                    + message("outgoing", "2024-11-04", "Dear Dyfed-Powys Police, please provide the number of applications made in each year. " * 4)
                    + message("incoming", "2024-11-04", "Thank you for your request for information. We will respond within 20 working days. " * 3)
                    + message("incoming", "2024-12-02", "Dyfed-Powys Police does not hold the information you have requested. " * 5)
                    + message("outgoing", "2024-12-03", "Thank you for your reply, which I have read with care. " * 3)
                    + "</main></body></html>", encoding="utf-8")
    text = load(page).text
    assert "Date of request: 4 November 2024" in text and "Date responded: 2 December 2024" in text
    from ingest.foi import parse_foi
    from ingest.clean import clean

    record = parse_foi(clean(load(page)).text)
    assert record.received == "2024-11-04" and record.disclosed == "2024-12-02"


def test_a_page_of_sibling_sections_inside_main_keeps_them_all(tmp_path: Path) -> None:
    """The extractor kept only the biggest of a page's sibling <section>s (the areas for improvement), losing the cause of
    concern and the status legend; the page's own <main> is then read whole. The page: the development corpus's Suffolk
    tracker, its blocks made <section>s as the real site has them."""
    page = (Path(__file__).resolve().parents[1] / "evals/dev/docs/accountabilityindex-hmicfrs-peel-2023-25-suffolk-constabulary.html").read_text(encoding="utf-8")
    page = re.sub(r'<div class="(applicable|legend|findings causes|findings afis|related)">', r'<section class="\1">', page)
    page = re.sub(r"^(\s*)</div>$", r"\1</section>", page, flags=re.M)
    assert page.count("<section") == 5 and page.count("</section>") == 5
    path = tmp_path / "suffolk.html"
    path.write_text(page, encoding="utf-8")
    text = load(path).text
    assert "Open means the finding has not been closed" in text
    assert "The constabulary needs to improve the time it takes to answer emergency" in text  # the cause of concern
    assert "The constabulary needs to improve the time it takes to record crimes" in text
