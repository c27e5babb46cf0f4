"""``python -m ingest FILE``: what was understood of one file, as JSON, with no model or storage."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import CORPUS, STALKING


def test_prints_understanding_as_json() -> None:
    out = subprocess.run([sys.executable, "-m", "ingest", str(CORPUS / STALKING), "--brief"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["file"] == STALKING and data["meta"]["kind"] == "force_response"
    assert {"RESOURCING", "TRAINING", "DATA", "VICTIMS"} <= set(data["sections"])
    assert any(r["reason"] == "letterhead address" for r in data["removed"])
    assert [c["ref"] for c in data["chunks"] if c["ref"]].count("11") >= 2


def test_unreadable_file_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"junk")
    out = subprocess.run([sys.executable, "-m", "ingest", str(bad)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and len(out.stderr.strip().splitlines()) == 1 and "x.pdf" in out.stderr
