"""Large files: time and peak memory of `kb ingest` against the size of one text file.

Each size is one text file of generated inspection reports run together (evals/gencorpus.py's
report writer, seeded; a bundle, as an archive or an FOI pack is), ingested by the real CLI into a
new data home. Peak memory is the child process's own maximum resident set (``os.wait4``), so the
figure is the ingest's, model included. The progress bar's last line is kept, to show it moved.
Run: ``python -m evals.largefile [--sizes 1,10,50] [--json]``; results go to evals/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from evals import gencorpus
from evals.gencorpus_banks import FORCES, TOPICS
from evals.gencorpus_render import to_text

CACHE = Path(tempfile.gettempdir()) / "kb-bench-cache"
RESULTS = Path(__file__).resolve().parent / "results"


def make_text(mb: float, seed: int = 11) -> Path:
    """A text file of about ``mb`` MB: generated reports, one after another (cached)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    target = CACHE / f"large-{mb:g}mb-{seed}.txt"
    if target.exists():
        return target
    rng = random.Random(seed)
    writer = gencorpus.Writer(rng)
    parts: list[str] = []
    size = 0
    while size < mb * 1024 * 1024:
        topic = rng.choice(TOPICS)
        force = rng.choice(FORCES)
        published = date(2024, 1, 1) + timedelta(days=rng.randint(0, 900))
        _, blocks = gencorpus.make_report(writer, topic, force, published, pages=rng.randint(40, 120))
        text = to_text(blocks, markdown=False)
        parts.append(text)
        size += len(text.encode("utf-8")) + 2
    partial = target.with_suffix(".partial")
    partial.write_text("\n\n".join(parts), encoding="utf-8")
    partial.replace(target)
    return target


def measure(path: Path, home: Path) -> dict[str, Any]:
    """Ingest one file with the real CLI into a new home: seconds, peak memory, passages, the bar's last state."""
    cmd = [sys.executable, "-m", "kb.cli", "--home", str(home), "ingest", str(path), "--json"]
    err_path = home.parent / f"{home.name}.stderr"
    t0 = time.perf_counter()
    with err_path.open("w") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True, env={**os.environ, "KB_MAX_TEXT_MB": "1000"})  # measure past the default limit
        assert proc.stdout is not None
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    report = json.loads(out.splitlines()[-1]) if out.strip() else {}
    bar = [p for p in re.split(r"[\r\n]", err_path.read_text(errors="replace")) if "passage" in p]
    return {"file_mb": round(path.stat().st_size / 1048576, 1), "seconds": round(seconds, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024),
            "passages": report.get("chunks"), "status": report.get("status"), "error": report.get("error") or (None if proc.returncode == 0 else f"exit {proc.returncode}"),
            "passages_per_s": round((report.get("chunks") or 0) / seconds, 1), "progress_updates": len(bar), "last_progress": bar[-1].strip()[:120] if bar else None}


def main(argv: list[str] | None = None) -> int:
    """Measure each size and print a table (or JSON)."""
    p = argparse.ArgumentParser(prog="python -m evals.largefile", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="1,10,50", help="file sizes in MB, comma-separated")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="kb-large-") as tmp:
        for mb in [float(x) for x in args.sizes.split(",") if x.strip()]:
            path = make_text(mb)
            row = measure(path, Path(tmp) / f"home-{mb:g}")
            rows.append(row)
            if not args.json:
                print(f"{row['file_mb']:>6} MB  {row['passages'] or 0:>8,} passages  {row['seconds']:>8.1f} s  {row['passages_per_s']:>6} passages/s  "
                      f"peak {row['peak_rss_mb']:>6,} MB  {row['status']}{'  ' + row['error'] if row['error'] else ''}", flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "largefile.json").write_text(json.dumps({"measured_at": time.strftime("%Y-%m-%d %H:%M"), "rows": rows}, indent=2))
    if args.json:
        print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
