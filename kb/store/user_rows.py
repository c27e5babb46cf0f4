"""The SQL of users: one row per user (name, role, clearance and the scrypt hash with its parameters)."""

from __future__ import annotations

import sqlite3


def any_user(db: sqlite3.Connection) -> bool:
    """True when at least one user exists."""
    return db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None


def save(tx: sqlite3.Connection, name: str, role: str, salt: bytes, hashed: bytes, n: int, r: int, p: int, at: str, clearance: str) -> None:
    """Add a user, or replace their role, password and clearance."""
    tx.execute("""INSERT INTO users (name, role, salt, hash, n, r, p, created_at, clearance) VALUES (?,?,?,?,?,?,?,?,?)
                  ON CONFLICT(name) DO UPDATE SET role=excluded.role, salt=excluded.salt, hash=excluded.hash,
                  n=excluded.n, r=excluded.r, p=excluded.p, clearance=excluded.clearance""",
               (name, role, salt, hashed, n, r, p, at, clearance))


def get(db: sqlite3.Connection, name: str) -> sqlite3.Row | None:
    """One user's row, or None."""
    return db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()


def every(db: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every user, by name."""
    return db.execute("SELECT * FROM users ORDER BY name").fetchall()
