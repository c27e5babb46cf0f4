"""Which files an ingest covers, and the report it gives for each: folders read recursively for
the supported types, hidden files and links leading outside the folder skipped and said, and a
file whose content another file already has skipped as a duplicate."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ingest import FORMATS


@dataclass
class FileReport:
    """What happened to one file."""

    path: str
    name: str
    status: str  # added | updated | unchanged | moved | duplicate | failed
    title: str = ""
    kind: str = ""
    pages: int = 0
    chunks: int = 0
    embedded: int = 0
    recommendations: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    marking: str = ""  # the protective marking the document is stored under

    def to_json(self) -> dict[str, object]:
        """JSON-ready dict."""
        return asdict(self)


def duplicate_of(report: FileReport, other: str, existing: Any) -> FileReport:
    """A file skipped because its content is another file's; a stored file keeps its earlier version (nothing is lost unasked)."""
    report.status = "duplicate"
    if existing is None:
        report.warnings.append(f"same content as {other}, already ingested: skipped")
    else:
        report.title, report.kind, report.chunks = existing["title"], existing["kind"], existing["chunks"]
        report.warnings.append(f"now has the same content as {other}, which is ingested: its earlier version stays in the index "
                               f"until you remove it (kb delete {report.name}) or change the file")
    return report


def expand(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileReport]]:
    """Files to ingest from files and folders (folders recursively, supported types only).

    A folder's README.md describes the folder and is skipped; a file named explicitly is always
    taken. Inside a folder, hidden files and folders (a leading dot) are skipped and reported, and
    a link is followed only if it stays inside the folder: a link to /etc/passwd would otherwise put
    a system file in front of every reader. Paths that do not exist come back as failed reports.
    """
    files: list[Path] = []
    reports: list[FileReport] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            root = p.resolve()
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p)
                if any(part.startswith(".") for part in rel.parts):
                    if f.name.startswith(".") and (f.is_file() or f.is_symlink()):  # a hidden folder is one line, for its own name
                        reports.append(FileReport(path=str(f), name=f.name, status="skipped", warnings=["a hidden file (its name starts with a dot): not read"]))
                    elif f.is_dir() and f.name.startswith("."):
                        reports.append(FileReport(path=str(f), name=f.name + "/", status="skipped", warnings=["a hidden folder (its name starts with a dot): not read"]))
                    continue
                outside = _outside(f, root)
                if outside is not None:
                    if f.suffix.lower() in FORMATS or f.is_dir():
                        reports.append(FileReport(path=str(f), name=f.name, status="skipped",
                                                  warnings=[f"a link to {outside}, outside the folder: not followed"]))
                    continue
                if f.is_file() and f.suffix.lower() in FORMATS and f.name.lower() != "readme.md":
                    files.append(f)
        elif p.is_file():
            files.append(p)
        else:
            reports.append(FileReport(path=str(p), name=p.name, status="failed", error=f"{p}: no such file or folder"))
    seen: set[Path] = set()
    unique = [f for f in files if not (f.resolve() in seen or seen.add(f.resolve()))]  # type: ignore[func-returns-value]
    return unique, reports


def _outside(path: Path, root: Path) -> str | None:
    """Where a path inside a folder really leads when that is outside the folder (or nowhere); else None."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # a dangling link, or a loop
        return "nothing (a broken link)"
    return None if target == root or root in target.parents else str(target)
