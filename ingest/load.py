"""Load a file into a ``Source``: PDF (page by page), DOCX, HTML, TXT and Markdown.

Every loader returns plain text in which markdown-style cues survive (``## `` for headings,
``- `` for list items), so that the cleaner and the structure finder treat all formats alike.
"""

from __future__ import annotations

import logging
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

from ingest.records import PAGE_BREAK, Page, Source

log = logging.getLogger(__name__)
# pypdf logs every repair it makes ("EOF marker not found"); a bad file becomes one LoadError instead
logging.getLogger("pypdf").setLevel(logging.ERROR)

FORMATS = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html", ".txt": "txt", ".md": "md", ".markdown": "md"}


class LoadError(Exception):
    """A file that cannot be read; the message is written for the user."""


def load(path: str | Path) -> Source:
    """Read one file into a Source, choosing the loader by extension."""
    p = Path(path)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        supported = ", ".join(sorted({s.lstrip(".") for s in FORMATS}))
        raise LoadError(f"{p.name}: unsupported file type '{p.suffix or '(none)'}' (supported: {supported})")
    if not p.is_file():
        raise LoadError(f"{p}: no such file")
    data = p.read_bytes()
    if not data.strip():
        raise LoadError(f"{p.name}: the file is empty")
    loader = {"pdf": _load_pdf, "docx": _load_docx, "html": _load_html, "txt": _load_text, "md": _load_text}[fmt]
    source = loader(p, data)
    source.format = fmt
    return source


def decode_text(data: bytes) -> tuple[str, list[str]]:
    """Decode bytes as UTF-8 (BOM allowed), else Windows-1252, and normalise line ends."""
    warnings: list[str] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        warnings.append("the file is not UTF-8; it was read as Windows-1252")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", ""), warnings


def _load_text(p: Path, data: bytes) -> Source:
    text, warnings = decode_text(data)
    return Source(path=str(p), name=p.name, format="txt", text=text, warnings=warnings)


def _load_pdf(p: Path, data: bytes) -> Source:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as exc:  # pypdf raises several types for unsupported crypto
                raise LoadError(f"{p.name}: the PDF is encrypted and could not be opened ({exc})") from exc
            if not ok:
                raise LoadError(f"{p.name}: the PDF is password-protected; save an unprotected copy and ingest that")
        labels = list(reader.page_labels) if reader.pages else []
        texts = []
        for page in reader.pages:
            try:
                texts.append(page.extract_text() or "")
            except Exception as exc:  # a single bad page must not lose the others
                log.warning("%s: could not extract a page: %s", p.name, exc)
                texts.append("")
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise LoadError(f"{p.name}: not a readable PDF ({exc})") from exc
    if not texts:
        raise LoadError(f"{p.name}: the PDF has no pages")
    return _join_pages(p, texts, labels)


def _join_pages(p: Path, texts: list[str], labels: list[str]) -> Source:
    """Join page texts with form feeds, recording each page's span and printed label."""
    parts: list[str] = []
    pages: list[Page] = []
    warnings: list[str] = []
    pos = 0
    for i, raw in enumerate(texts):
        text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").replace(PAGE_BREAK, "\n")
        if i:
            parts.append(PAGE_BREAK)
            pos += 1
        label = labels[i] if i < len(labels) else None
        has_text = bool(text.strip())
        if not has_text:
            warnings.append(f"page {i + 1} has no text layer (a scan?): nothing on it can be searched")
        pages.append(Page(number=i + 1, start=pos, end=pos + len(text), label=None if label == str(i + 1) else label, has_text=has_text))
        parts.append(text)
        pos += len(text)
    if not any(pg.has_text for pg in pages):
        warnings.append("no page has a text layer: the document needs OCR before it can be searched")
    return Source(path=str(p), name=p.name, format="pdf", text="".join(parts), pages=pages, warnings=warnings)


def _load_docx(p: Path, data: bytes) -> Source:
    import io

    try:
        import docx
        from docx.oxml.ns import qn
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - python-docx is a declared dependency
        raise LoadError("reading DOCX needs python-docx: pip install python-docx") from exc
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoadError(f"{p.name}: not a valid DOCX file ({exc.__class__.__name__})") from exc
    except Exception as exc:  # python-docx raises its own PackageNotFoundError and others
        raise LoadError(f"{p.name}: not a valid DOCX file ({exc})") from exc
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


_BLOCK_TAGS = {"p", "div", "section", "article", "br", "li", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dd", "dt", "main"}
_SKIP_TAGS = {"script", "style", "noscript", "nav", "header", "footer", "template", "svg", "form", "button", "iframe", "head"}


class _HTMLText(HTMLParser):
    """Collect visible text from HTML, skipping scripts, styles and site navigation."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
            self._in_title = False
            return
        if tag == "title":
            self._in_title = True
        if self.skip:
            return
        if tag in _BLOCK_TAGS:
            self.out.append("\n")
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.out.append("## ")
        elif tag == "li":
            self.out.append("- ")
        elif tag in {"td", "th"}:
            self.out.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
            return
        if tag == "title":
            self._in_title = False
        if not self.skip and tag in _BLOCK_TAGS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if not self.skip:
            self.out.append(data)


def html_to_text(html: str) -> str:
    """Visible text of an HTML page, one block per line."""
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    text = "".join(parser.out)
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n\| ", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _load_html(p: Path, data: bytes) -> Source:
    html, warnings = decode_text(data)
    return Source(path=str(p), name=p.name, format="html", text=html_to_text(html), warnings=warnings)
