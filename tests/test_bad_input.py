"""Bad input through the real pipeline: every failure is reported in plain words, the good files
in a batch are ingested, and nothing already stored is lost.

Corrupt, encrypted and scanned PDFs (OCR by Tesseract when installed), empty and oversized
files, wrong extensions, text that is not UTF-8, and DOCX files that are not DOCX. Each test
ingests files made here with ``KB.ingest`` and reads the FileReport and the store's counts.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import CORPUS, FOI, MAPPA
from pdfmake import make_pdf

from ingest import ocr
from kb.search.embed import Embedder
from kb.documents.sources import FileReport
from kb.service import KB

needs_ocr = pytest.mark.skipif(not ocr.available(), reason="tesseract is not installed (apt install tesseract-ocr): OCR cannot be tested")

TEXT_PAGE = "The MOSOVO team manages registered sex offenders across the county."
SCANNED = ["Harbourside custody suites", "were inspected in March 2026", "and the cells were clean."]


# --- helpers ------------------------------------------------------------------------------

def _font(size: int) -> object:
    """A real TrueType font: DejaVu Sans where the system has it, else Pillow's own scalable font."""
    from PIL import ImageFont

    for path in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"):
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def scanned_pdf(path: Path, lines: list[str]) -> Path:
    """A one-page PDF that is only a picture of text (an A4 'scan' at 150 dpi), as a scanner writes it."""
    from PIL import Image, ImageDraw

    page = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(page)
    for i, line in enumerate(lines):
        draw.text((110, 160 + 70 * i), line, fill=0, font=_font(44))
    page.save(path, format="PDF", resolution=150)
    return path


