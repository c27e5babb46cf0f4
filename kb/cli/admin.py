"""The ``kb`` commands that look after the knowledge base: users, markings, the audit log, backups,
counts, settings and the app. Each is one handler of the CLI's table (kb.cli.COMMANDS)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kb.cli.text import emit
from kb.errors import ConfigError, InputError

def users(kb: Any, args: argparse.Namespace) -> int:
    """kb users add | list."""
    if args.users_command == "add":
        if sys.stdin.isatty():
            import getpass

            password = getpass.getpass(f"password for {args.name}: ")
            if getpass.getpass("again: ") != password:
                raise InputError("the two passwords differ")
        else:
            password = sys.stdin.readline().rstrip("\n")
        kb.add_user(args.name, args.role, password, clearance=args.clearance)
        print(f"{args.name} can now log in as {args.role}, cleared for {args.clearance}")
        return 0
    for u in kb.users.list():
        print(f"{u['name']:<30} {u['role']:<8} {u['clearance']:<20} added {u['created_at']}")
    return 0


def mark(kb: Any, args: argparse.Namespace) -> int:
    """kb mark: a document's protective marking."""
    kb.mark(args.name, args.marking)
    print(f"{args.name} is now {args.marking}")
    return 0


def audit(kb: Any, args: argparse.Namespace) -> int:
    """kb audit: the newest entries of the audit log."""
    emit([e.to_json() for e in kb.audit_log(args.limit, args.user, args.action)], args.json,
         lambda e: f"{e['at']}  {e['user']:<24} {e['action']:<16} {e['detail'][:100]}", "the audit log is empty")
    return 0


def backup(kb: Any, args: argparse.Namespace) -> int:
    """kb backup: the whole data home to a .zip."""
    m = kb.backup(args.file)
    c = m["counts"]
    print(f"backed up {c['documents']} documents, {c['chunks']} passages, {c['vectors']} vectors, {c['recommendations']} recommendations "
          f"({c['rec_history']} history entries), {c['foi_records']} FOI records, {c.get('foi_requests', 0)} logged FOI requests "
          f"({c.get('foi_events', 0)} events) and {c['users']} users to {args.file}")
    return 0


def restore(kb: Any, args: argparse.Namespace) -> int:
    """kb restore: a backup into an empty data home."""
    m = kb.restore(args.file)
    c = m["counts"]
    print(f"restored {c['documents']} documents, {c['vectors']} vectors, {c['recommendations']} recommendations and {c['users']} users "
          f"from a backup made {m['created_at']} into {kb.config.home}")
    return 0


def stats(kb: Any, args: argparse.Namespace) -> int:
    """kb stats: counts of documents, chunks and vectors."""
    print(json.dumps(kb.stats(), indent=2))
    return 0


def config(args: argparse.Namespace) -> int:
    """kb config: every setting, with its environment variable and default (needs no data home)."""
    from kb.config import describe

    for name, env, default, help_ in describe():
        print(f"{name:<13} {env:<16} default: {default:<12} {help_}")
    return 0


def serve(kb: Any, args: argparse.Namespace) -> int:
    """Run app.py (the top floor) without importing it from here: imports point down only."""
    import runpy

    script = Path(__file__).resolve().parents[2] / "app.py"
    if not script.is_file():
        raise ConfigError(f"app.py not found next to the kb package ({script}); run the app from the project folder: python app.py")
    import os

    os.environ["KB_HOME"] = str(kb.config.home)  # a --home flag reaches the app through its config
    kb.store.close()
    runpy.run_path(str(script), run_name="__main__")
    return 0
