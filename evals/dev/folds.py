"""The fold of each development document, fixed by a hash of its file name before any tuning.

About 40% of names hash below the cut (42 of 100), so on the first 87 documents 31 are held back
(35.6%): their figures are reported, their failures are not read while rules are tuned. The rule
depends on nothing but the name, so it cannot drift. (The cut was 35 when the corpus was planned; on
the names the documents were given that held back 27.6%, below the 30% the issue asks for, so it was
raised to 42 before any eval had run on the corpus.)
"""

from __future__ import annotations

import hashlib

HELD_BACK_SHARE = 42  # percent of the hash space


def fold(name: str) -> str:
    """"heldout" or "tuning" for a document's file name (the basename)."""
    n = int(hashlib.sha256(name.encode("utf-8")).hexdigest(), 16) % 100
    return "heldout" if n < HELD_BACK_SHARE else "tuning"
