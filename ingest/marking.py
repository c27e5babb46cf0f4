"""A document's protective marking: the highest one printed on a line of its own. Pure."""

from __future__ import annotations

import re

# A protective marking printed on its own line (a page header or footer, or a cover label), with an
# optional lead-in ("Protective marking:") and descriptor ("- PERSONAL"). Old GPMS markings above
# OFFICIAL (PROTECT, RESTRICTED, CONFIDENTIAL, SECRET) are treated as OFFICIAL-SENSITIVE.
MARKING_LINE = re.compile(
    r"^[\W_]*(?:(?:protective\s+marking|security\s+classification|classification|gpms(?:\s+marking)?|marking)\s*[:\-\u2013]\s*)?"
    r"(?P<m>official[\s\-\u2013\u2014_:\[\]()]*sensitive|not\s+protectively\s+marked|official|protect|restricted|confidential|(?:top\s+)?secret)"
    r"(?P<rest>[\s\-\u2013\u2014:\[(]+[a-z ()\[\]\-]{0,40})?[\W_]*$",
    re.I,
)


def find_marking(text: str) -> str:
    """The highest protective marking printed on a line of its own: OFFICIAL-SENSITIVE or OFFICIAL."""
    found = "OFFICIAL"
    for line in text.splitlines():
        line = line.strip()
        if not line or len(line) > 80:
            continue
        m = MARKING_LINE.match(line)
        if not m:
            continue
        word = re.sub(r"[\s\-\u2013\u2014_:\[\]()]+", " ", m.group("m").lower())
        if word in ("official", "not protectively marked"):
            continue
        # a bare title-case "Secret"/"Confidential" line is more likely a heading than a marking
        if word in ("protect", "restricted", "confidential", "secret", "top secret") and not (m.group("m").isupper() or m.group(0) != m.group("m")):
            continue
        return "OFFICIAL-SENSITIVE"
    return found