def text_then_scan(path: Path, scan_lines: list[str]) -> Path:
    """Page 1 has a text layer; page 2 is a scan with no text layer."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.append(str(make_pdf(path.with_suffix(".p1.pdf"), [[TEXT_PAGE]])))
    writer.append(str(scanned_pdf(path.with_suffix(".p2.pdf"), scan_lines)))
    writer.write(path)
    path.with_suffix(".p1.pdf").unlink()
    path.with_suffix(".p2.pdf").unlink()
    return path


def encrypted_pdf(path: Path, user_password: str) -> Path:
    """A text PDF encrypted with AES-256; an empty user password opens without asking."""
    from pypdf import PdfWriter

    plain = make_pdf(path.with_suffix(".plain.pdf"), [["Stalking Protection Orders were reviewed by the Force in 2024."]])
    writer = PdfWriter(clone_from=str(plain))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-256")
    writer.write(path)
    plain.unlink()
    return path


def counts(knowledge: KB) -> dict[str, int]:
    """Documents, chunks, FTS rows and vectors, after checking SQLite and Chroma agree."""
    c = dict(knowledge.store.counts())
    c["vectors"] = knowledge.vectors.count()
    assert c["chunks"] == c["fts_rows"]
    assert knowledge.vectors.ids() == knowledge.store.chunk_ids()
    return c


def failed(report: FileReport, *phrases: str) -> None:
    """A failure the user can act on: status failed, the file named first, the expected words present."""
    assert report.status == "failed", (report.name, report.status, report.warnings)
    assert report.error.startswith(report.name + ":") or report.error.startswith(report.path), report.error
    assert "Traceback" not in report.error and "\n" not in report.error
    for phrase in phrases:
        assert phrase in report.error, (phrase, report.error)


def ingest_one(knowledge: KB, path: Path) -> FileReport:
    """Ingest one file and return its report."""
    [report] = knowledge.ingest([path])
    return report


def stored_text(knowledge: KB, name: str) -> str:
    """The source text the store holds for a document."""
    [doc] = knowledge.store.documents_named(name)
    return knowledge.store.source_text(doc["id"])


# --- PDFs ---------------------------------------------------------------------------------

def test_corrupt_pdfs_are_refused_with_a_reason(fresh_kb: KB, tmp_path: Path) -> None:
    whole = make_pdf(tmp_path / "whole.pdf", [["Recommendation 1 is about MAPPA."], ["Page two."]]).read_bytes()
    (tmp_path / "truncated.pdf").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "garbage.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    for name in ("truncated.pdf", "garbage.pdf"):
        failed(ingest_one(fresh_kb, tmp_path / name), "not a readable PDF", "damaged or incomplete", "save a new copy")
    assert counts(fresh_kb)["documents"] == 0


def test_pdf_encrypted_with_an_empty_password_is_ingested(fresh_kb: KB, tmp_path: Path) -> None:
    report = ingest_one(fresh_kb, encrypted_pdf(tmp_path / "open.pdf", user_password=""))
    assert report.status == "added", report.error
    assert report.chunks >= 1
    assert fresh_kb.search("Stalking Protection Orders", mode="lexical")[0].doc == "open.pdf"


def test_password_protected_pdf_is_refused(fresh_kb: KB, tmp_path: Path) -> None:
    report = ingest_one(fresh_kb, encrypted_pdf(tmp_path / "locked.pdf", user_password="letmein"))
    failed(report, "password-protected", "save a copy without protection")
    assert counts(fresh_kb)["documents"] == 0


@needs_ocr
def test_scanned_page_is_read_by_ocr_and_searchable(fresh_kb: KB, tmp_path: Path) -> None:
    report = ingest_one(fresh_kb, text_then_scan(tmp_path / "inspection.pdf", SCANNED))
    assert report.status == "added" and report.pages == 2, report.error
    assert any(w.startswith("page 2 had no text layer: its text was read by OCR") for w in report.warnings), report.warnings
    assert not any("page 1" in w for w in report.warnings)
    hit = fresh_kb.search("Harbourside custody suites", mode="lexical")[0]
    assert hit.doc == "inspection.pdf" and "Harbourside custody suites" in hit.text
    page1, page2 = fresh_kb.page_text("inspection.pdf", 1)[0], fresh_kb.page_text("inspection.pdf", 2)[0]
    assert "MOSOVO" in page1 and "Harbourside" not in page1  # the OCR'd text sits on its own page
    assert "Harbourside custody suites" in page2 and "March 2026" in page2


@needs_ocr
def test_scan_under_a_one_word_stamp_is_read_by_ocr(fresh_kb: KB, tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    # a scanned page with a typed protective marking stamped on it: the text layer is one word
    stamp = PdfReader(make_pdf(tmp_path / "stamp.pdf", [["OFFICIAL"]])).pages[0]
    writer = PdfWriter(clone_from=str(scanned_pdf(tmp_path / "scan.pdf", SCANNED)))
    writer.pages[0].merge_page(stamp)
    writer.write(tmp_path / "stamped.pdf")
    report = ingest_one(fresh_kb, tmp_path / "stamped.pdf")
    assert report.status == "added"
    assert any(w.startswith("page 1 had almost no text layer (a scan?): its text was read by OCR") for w in report.warnings), report.warnings
    page = fresh_kb.page_text("stamped.pdf", 1)[0]
    assert "OFFICIAL" in page and "Harbourside custody suites" in page


@needs_ocr
def test_scanned_page_where_ocr_finds_nothing_says_so(fresh_kb: KB, tmp_path: Path) -> None:
    report = ingest_one(fresh_kb, text_then_scan(tmp_path / "blank-scan.pdf", []))
    assert report.status == "added"
    assert "page 2 has no text layer and OCR found no text on it: it cannot be searched" in report.warnings


def test_scanned_page_without_ocr_is_reported_page_by_page(fresh_kb: KB, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pdf = text_then_scan(tmp_path / "scan.pdf", SCANNED)
    scan_only = scanned_pdf(tmp_path / "scan-only.pdf", SCANNED)
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))  # a machine without tesseract
    assert not ocr.available()
    report = ingest_one(fresh_kb, pdf)
    assert report.status == "added"
    assert "page 2 has no text layer (a scan?) and OCR is not installed (apt install tesseract-ocr): it cannot be searched" in report.warnings
    assert fresh_kb.search("MOSOVO", mode="lexical")[0].doc == "scan.pdf"  # page 1 still searchable
    only = ingest_one(fresh_kb, scan_only)
    assert any("no page has a text layer and OCR is not installed" in w for w in only.warnings), only.warnings
    assert only.chunks == 0 and any("no searchable text" in w for w in only.warnings)


# --- files that are empty, too big, or not what their name says ------------------------------

def test_empty_files_are_refused(fresh_kb: KB, tmp_path: Path) -> None:
    (tmp_path / "zero.txt").write_bytes(b"")
    (tmp_path / "zero.pdf").write_bytes(b"")
    (tmp_path / "blank.md").write_text("  \n\n\t\n")
    failed(ingest_one(fresh_kb, tmp_path / "zero.txt"), "empty (0 bytes)", "check that it was saved or downloaded completely")
    failed(ingest_one(fresh_kb, tmp_path / "zero.pdf"), "empty (0 bytes)")
    failed(ingest_one(fresh_kb, tmp_path / "blank.md"), "empty", "blank space")


def test_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path, embedder: Embedder) -> None:
    knowledge = KB(home=str(tmp_path / "home"), embedder=embedder, max_file_mb=1)
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * (2 * 1024 * 1024 // 8))  # 2 MB that no PDF reader could parse
    report = ingest_one(knowledge, big)
    failed(report, "over the 1 MB limit")
    assert "readable" not in report.error and "damaged" not in report.error  # refused on its size, never opened
    small = tmp_path / "small.pdf"
    small.write_bytes(big.read_bytes()[:4096])
    failed(ingest_one(knowledge, small), "not a readable PDF")  # the same bytes, under the limit, are read and refused
    assert counts(knowledge)["documents"] == 0


def test_wrong_extensions(fresh_kb: KB, tmp_path: Path) -> None:
    (tmp_path / "setup.exe").write_bytes(b"MZ\x90\x00" + bytes(200))
    failed(ingest_one(fresh_kb, tmp_path / "setup.exe"), "files of type '.exe' cannot be ingested", "PDF", "leave it out")
    (tmp_path / "download.pdf").write_text("<!DOCTYPE html><html><body><h1>403 Forbidden</h1></body></html>")
    failed(ingest_one(fresh_kb, tmp_path / "download.pdf"), "not a readable PDF", "web page", "download the PDF again")
    (tmp_path / "notes.pdf").write_text("Notes of the VAWG Delivery Group meeting.")
    failed(ingest_one(fresh_kb, tmp_path / "notes.pdf"), "plain text, not a PDF", "right extension")
    (tmp_path / "program.txt").write_bytes(bytes(range(256)) * 8)
    failed(ingest_one(fresh_kb, tmp_path / "program.txt"), "not a text file", "binary data")
    assert counts(fresh_kb)["documents"] == 0
    # a real PDF with the wrong name is read for what it is, and the report says so
    make_pdf(tmp_path / "minutes.txt", [["Minutes: the Force agreed the MARAC action plan."]])
    report = ingest_one(fresh_kb, tmp_path / "minutes.txt")
    assert report.status == "added" and report.pages == 1
    assert any("named '.txt' but is really a PDF" in w for w in report.warnings), report.warnings
    assert fresh_kb.search("MARAC action plan", mode="lexical")[0].doc == "minutes.txt"


def test_text_that_is_not_utf8_is_decoded(fresh_kb: KB, tmp_path: Path) -> None:
    body = "The PCC\u2019s \u201cVAWG\u201d fund \u2013 \u00a3250,000 \u2013 was agreed by the caf\u00e9 panel."
    (tmp_path / "cp1252.txt").write_bytes(body.encode("cp1252"))
    latin = "Grant of \u00a31,500 to the na\u00efve caf\u00e9 project; \u00bd spent."
    (tmp_path / "latin1.txt").write_bytes(latin.encode("latin-1"))
    (tmp_path / "utf16.txt").write_bytes(body.replace("VAWG", "MAPPA").encode("utf-16"))  # with a byte-order mark
    reports = {r.name: r for r in fresh_kb.ingest([tmp_path / n for n in ("cp1252.txt", "latin1.txt", "utf16.txt")])}
    assert [r.status for r in reports.values()] == ["added"] * 3, [r.error for r in reports.values()]
    assert stored_text(fresh_kb, "cp1252.txt").strip() == body
    assert stored_text(fresh_kb, "latin1.txt").strip() == latin
    assert stored_text(fresh_kb, "utf16.txt").strip() == body.replace("VAWG", "MAPPA")
    assert any("not UTF-8" in w and "Windows-1252" in w for w in reports["cp1252.txt"].warnings)
    assert not reports["utf16.txt"].warnings  # UTF-16 with a byte-order mark is a proper encoding
    assert fresh_kb.search("\u00a3250,000", mode="lexical")[0].doc in {"cp1252.txt", "utf16.txt"}


def test_docx_that_is_not_a_docx(fresh_kb: KB, tmp_path: Path) -> None:
    import docx

    (tmp_path / "renamed.docx").write_text("A plain text note saved with the wrong name.")
    failed(ingest_one(fresh_kb, tmp_path / "renamed.docx"), "not a valid DOCX file", "plain text")
    with zipfile.ZipFile(tmp_path / "archive.docx", "w") as z:
        z.writestr("notes/readme.txt", "not a Word document")
    failed(ingest_one(fresh_kb, tmp_path / "archive.docx"), "not a valid DOCX file", "no word/document.xml")
    with zipfile.ZipFile(tmp_path / "sheet.docx", "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    failed(ingest_one(fresh_kb, tmp_path / "sheet.docx"), "an Excel workbook", "save it as .docx or PDF")
    buf = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Recommendation 2: the Force should publish its stalking data.")
    document.save(buf)
    (tmp_path / "cut.docx").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    failed(ingest_one(fresh_kb, tmp_path / "cut.docx"), "not a valid DOCX file", "damaged")
    assert counts(fresh_kb)["documents"] == 0


# --- a batch of good and bad files ------------------------------------------------------------

def test_batch_ingests_the_good_lists_the_bad_and_keeps_what_was_stored(fresh_kb: KB, tmp_path: Path) -> None:
    import docx

    stored = tmp_path / "stored"
    stored.mkdir()
    for name in (FOI, MAPPA):
        shutil.copy(CORPUS / name, stored / name)
    assert [r.status for r in fresh_kb.ingest([stored])] == ["added", "added"]
    before = counts(fresh_kb)
    ids_before = fresh_kb.store.chunk_ids()
    mappa_text = stored_text(fresh_kb, MAPPA)
    # the stored MAPPA response is overwritten by a broken file: the copy in the store must survive
    (stored / MAPPA).write_bytes(b"\x00\x01\x02" * 500)

    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "good.txt").write_text("Integrated Offender Management panels meet monthly in each local policing area.")
    d = docx.Document()
    d.add_paragraph("The Domestic Abuse Related Death Review reported in June.")
    d.save(batch / "good.docx")
    (batch / "empty.txt").write_bytes(b"")
    (batch / "broken.pdf").write_bytes(b"%PDF-1.4 half a file")
    encrypted_pdf(batch / "locked.pdf", user_password="letmein")
    (batch / "fake.docx").write_text("not a docx")
    reports = {r.name: r for r in fresh_kb.ingest([batch, stored / MAPPA])}

    assert reports["good.txt"].status == "added" and reports["good.docx"].status == "added"
    failed(reports["empty.txt"], "empty")
    failed(reports["broken.pdf"], "not a readable PDF")
    failed(reports["locked.pdf"], "password-protected")
    failed(reports["fake.docx"], "not a valid DOCX file")
    failed(reports[MAPPA], "not a text file")
    after = counts(fresh_kb)
    assert after["documents"] == before["documents"] + 2
    assert ids_before <= fresh_kb.store.chunk_ids()  # every chunk stored before is still there
    assert after["chunks"] == before["chunks"] + reports["good.txt"].chunks + reports["good.docx"].chunks
    assert after["vectors"] == after["chunks"]
    assert stored_text(fresh_kb, MAPPA) == mappa_text
    assert fresh_kb.search("Domestic Abuse Related Death Review", mode="lexical")[0].doc == "good.docx"
