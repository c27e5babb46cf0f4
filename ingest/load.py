"""Load a file into a ``Source``: PDF (page by page), DOCX, HTML, TXT and Markdown.

Every loader returns plain text in which markdown-style cues survive (``## `` for headings,
``- `` for list items), so that the cleaner and the structure finder treat all formats alike.

The extension picks the loader, but the bytes are checked first: a PDF or Word document
with the wrong name is read for what it is (with a warning), while a file that claims to be
a PDF or DOCX and is not one is refused with a message saying what it really holds (often a
download that failed). PDF pages with no text layer are read by OCR (``ingest.ocr``) when
Tesseract is installed, and every such page is reported.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import zipfile
from pathlib import Path
from typing import Any

from ingest import ocr
from ingest.records import PAGE_BREAK, Page, Source
from ingest.web import html_to_text, main_content

log = logging.getLogger(__name__)
# pypdf logs every repair it makes ("EOF marker not found"); a bad file becomes one LoadError instead
logging.getLogger("pypdf").setLevel(logging.ERROR)

FORMATS = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html", ".txt": "txt", ".md": "md", ".markdown": "md"}
_TEXT_FORMATS = {"html", "txt", "md"}
_FEW_WORDS = 4  # a page whose text layer has fewer words than this (a stamp, a page number) may be a scan
_BIG_SCAN = 600  # pixels on each side: an image that size on a nearly empty page is a scanned page


class LoadError(Exception):
    """A file that cannot be read; the message is written for the user."""


def load(path: str | Path) -> Source:
    """Read one file into a Source, choosing the loader by extension and checking the bytes agree."""
    p = Path(path)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise LoadError(f"{p.name}: files of type '{p.suffix or '(no extension)'}' cannot be ingested; only PDF, Word (.docx), HTML, "
                        f"text (.txt) and Markdown (.md) files can. Save it in one of these formats, or leave it out")
    if not p.is_file():
        raise LoadError(f"{p}: no such file")
    data = p.read_bytes()
    if not data:
        raise LoadError(f"{p.name}: the file is empty (0 bytes), so there is nothing to ingest; check that it was saved or downloaded completely")
    if not data.strip():
        raise LoadError(f"{p.name}: the file is empty (it holds only blank space), so there is nothing to ingest")
    fmt, warnings = _check_format(p, fmt, data)
    loader = {"pdf": _load_pdf, "docx": _load_docx, "html": _load_html, "txt": _load_text, "md": _load_text}[fmt]
    source = loader(p, data)
    source.format = fmt
    source.warnings[:0] = warnings
    return source


# --- what the bytes really are ------------------------------------------------------------

_MAGIC = [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Office file (.doc, .xls or .ppt)", "open it in Word or LibreOffice and save it as .docx or PDF"),
    (b"MZ", "a Windows program", "programs cannot be ingested: leave it out"),
    (b"\x7fELF", "a program", "programs cannot be ingested: leave it out"),
    (b"\x89PNG", "a PNG image", "put the image in a PDF (print it to PDF) so that it can be read by OCR"),
    (b"\xff\xd8\xff", "a JPEG image", "put the image in a PDF (print it to PDF) so that it can be read by OCR"),
    (b"II*\x00", "a TIFF image", "put the image in a PDF (print it to PDF) so that it can be read by OCR"),
    (b"MM\x00*", "a TIFF image", "put the image in a PDF (print it to PDF) so that it can be read by OCR"),
    (b"GIF8", "a GIF image", "put the image in a PDF (print it to PDF) so that it can be read by OCR"),
    (b"{\\rtf", "a Rich Text (RTF) document", "open it in Word or LibreOffice and save it as .docx or PDF"),
]
_ZIP_KINDS = [
    ("xl/", "an Excel workbook"), ("ppt/", "a PowerPoint presentation"), ("content.xml", "an OpenDocument file (LibreOffice)"),
]


def sniff(data: bytes) -> tuple[str, str, str]:
    """What the bytes hold: (format, description, what to do).

    ``format`` is ``pdf``, ``docx``, ``text``, or ``other``; the description and the advice
    are phrases for messages.
    """
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return "pdf", "a PDF", ""
    if data[:4] == b"PK\x03\x04":
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return "other", "an incomplete or damaged zip archive (a Word file is one)", "open the original in Word and save a new copy, or download it again"
        if "word/document.xml" in names:
            return "docx", "a Word document", ""
        kind = next((what for prefix, what in _ZIP_KINDS if any(n.startswith(prefix) for n in names)), "a zip archive")
        return "other", f"{kind}, not a Word document (there is no word/document.xml inside)", "save it as .docx or PDF from the program that made it"
    for magic, what, todo in _MAGIC:
        if data.startswith(magic) and (magic == b"{\\rtf" or _looks_binary(data)):  # text may start "MZ..." too
            return "other", what, todo
    if _text_encoding(data) is None and _looks_binary(data):
        return "other", "binary data, not text", "check what the file is; only documents can be ingested"
    head = data[:2048].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:512]:
        return "text", "a web page (HTML)", ""
    return "text", "plain text", ""


def _check_format(p: Path, fmt: str, data: bytes) -> tuple[str, list[str]]:
    """The loader to use, given the extension and the bytes, and any warning about a mismatch."""
    if fmt == "pdf" and b"%PDF-" in data[:1024]:  # readers allow a little junk before the header
        return fmt, []
    real, what, todo = sniff(data)
    if real in ("pdf", "docx"):
        if real == fmt:
            return fmt, []
        return real, [f"the file is named '{p.suffix}' but is really {what}: it was read as one (rename it to .{real} to avoid confusion)"]
    if fmt == "pdf":
        todo = todo or "open it to check; if it was downloaded, download the PDF again, or give the file the right extension"
        raise LoadError(f"{p.name}: not a readable PDF: the file holds {what}, not a PDF (a download that failed, or a renamed file?); {todo}")
    if fmt == "docx":
        todo = todo or "open it to check, then save it from Word as .docx, or give the file the right extension"
        raise LoadError(f"{p.name}: not a valid DOCX file: it holds {what}; {todo}")
    if real == "other":
        raise LoadError(f"{p.name}: not a text file: it holds {what}; {todo}")
    return fmt, []


# --- text ---------------------------------------------------------------------------------

def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Decode the bytes that are not UTF-8 as Windows-1252 (so £, € and curly quotes survive)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start:exc.end].decode("cp1252", errors="replace"), exc.end


codecs.register_error("ingest.cp1252", _cp1252_fallback)


def _text_encoding(data: bytes) -> str | None:
    """'utf-32' or 'utf-16' (with their byte order) when the bytes say so, else None."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[:4096]
    if len(sample) >= 4:  # UTF-16 without a byte-order mark: every other byte of ASCII text is zero
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be"
    return None


