"""A person corrects a document's kind and title (kb docs set, the Documents tab): the document is read
again under the corrected kind at once, and the correction survives every later read of the file."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from test_cli import run

from kb.search.embed import Embedder
from kb.errors import KBError
from kb.service import KB
from kb.errors import PermissionDeniedError

LETTER = """Office of the Chief Constable

Our reference: CC/2026/114

Custody review: findings

Recommendation 1
The force should make sure every detainee is offered a nurse within two hours.

Response: This has been implemented in every custody suite.
"""


def test_cli_correction_is_applied_and_survives_a_changed_file(tmp_path: Path) -> None:
    doc = tmp_path / "custody-letter.txt"
    doc.write_text(LETTER)
    home = str(tmp_path / "home")
    assert run("--home", home, "ingest", str(doc)).returncode == 0
    before = json.loads(run("--home", home, "docs", "--json").stdout)
    out = run("--home", home, "docs", "set", "custody-letter.txt", "--kind", "force_response", "--title", "Custody review: the force's response",
              "--by", "Jane Davies")
    assert out.returncode == 0 and "now force_response" in out.stdout, out.stdout + out.stderr
    after = json.loads(run("--home", home, "docs", "--json").stdout)
    assert (after["kind"], after["title"]) == ("force_response", "Custody review: the force's response") != (before["kind"], before["title"])
    doc.write_text(LETTER + "\nA further update: audits are monthly.\n")  # the file changes: read again, correction kept
    assert run("--home", home, "ingest", str(doc)).returncode == 0
    again = json.loads(run("--home", home, "docs", "--json").stdout)
    assert (again["kind"], again["title"]) == ("force_response", "Custody review: the force's response")
    bad = run("--home", home, "docs", "set", "custody-letter.txt", "--kind", "memo", "--by", "Jane Davies")
    assert bad.returncode == 1 and "unknown kind 'memo'" in bad.stderr


def test_roles_audit_and_the_app(tmp_path: Path, embedder: Embedder) -> None:
    import app

    doc = tmp_path / "custody-letter.txt"
    doc.write_text(LETTER)
    knowledge = KB(home=str(tmp_path / "home"), embedder=embedder)
    knowledge.ingest([doc])
    knowledge.users.add("Olive Hart", "viewer", "password-olive")
    knowledge.users.add("Ed Jones", "editor", "password-ed")
    with pytest.raises(PermissionDeniedError, match="may not correct a document"):
        knowledge.as_user("Olive Hart").correct_document("custody-letter.txt", "Olive Hart", kind="other")
    with pytest.raises(KBError, match="say what to correct"):
        knowledge.correct_document("custody-letter.txt", "Ed Jones")
    saved = dict(app._state)
    app._state["kb"] = knowledge
    try:
        message = app.do_correct("custody-letter.txt", "guidance", "", "", SimpleNamespace(username="Ed Jones"))
        assert "now Guidance" in message
        hostile = app.do_correct("custody-letter.txt", "", "<img src=x onerror=alert(1)> [see](http://evil.example)", "",
                                 SimpleNamespace(username="Ed Jones"))
        assert "<img" not in hostile and "&lt;img" in hostile and "\\[see\\]" in hostile, hostile
    finally:
        app._state.clear()
        app._state.update(saved)
    assert knowledge.documents()[0].kind == "guidance"
    assert any(e.action == "correct document" and e.user == "Ed Jones" for e in knowledge.audit_log())
