"""Logins: scrypt-hashed passwords, roles enforced in the facade, the users CLI, single-user mode."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, CSA

import app
from kb.errors import KBError
from kb.service import KB
from kb.errors import PermissionDeniedError

KB_BIN = str(Path(sys.executable).parent / "kb")


def test_passwords_are_hashed_and_checked(fresh_kb: KB) -> None:
    users = fresh_kb.users
    assert not users.any()
    users.add("Jane Davies", "editor", "correct horse battery")
    assert users.check("Jane Davies", "correct horse battery")
    assert not users.check("Jane Davies", "wrong password") and not users.check("Nobody", "correct horse battery")
    raw = fresh_kb.store.db.execute("SELECT * FROM users").fetchone()
    assert b"correct horse" not in bytes(raw["hash"]) and "correct horse" not in str(dict(raw))
    assert users.role("Jane Davies") == "editor" and users.list() == [{"name": "Jane Davies", "role": "editor", "clearance": "OFFICIAL", "created_at": raw["created_at"]}]
    with pytest.raises(KBError, match="8 characters"):
        users.add("Short", "viewer", "abc")
    with pytest.raises(KBError, match="role"):
        users.add("Someone", "superuser", "long enough password")


def test_roles_are_enforced_in_the_facade(fresh_kb: KB, tmp_path: Path) -> None:
    fresh_kb.ingest([CORPUS / CSA])
    fresh_kb.set_recommendation("A", CSA, by="Solo", note="single-user mode: anyone local may edit", as_user="anyone")
    fresh_kb.users.add("viewer1", "viewer", "viewer-pass-1")
    fresh_kb.users.add("editor1", "editor", "editor-pass-1")
    with pytest.raises(PermissionDeniedError, match="may not change recommendations"):
        fresh_kb.set_recommendation("A", CSA, by="viewer1", status="complete", as_user="viewer1")
    note = tmp_path / "n.txt"
    note.write_text("A viewer may not add this.")
    with pytest.raises(PermissionDeniedError, match="may not add documents"):
        fresh_kb.add_files([("n.txt", str(note))], as_user="viewer1")
    with pytest.raises(PermissionDeniedError, match="may not remove documents"):
        fresh_kb.delete(CSA, as_user="viewer1")
    with pytest.raises(PermissionDeniedError, match="unknown user"):
        fresh_kb.set_recommendation("A", CSA, by="ghost", status="complete", as_user="ghost")
    row = fresh_kb.set_recommendation("A", CSA, by="editor1", status="complete", note="KIRAT audit seen", as_user="editor1")
    assert row.status_by == "editor1"


def test_users_cli_reads_the_password_from_stdin(tmp_path: Path) -> None:
    home = str(tmp_path / "h")
    out = subprocess.run([KB_BIN, "--home", home, "users", "add", "Jane Davies", "--role", "admin"], input="a long password\n",
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "can now log in as admin" in out.stdout
    listed = subprocess.run([KB_BIN, "--home", home, "users", "list"], capture_output=True, text=True, timeout=60)
    assert "Jane Davies" in listed.stdout and "admin" in listed.stdout and "long password" not in listed.stdout
    bad = subprocess.run([KB_BIN, "--home", home, "users", "add", "X Y", "--role", "viewer"], input="short\n", capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "8 characters" in bad.stderr


def test_single_user_mode_serves_this_computer_only(fresh_kb: KB, tmp_path: Path) -> None:
    opened = KB(home=str(fresh_kb.config.home), embedder=fresh_kb.embedder, host="0.0.0.0")
    options = app.launch_options(opened)
    assert options["server_name"] == "127.0.0.1" and "auth" not in options
    opened.users.add("editor1", "editor", "editor-pass-1")
    options = app.launch_options(opened)
    assert options["server_name"] == "0.0.0.0" and "auth_message" in options
    app._state["kb"] = opened
    try:
        assert options["auth"]("editor1", "editor-pass-1") and not options["auth"]("editor1", "nope")
    finally:
        app._state.pop("kb", None)