def _looks_binary(data: bytes) -> bool:
    """Whether bytes hold control characters that text never has (more than a stray one)."""
    sample = data[:65536]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 26, 27))
    return controls > max(2, 0.02 * len(sample))


def decode_text(data: bytes) -> tuple[str, list[str]]:
    """Decode bytes as UTF-8 (BOM allowed), UTF-16/32 with a BOM, else Windows-1252 where not UTF-8; normalise line ends."""
    warnings: list[str] = []
    encoding = _text_encoding(data)
    if encoding is not None:
        text = data.decode(encoding, errors="replace").lstrip("\ufeff")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Latin-1 files read the same way: it differs from Windows-1252 only in control codes
            text = data.decode("utf-8-sig", errors="ingest.cp1252")
            warnings.append("the file is not UTF-8; it was read as Windows-1252 (Latin-1): check any accented letters or symbols")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", ""), warnings


def _load_text(p: Path, data: bytes) -> Source:
    text, warnings = decode_text(data)
    return Source(path=str(p), name=p.name, format="txt", text=text, warnings=warnings)


# --- PDF ----------------------------------------------------------------------------------

def _load_pdf(p: Path, data: bytes) -> Source:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as exc:  # pypdf raises several types for unsupported crypto
                raise LoadError(f"{p.name}: the PDF is encrypted in a way that cannot be opened ({ocr.reason(exc)}); "
                                f"open it in a PDF reader, save a copy without protection, and ingest that") from exc
            if not ok:
                raise LoadError(f"{p.name}: the PDF is password-protected; open it with its password, save a copy without "
                                f"protection, and ingest that copy")
        count = len(reader.pages)
    except LoadError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged files; one bad file must not stop a batch
        raise LoadError(f"{p.name}: not a readable PDF: the file is damaged or incomplete ({ocr.reason(exc)}); "
                        f"open it in a PDF reader and save a new copy (or download it again), then ingest that") from exc
    if not count:
        raise LoadError(f"{p.name}: the PDF has no pages; it may be damaged: open it in a PDF reader and save a new copy")
    try:
        labels = list(reader.page_labels)
    except Exception:  # a broken label tree costs the labels, not the document
        labels = []
    texts: list[str] = []
    notes: list[tuple[str, str] | None] = []
    can_ocr = ocr.available()
    for i in range(count):
        try:
            page = reader.pages[i]
            text = page.extract_text() or ""
        except Exception as exc:  # a single bad page must not lose the others
            log.warning("%s: could not read page %d: %s", p.name, i + 1, exc)
            texts.append("")
            notes.append(("damaged", ocr.reason(exc)))
            continue
        text, note = _ocr_if_scanned(page, text, can_ocr)
        texts.append(text)
        notes.append(note)
    return _join_pages(p, texts, labels, notes)


