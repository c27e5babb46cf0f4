"""Loaders: PDF (page by page, labels, no-text pages), DOCX, HTML, TXT, Markdown, and bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
from pdfmake import make_pdf

from ingest.load import LoadError, html_to_text, load


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
    with pytest.raises(LoadError, match="unsupported file type"):
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
