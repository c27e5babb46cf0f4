"""Files people take away: CSV that Excel opens in UTF-8 with no cell run as a formula, and Word
documents. A file that cannot be written raises FileError naming it."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from kb.errors import FileError


def safe_cell(value: Any) -> Any:
    """Spreadsheet-safe text: a value starting with = + - @ is not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


def write_csv(target: Path, header: list[str], rows: list[list[Any]]) -> Path:
    """A CSV file with a header row; the BOM makes Excel read UTF-8."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", newline="", encoding="utf-8-sig") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows([[safe_cell(v) for v in row] for row in rows])
    except OSError as exc:
        raise FileError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target


def save_docx(doc: Any, target: Path) -> Path:
    """Save a python-docx Document, making its folder."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        doc.save(str(target))
    except OSError as exc:
        raise FileError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target