def _ocr_if_scanned(page: Any, text: str, can_ocr: bool) -> tuple[str, tuple[str, str] | None]:
    """A page's text, read by OCR when its text layer is empty or only a stamp over a scan.

    Returns the text and a note for the report: (what happened, detail), or None when the
    text layer was enough.
    """
    words = len(re.findall(r"[^\W\d_]{2,}", text))
    if words >= _FEW_WORDS:
        return text, None
    partial = "few" if text.strip() else ""
    try:
        images = ocr.page_images(page)
    except ocr.OcrError as exc:
        return text, (partial + "failed", str(exc))
    if partial and not any(min(im.size) >= _BIG_SCAN for im in images):
        return text, None  # a short page (a divider, a chart), not a scan
    if not images:
        return text, ("blank", "")
    if not can_ocr:
        return text, (partial + "no_ocr", "")
    try:
        width = float(page.mediabox.width)
        found = ocr.read_images(images, width)
    except ocr.OcrError as exc:
        return text, (partial + "failed", str(exc))
    if not found:
        return text, (partial + "empty", "")
    return (f"{text.rstrip()}\n{found}" if partial else found), (partial + "ocr", "")


# what each note says of one page and of a run of pages: (singular, plural)
_NOTES = {
    "ocr": ("{p} had no text layer: its text was read by OCR (check quotes against the original)",
            "{p} had no text layer: their text was read by OCR (check quotes against the original)"),
    "fewocr": ("{p} had almost no text layer (a scan?): its text was read by OCR (check quotes against the original)",
               "{p} had almost no text layer (scans?): their text was read by OCR (check quotes against the original)"),
    "empty": ("{p} has no text layer and OCR found no text on it: it cannot be searched",
              "{p} have no text layer and OCR found no text on them: they cannot be searched"),
    "fewempty": ("{p} has almost no text layer and OCR found no more text on it", "{p} have almost no text layer and OCR found no more text on them"),
    "no_ocr": (f"{{p}} has no text layer (a scan?) and OCR is not installed ({ocr.INSTALL}): it cannot be searched",
               f"{{p}} have no text layer (scans?) and OCR is not installed ({ocr.INSTALL}): they cannot be searched"),
    "fewno_ocr": (f"{{p}} has almost no text layer (a scan?) and OCR is not installed ({ocr.INSTALL}): most of it cannot be searched",
                  f"{{p}} have almost no text layer (scans?) and OCR is not installed ({ocr.INSTALL}): most of them cannot be searched"),
    "failed": ("{p} has no text layer and OCR failed ({d}): it cannot be searched", "{p} have no text layer and OCR failed ({d}): they cannot be searched"),
    "fewfailed": ("{p} has almost no text layer and OCR failed ({d})", "{p} have almost no text layer and OCR failed ({d})"),
    "blank": ("{p} has no text layer and no images: it is blank or holds only drawings",
              "{p} have no text layer and no images: they are blank or hold only drawings"),
    "damaged": ("{p} could not be read, the PDF is damaged there ({d}): it cannot be searched",
                "{p} could not be read, the PDF is damaged there ({d}): they cannot be searched"),
    "none": ("{p} has no text layer (a scan?): nothing on it can be searched", "{p} have no text layer (scans?): nothing on them can be searched"),
}


