"""Where the app writes the files it offers for download (registers, board reports, drafts, FOI
logs and statistics): one owner-only folder for this server, each export in a folder of its own.

Exports can hold restricted text, so none is left behind: every new export first removes those
older than ``KEEP_SECONDS`` (Gradio has copied each into its own cache by the time the link is
shown; that cache is emptied on the same clock, see ``app.py``), and the whole folder goes when
the server stops.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
import time
from pathlib import Path

KEEP_SECONDS = 3600  # an export's own copy, and Gradio's copy of it, live at most this long

_lock = threading.Lock()
_root: list[Path] = []  # the folder, once made


def root() -> Path:
    """This server's export folder (made on first use, mode 0700, removed at exit)."""
    with _lock:
        if not _root or not _root[0].is_dir():
            _root[:] = [Path(tempfile.mkdtemp(prefix="opcc-kb-exports-"))]
            atexit.register(shutil.rmtree, _root[0], True)
        return _root[0]


def prune(folder: Path, now: float | None = None, keep: float = KEEP_SECONDS) -> int:
    """Remove the exports in ``folder`` last written more than ``keep`` seconds before ``now``;
    return how many were removed. One that vanishes meanwhile (another request pruned it) is skipped."""
    cutoff = (time.time() if now is None else now) - keep
    removed = 0
    for entry in folder.iterdir():
        try:
            if entry.stat().st_mtime < cutoff:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def export_path(filename: str, kind: str = "export") -> Path:
    """A fresh path named ``filename`` for one export, in a folder no other export shares (two
    users exporting at once never overwrite, or download, each other's file)."""
    base = root()
    prune(base)
    return Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=base)) / filename
