"""Render the development corpus's PDF and Word documents from their plain-text sources.

``evals/dev/src/NAME.pdf.txt`` becomes ``evals/dev/docs/NAME.pdf`` and ``src/NAME.docx.txt``
becomes ``docs/NAME.docx``. HTML, TXT and MD documents are written directly in ``docs/``.
The output is deterministic, so re-rendering an unchanged source changes no file.

Source mark-up (one instruction per line):
- ``@header: TEXT`` / ``@footer: TEXT``: a running header or footer on every page (PDF) or in
  the section (DOCX); ``{page}`` and ``{pages}`` are replaced by the page number and count (PDF).
- ``<<<PAGE>>>``: a page break.
- ``# ``, ``## ``, ``### ``: headings (DOCX styles; in a PDF, a heading is a line of its own).
- ``- ``: a bulleted paragraph (DOCX "List Bullet"; in a PDF, a line starting with a bullet).
- ``| a | b |``: consecutive such lines form a table (DOCX table; in a PDF, cells spaced on a line).
- anything else: a paragraph (PDF: wrapped at ``WIDTH`` characters; DOCX: one paragraph per line,
  a blank line is ignored).

Run: ``python -m evals.dev.render`` (all sources) or ``python -m evals.dev.render NAME.pdf.txt ...``.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from evals.pdfwrite import text_stream, write_pdf

HERE = Path(__file__).resolve().parent
SRC, DOCS = HERE / "src", HERE / "docs"
WIDTH = 100  # characters per PDF line at 9.5 pt Helvetica on A4
LINES_PER_PAGE = 62


def _parse(source: str) -> tuple[str, str, list[list[str]]]:
    """(header, footer, pages of source lines)."""
    header = footer = ""
    pages: list[list[str]] = [[]]
    for line in source.splitlines():
        if line.startswith("@header:"):
            header = line[len("@header:"):].strip()
        elif line.startswith("@footer:"):
            footer = line[len("@footer:"):].strip()
        elif line.strip() == "<<<PAGE>>>":
            pages.append([])
        else:
            pages[-1].append(line.rstrip())
    return header, footer, pages


def _pdf_lines(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if line.startswith("#"):
            out.append(line.lstrip("#").strip())
        elif line.startswith("- "):
            out.extend(textwrap.wrap("\u2022 " + line[2:], WIDTH, subsequent_indent="  ") or [""])
        elif line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if all(set(c) <= set("-: ") for c in cells):
                continue
            out.extend(textwrap.wrap("    ".join(cells), WIDTH) or [""])
        elif not line.strip():
            out.append("")
        else:
            out.extend(textwrap.wrap(line, WIDTH) or [""])
    return out


def render_pdf(source: str, target: Path) -> Path:
    """A PDF with a text layer: running header and footer, wrapped lines, page breaks."""
    header, footer, src_pages = _parse(source)
    pages: list[list[str]] = []
    for lines in src_pages:
        body = _pdf_lines(lines)
        room = LINES_PER_PAGE - (2 if header else 0) - (2 if footer else 0)
        for i in range(0, max(len(body), 1), room):
            pages.append(body[i:i + room])
    n = len(pages)
    streams = []
    for i, body in enumerate(pages):
        lines = ([header.format(page=i + 1, pages=n), ""] if header else []) + body
        if footer:
            lines += [""] * (LINES_PER_PAGE - len(lines) - 1) + [footer.format(page=i + 1, pages=n)]
        streams.append(text_stream(lines, size=9.5, leading=12.5, x=50, errors="replace"))
    return write_pdf(target, streams)


def _table(document: object, table_rows: list[list[str]]) -> None:
    """Add the rows gathered so far as one table (separator rows dropped), then forget them."""
    rows = [r for r in table_rows if not all(set(c) <= set("-: ") for c in r)]
    if rows:
        table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))  # type: ignore[attr-defined]
        table.style = "Table Grid"
        for r, cells in enumerate(rows):
            for c, text in enumerate(cells):
                table.cell(r, c).text = text
    table_rows.clear()


def render_docx(source: str, target: Path) -> Path:
    """A Word document: headings, bullets, tables, header and footer, page breaks."""
    import docx  # python-docx
    from docx.enum.text import WD_BREAK

    header, footer, pages = _parse(source)
    document = docx.Document()
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header.replace("{page}", "").replace("{pages}", "")
    if footer:
        section.footer.paragraphs[0].text = footer.replace("{page}", "").replace("{pages}", "")
    for p_index, lines in enumerate(pages):
        if p_index:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        table_rows: list[list[str]] = []
        for line in lines:
            if line.startswith("|"):
                table_rows.append([c.strip() for c in line.strip().strip("|").split("|")])
                continue
            _table(document, table_rows)
            if not line.strip():
                continue
            level = len(line) - len(line.lstrip("#"))
            if 1 <= level <= 3 and line[level:level + 1] == " ":
                document.add_heading(line[level:].strip(), level=level)
            elif line.startswith("- "):
                document.add_paragraph(line[2:], style="List Bullet")
            else:
                document.add_paragraph(line)
        _table(document, table_rows)
    core = document.core_properties
    core.author, core.last_modified_by, core.comments = "", "", ""
    import datetime

    core.created = core.modified = datetime.datetime(2026, 1, 1)
    document.save(str(target))
    return target


def render(path: Path) -> Path:
    """Render one source file into docs/."""
    name = path.name.removesuffix(".txt")
    text = path.read_text(encoding="utf-8")
    target = DOCS / name
    return render_pdf(text, target) if name.endswith(".pdf") else render_docx(text, target)


def main(argv: list[str] | None = None) -> int:
    """Render the named sources, or all of them."""
    names = argv if argv is not None else sys.argv[1:]
    paths = [SRC / Path(n).name for n in names] if names else sorted(SRC.glob("*.txt"))
    DOCS.mkdir(exist_ok=True)
    for p in paths:
        print(render(p).relative_to(HERE))
    return 0


if __name__ == "__main__":
    sys.exit(main())
