"""Where an uploaded file is kept: a plain, safe name inside the uploads folder, never replacing
a different file already there."""

from __future__ import annotations

from pathlib import Path

from kb.errors import DocumentError


def safe_name(name: str, limit: int = 120) -> str:
    """A plain file name for an upload, which cannot escape or confuse a folder: the last part of any
    path (``/`` or ``\\``), only letters, digits, spaces and ``._-()`` (anything else, NUL and line
    breaks included, becomes ``_``), no leading dot, at most ``limit`` bytes with the extension kept;
    "upload" when nothing is left."""
    import re as _re
    import unicodedata

    base = unicodedata.normalize("NFC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    base = _re.sub(r"[^\w.\- ()]", "_", base).strip(" .") or "upload"
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem or len(ext) > 10:
        stem, ext = base, ""
    else:
        ext = "." + ext
    stem = stem.encode()[: limit - len(ext.encode())].decode("utf-8", "ignore").rstrip(" .") or "upload"
    return stem + ext


def upload_target(folder: Path, name: str, temp: str | Path) -> Path:
    """Where an upload called ``name`` (its content at ``temp``) is kept in ``folder``.

    The name is reduced by ``safe_name``; a name with no known extension takes the uploaded file's
    ("../../etc/passwd" from a .txt becomes "passwd.txt"). A different file already there is never
    replaced: the new one gets " (2)", " (3)"... The same content under the same name is the file
    already there.
    """
    import filecmp
    import os

    from ingest import FORMATS

    safe = safe_name(name)
    own = Path(str(temp)).suffix.lower()
    if Path(safe).suffix.lower() not in FORMATS and own in FORMATS:
        safe = safe_name(safe + own)
    stem, ext = (safe[: -len(Path(safe).suffix)], Path(safe).suffix) if Path(safe).suffix else (safe, "")
    target, n = folder / safe, 2
    while os.path.lexists(target):  # lexists: a dangling link counts as taken
        if target.is_file() and not target.is_symlink() and filecmp.cmp(target, temp, shallow=False):
            return target
        target, n = folder / f"{stem} ({n}){ext}", n + 1
    if target.parent != folder or target.name in ("", ".", ".."):  # cannot happen after safe_name; checked all the same
        raise DocumentError(f"refused an upload name that leaves the uploads folder: {safe}")
    return target
