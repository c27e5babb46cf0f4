"""People who use the app: viewer, editor or admin, with passwords hashed by scrypt (never stored
or logged in clear). With no users defined the app runs in single-user mode on this computer only.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re

from kb.errors import InputError, PermissionDeniedError
from kb.store import user_rows
from kb.store.db import Store, now
from kb.store.filters import MARKINGS

ROLES = ("viewer", "editor", "verifier", "admin")
# a verifier reads, and verifies (or sends back) a complete someone else proposed; an admin may do everything
CAN = {"read": ROLES, "edit": ("editor", "admin"), "upload": ("editor", "admin"), "delete": ("editor", "admin"), "admin": ("admin",),
       "verify": ("verifier", "admin"), "foi": ("editor", "admin")}
_N, _R, _P = 2**14, 8, 1  # scrypt cost: about 50 ms a check here, 16 MB of memory



def _hash(password: str, salt: bytes, n: int = _N, r: int = _R, p: int = _P) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


class Users:
    """The users table."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def any(self) -> bool:
        """True when at least one user exists (multi-user mode)."""
        return user_rows.any_user(self.store.db)

    def add(self, name: str, role: str, password: str, clearance: str = MARKINGS[0]) -> None:
        """Add a user, or change an existing user's role, password and clearance (the highest
        protective marking they may read)."""
        name = name.strip()
        if not re.fullmatch(r"[\w.@' -]{2,64}", name):
            raise InputError("a user name is 2 to 64 letters, digits, spaces or . @ ' -")
        if role not in ROLES:
            raise InputError(f"role must be one of {', '.join(ROLES)}")
        if clearance not in MARKINGS:
            raise InputError(f"clearance must be one of {', '.join(MARKINGS)}")
        if len(password) < 8:
            raise InputError("a password needs at least 8 characters")
        salt = os.urandom(16)
        with self.store.transaction() as tx:
            user_rows.save(tx, name, role, salt, _hash(password, salt), _N, _R, _P, now(), clearance)

    def check(self, name: str, password: str) -> bool:
        """True when the password is right (constant-time comparison)."""
        row = user_rows.get(self.store.db, (name or "").strip())
        if row is None:
            _hash(password or "", b"0" * 16)  # same work either way: no timing hint that a name exists
            return False
        return hmac.compare_digest(_hash(password or "", row["salt"], row["n"], row["r"], row["p"]), row["hash"])

    def role(self, name: str | None) -> str | None:
        """A user's role, or None."""
        row = user_rows.get(self.store.db, (name or "").strip())
        return row["role"] if row else None

    def clearance(self, name: str | None) -> str:
        """A user's clearance; an unknown user is cleared for the lowest marking only."""
        row = user_rows.get(self.store.db, (name or "").strip())
        return row["clearance"] if row else MARKINGS[0]

    def list(self) -> list[dict[str, str]]:
        """Names, roles and clearances (never hashes)."""
        return [{"name": r["name"], "role": r["role"], "clearance": r["clearance"], "created_at": r["created_at"]}
                for r in user_rows.every(self.store.db)]

    def require(self, user: str | None, action: str, doing: str | None = None) -> None:
        """Refuse an action the user's role does not allow. ``user=None`` is the console (trusted);
        with no users defined, everyone is the single local user. ``doing`` names what was refused."""
        if user is None or not self.any():
            return
        role = self.role(user)
        if role not in CAN[action]:
            what = doing or {"edit": "change recommendations", "upload": "add documents", "delete": "remove documents", "admin": "manage users",
                    "verify": "verify a completed recommendation", "foi": "change the FOI request log"}.get(action, action)
            who = " or ".join(r for r in CAN[action])
            raise PermissionDeniedError(f"{user} ({role or 'unknown user'}) may not {what}: ask someone with the {who} role")
