"""Write small real PDFs for tests: one text line per row, Helvetica, optional page labels.

No PDF library writes text, so this builds the file by hand (objects, content streams and
an xref table); pypdf then reads it through its ordinary path.
"""

from __future__ import annotations

from pathlib import Path

from evals.pdfwrite import text_stream, write_pdf


def make_pdf(path: Path, pages: list[list[str]], roman_labels: bool = False) -> Path:
    """A PDF with one page per list of lines (an empty list makes a page with no text)."""
    labels = " /PageLabels << /Nums [0 << /S /r >>] >>" if roman_labels else ""
    return write_pdf(path, [text_stream(lines, size=11, leading=14, x=50, y=790) for lines in pages], catalog=labels)
