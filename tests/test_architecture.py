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
