"""The time stamps every row carries."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> str:
    """The current UTC time as ISO 8601, seconds precision."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()
