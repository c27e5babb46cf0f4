"""The fold of each development document, fixed by a hash of its file name before any tuning.

About 35% of documents are held back: their figures are reported, their failures are not read
while rules are tuned. The rule depends on nothing but the name, so it cannot drift.
"""

from __future__ import annotations

import hashlib

HELD_BACK_SHARE = 35  # percent


def fold(name: str) -> str:
    """"heldout" or "tuning" for a document's file name (the basename)."""
    n = int(hashlib.sha256(name.encode("utf-8")).hexdigest(), 16) % 100
    return "heldout" if n < HELD_BACK_SHARE else "tuning"