def _page_warnings(notes: list[tuple[str, str] | None]) -> list[str]:
    """One warning per run of consecutive pages that share a note ("page 2 ...", "pages 3-9 ...")."""
    out: list[str] = []
    i = 0
    while i < len(notes):
        note = notes[i]
        j = i + 1
        while j < len(notes) and notes[j] == note and note is not None:
            j += 1
        if note is not None:
            one, many = _NOTES[note[0]]
            pages = f"page {i + 1}" if j == i + 1 else f"pages {i + 1}-{j}"
            out.append((one if j == i + 1 else many).format(p=pages, d=note[1]))
        i = j
    return out


def _join_pages(p: Path, texts: list[str], labels: list[str], notes: list[tuple[str, str] | None] | None = None) -> Source:
    """Join page texts with form feeds, recording each page's span, printed label and what was found on it.

    ``notes`` says per page what the loader did about a missing text layer (see ``_NOTES``);
    without them an empty page is reported as having no text layer.
    """
    parts: list[str] = []
    pages: list[Page] = []
    pos = 0
    if notes is None:
        notes = [None] * len(texts)
    notes = [n if n is not None or raw.strip() else ("none", "") for n, raw in zip(notes, texts)]
    for i, raw in enumerate(texts):
        text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").replace(PAGE_BREAK, "\n")
        if i:
            parts.append(PAGE_BREAK)
            pos += 1
        label = labels[i] if i < len(labels) else None
        pages.append(Page(number=i + 1, start=pos, end=pos + len(text), label=None if label == str(i + 1) else label, has_text=bool(text.strip())))
        parts.append(text)
        pos += len(text)
    warnings = _page_warnings(notes)
    if not any(pg.has_text for pg in pages):
        if any(n is not None and n[0] == "no_ocr" for n in notes):
            warnings.append(f"no page has a text layer and OCR is not installed ({ocr.INSTALL}): nothing in this document can be searched")
        else:
            warnings.append("no text was found on any page: nothing in this document can be searched")
    return Source(path=str(p), name=p.name, format="pdf", text="".join(parts), pages=pages, warnings=warnings)


# --- DOCX ---------------------------------------------------------------------------------

def _load_docx(p: Path, data: bytes) -> Source:
    try:
        import docx
        from docx.oxml.ns import qn
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - python-docx is a declared dependency
        raise LoadError("reading DOCX needs python-docx: pip install python-docx") from exc
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises its own PackageNotFoundError, KeyError, XML errors and others
        raise LoadError(f"{p.name}: not a valid DOCX file: it is damaged ({ocr.reason(exc)}); open it in Word or LibreOffice and save a new copy, "
                        f"or save it as PDF, then ingest that") from exc
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            para = Paragraph(child, document)
            lines.append(_docx_paragraph(para))
        elif child.tag == qn("w:tbl"):
            table = Table(child, document)
            for row in table.rows:
                cells: list[str] = []
                for cell in row.cells:
                    value = " ".join(c.strip() for c in cell.text.splitlines() if c.strip())
                    if not cells or cells[-1] != value:  # merged cells repeat their text
                        cells.append(value)
                lines.append(" | ".join(cells))
            lines.append("")
    text = "\n".join(lines)
    return Source(path=str(p), name=p.name, format="docx", text=text)


def _docx_paragraph(para: object) -> str:
    """One DOCX paragraph as text, with a markdown cue for headings and list items."""
    text = getattr(para, "text", "").strip()
    style = (getattr(getattr(para, "style", None), "name", "") or "").lower()
    if not text:
        return ""
    if style.startswith("heading") or style == "title":
        return f"## {text}"
    if "list" in style:
        return f"- {text}"
    return text


def _load_html(p: Path, data: bytes) -> Source:
    html, warnings = decode_text(data)
    whole = html_to_text(html)  # read once: the main content is checked against it, and it stands in when the extractor fails
    return Source(path=str(p), name=p.name, format="html", text=main_content(html, whole) or whole, warnings=warnings)
