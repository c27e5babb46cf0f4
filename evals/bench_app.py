"""The benchmark's app figures (evals.bench): ``python app.py`` started on a data home, the seconds until it
answers, the page load's calls, searches and questions through Gradio's client, and the memory of the
app and its child processes read from /proc."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _tree(pid: int) -> list[int]:
    """A process and its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in (task / "children").read_text().split()]
    return out


def _status_mb(pid: int, field: str) -> float:
    try:
        for ln in Path(f"/proc/{pid}/status").read_text().splitlines():
            if ln.startswith(field + ":"):
                return int(ln.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _wait_until_up(proc: subprocess.Popen[bytes], url: str, t0: float, logname: str) -> None:
    """Return once the app answers its page; a clear error when it stops or takes over 300 s."""
    import httpx

    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the app stopped (exit {proc.returncode}); see {logname}")
        if time.perf_counter() - t0 > 300:
            raise RuntimeError(f"the app did not answer within 300 s; see {logname}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)


def app_figures(home: Path, qs: list[str], log: Any, kinds: tuple[str, ...], date_from: str) -> dict[str, Any]:
    """Start ``python app.py`` on a data home, time until it answers, query it (plain, and filtered to ``kinds``
    from ``date_from``), read its peak memory."""
    from gradio_client import Client

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    empty = Path(tempfile.mkdtemp(prefix="kb-bench-empty-"))
    env = {**os.environ, "KB_HOME": str(home), "KB_CORPUS": str(empty), "KB_PORT": str(port), "KB_HOST": "127.0.0.1", "KB_LLM_URL": ""}
    url = f"http://127.0.0.1:{port}/"
    logfile = tempfile.NamedTemporaryFile(prefix="kb-bench-app-", suffix=".log", delete=False)  # noqa: SIM115
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=logfile, stderr=subprocess.STDOUT)
    out: dict[str, Any] = {"log": logfile.name}  # the app's own output, for when it fails
    try:
        _wait_until_up(proc, url, t0, logfile.name)
        out["cold_start_s"] = round(time.perf_counter() - t0, 2)
        out["rss_mb_at_start"] = round(sum(_status_mb(p, "VmRSS") for p in _tree(proc.pid)), 1)
        log(f"app: answered after {out['cold_start_s']} s, {out['rss_mb_at_start']} MB")
        client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
        names = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
        calls: dict[str, list[float]] = {}

        def call(label: str, api: str, *args: Any) -> None:
            if api not in names:
                return
            t = time.perf_counter()
            client.predict(*args, api_name=api)
            calls.setdefault(label, []).append(round((time.perf_counter() - t) * 1000, 1))
            out.setdefault(f"first_{label}_done_at_s", round(time.perf_counter() - t0, 2))  # since the app was started

        # what a browser's page load runs, then searches and questions
        for api, args in (("/status", ()), ("/doc_choices", ()), ("/docs_table", ()), ("/rec_table", ("all", False, None, "")), ("/rec_chart", ())):
            call("page_load" + api.replace("/", "_"), api, *args)
        for q in qs[:6]:
            call("search_hybrid", "/do_search", q, "hybrid", 10, [], [], "", "")
            call("search_hybrid_filtered", "/do_search", q, "hybrid", 10, list(kinds), [], date_from, "")
            call("ask", "/do_ask", q)
        out["calls_ms"] = calls
        out["endpoints_missing"] = sorted({"/do_search", "/do_ask", "/docs_table", "/rec_table"} - names)
        pids = _tree(proc.pid)
        out["processes"] = len(pids)
        out["rss_mb_after_queries"] = round(sum(_status_mb(p, "VmRSS") for p in pids), 1)
        out["peak_rss_mb"] = round(sum(_status_mb(p, "VmHWM") for p in pids), 1)
        log(f"app: peak {out['peak_rss_mb']} MB after {sum(len(v) for v in calls.values())} calls")
        out.pop("log")  # kept only when the app failed
        Path(logfile.name).unlink(missing_ok=True)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(empty, ignore_errors=True)
    return out
