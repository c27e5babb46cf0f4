"""The facade's access: who is reading, what their role allows (a refusal is audited), the
audit log, users, backups and restore."""

from __future__ import annotations

import getpass
import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb.errors import PermissionDeniedError
from kb.store.filters import MARKINGS
from kb.access.users import Users

if TYPE_CHECKING:
    from kb.config import Config
    from kb.store.db import Store
    from kb.search.vectors import VectorIndex

# every action the audit log records: the app's filter offers these, and nothing else is written
AUDIT_ACTIONS = ("search", "ask", "foi precedents", "draft", "register change", "verify", "export register", "ingest", "delete", "prune",
                 "read again", "correct document", "backup", "restore", "mark", "add user", "foi log", "export FOI", "board report", "refused")

def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass(frozen=True)
class AuditEntry:
    """One entry of the append-only audit log: when, who (a login, or the console's OS user), what and its detail."""

    at: str
    user: str
    action: str  # one of AUDIT_ACTIONS
    detail: str

    def to_json(self) -> dict[str, Any]:
        """The ``kb audit --json`` object."""
        return asdict(self)


class AccessMixin:
    """The access methods of ``KB`` (kb.service)."""

    if TYPE_CHECKING:  # what these methods use of KB
        config: Config
        user: str | None

        @property
        def store(self) -> Store: ...
        @property
        def vectors(self) -> VectorIndex: ...
        def _forget_vectors(self) -> None: ...

    def _require(self, as_user: str | None, action: str, doing: str | None = None) -> None:
        """Refuse what the user's role does not allow (the given user, else this view's); ``doing``
        names the thing refused in the message ("read the audit log")."""
        who = as_user if as_user is not None else self.user
        try:
            self.users.require(who, action, doing)
        except PermissionDeniedError as exc:  # a refusal is audited too: who tried what
            self.store.audit(who or "unknown", "refused", str(exc))
            raise

    def _audit(self, action: str, detail: str = "") -> None:
        """Write who did what to the audit log (``action`` one of AUDIT_ACTIONS)."""
        if action not in AUDIT_ACTIONS:
            raise ValueError(f"not an audit action: {action}")  # a programming error: the app's filter would never show it
        self.store.audit(self.user or f"console ({_os_user()})", action, detail)

    def audit_log(self, limit: int = 500, user: str | None = None, action: str | None = None, as_user: str | None = None) -> list[AuditEntry]:
        """The newest audit entries, optionally one user's or one action's (admins only in the app)."""
        self._require(as_user, "admin", "read the audit log")
        return [AuditEntry(**r) for r in self.store.audit_rows(limit, user, action)]

    def add_user(self, name: str, role: str, password: str, clearance: str = MARKINGS[0], as_user: str | None = None) -> None:
        """Add a user, or change one's role, password and clearance: an admin's job, audited (never the password)."""
        self._require(as_user, "admin", "manage users")
        self.users.add(name, role, password, clearance=clearance)
        self._audit("add user", f"{name.strip()}: {role}, cleared to {clearance}")

    def backup(self, path: str | Path, as_user: str | None = None) -> dict[str, Any]:
        """Write the whole data home (documents, chunks, vectors, register and history, FOI, users, audit, uploads) to a .zip."""
        from kb.access.backup import backup

        self._require(as_user, "admin", "make a backup")
        manifest = backup(self.config, self.store, self.vectors, path)
        self._audit("backup", f"{Path(path).name}: {json.dumps(manifest['counts'])}")
        return manifest

    def restore(self, path: str | Path, as_user: str | None = None) -> dict[str, Any]:
        """Restore a backup into this (empty) data home; refuses one that holds anything, and leaves the
        home as it was when the backup is damaged or the restore fails. An admin's job."""
        from kb.access.backup import restore

        if self.config.db_path.exists():
            self._require(as_user, "admin", "restore a backup")

        home = self.config.home
        before = set(home.iterdir()) if home.is_dir() else None
        try:
            manifest = restore(self.config, path, lambda: self.vectors)
        except BaseException:
            self._forget_vectors()
            for made in (set(home.iterdir()) - before) if before is not None and home.is_dir() else []:
                shutil.rmtree(made, ignore_errors=True) if made.is_dir() else made.unlink(missing_ok=True)
            if before is None and home.is_dir():
                shutil.rmtree(home, ignore_errors=True)
            raise
        self._audit("restore", f"{Path(path).name} (made {manifest['created_at']})")
        return manifest

    @property
    def users(self) -> Users:
        """The app's users."""
        return Users(self.store)
