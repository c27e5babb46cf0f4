"""docs/ARCHITECTURE.md is the design of record: it names every module, and nothing it names is gone."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "ARCHITECTURE.md"


def modules() -> set[str]:
    return {p.relative_to(ROOT).as_posix() for package in ("kb", "ingest", "evals", "ui") for p in (ROOT / package).rglob("*.py")}


def test_every_module_is_named_in_the_architecture() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = sorted(m for m in modules() if f"`{m}`" not in text)
    assert not missing, f"docs/ARCHITECTURE.md does not name: {', '.join(missing)}"


def test_the_architecture_names_no_module_that_is_gone() -> None:
    named = set(re.findall(r"`((?:kb|ingest|evals|ui)/[\w/]+\.py)`", DOC.read_text(encoding="utf-8")))
    assert named and not named - modules(), sorted(named - modules())


def test_the_readme_links_the_architecture_and_nothing_outside_the_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/ARCHITECTURE.md" in readme
    for path in [ROOT / "README.md", DOC, *ROOT.rglob("kb/**/*.py"), *ROOT.glob("ingest/*.py"), *(p for p in ROOT.glob("tests/*.py") if p.name != Path(__file__).name)]:
        text = path.read_text(encoding="utf-8")
        assert "../shared" not in text and "DESIGN.md" not in text, f"{path.name} points outside the repository"


def _sources() -> list[Path]:
    return sorted([*ROOT.glob("kb/**/*.py"), *ROOT.glob("ingest/*.py"), *ROOT.glob("ui/*.py"), ROOT / "app.py"])


def _code() -> list[Path]:
    """The product's modules and the evals' (not the tests)."""
    return [*_sources(), *sorted(ROOT.glob("evals/**/*.py"))]


def test_no_module_is_over_400_lines() -> None:
    long = {p.relative_to(ROOT).as_posix(): n for p in _code() if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert not long, f"split these modules: {long}"


DECLARATIVE = {("kb/cli/main.py", "_parser")}  # the argparse table: one line per flag reads better than helpers


def test_no_function_is_over_60_lines_except_declarative_tables() -> None:
    import ast

    long = []
    for p in _code():
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or (p.relative_to(ROOT).as_posix(), node.name) in DECLARATIVE:
                continue
            if node.end_lineno and node.end_lineno - node.lineno + 1 > 60:
                long.append(f"{p.relative_to(ROOT).as_posix()}:{node.name} ({node.end_lineno - node.lineno + 1} lines)")
    assert not long, long


def test_sql_is_written_only_in_kb_store() -> None:
    outside = [f"{p.relative_to(ROOT).as_posix()}:{n}" for p in _sources() if not p.relative_to(ROOT).as_posix().startswith("kb/store/")
               for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if re.search(r"\.execute(many|script)?\(", line)]
    assert not outside, f"SQL outside kb/store/: {outside}"


def test_every_error_class_is_in_kb_errors() -> None:
    import ast

    import kb.errors

    names = {n for n in dir(kb.errors) if isinstance(getattr(kb.errors, n), type) and issubclass(getattr(kb.errors, n), Exception)}
    stray = []
    for p in _sources():
        if p == ROOT / "kb" / "errors.py":
            continue
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(isinstance(b, ast.Name) and b.id in names for b in node.bases):
                stray.append(f"{p.relative_to(ROOT).as_posix()}:{node.name}")
    assert not stray, f"error classes outside kb/errors.py: {stray}"
