"""Query expansion from the corpus's own glossary: an acronym also finds its expansion, and the reverse.

The glossary is read from the store (collected at ingest by ``ingest.glossary``); matching a
query against it is a pure function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.glossary import singular

# lower-case words that are also acronyms in the corpus: only expanded when typed in capitals
_ORDINARY_WORDS = frozenset({"arm", "arms", "mo", "dao", "dash", "sash", "smb", "polit"})


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[-/]", " ", text.lower()).split())


@dataclass
class Glossary:
    """Acronyms (upper case) to their expansions, commonest first."""

    entries: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: list[tuple[str, str, int]]) -> Glossary:
        """Build from the store's (acronym, expansion, count) rows."""
        g = cls()
        for acronym, expansion, _ in rows:
            expansions = g.entries.setdefault(acronym.upper(), [])
            if _norm(expansion) not in {_norm(e) for e in expansions}:
                expansions.append(expansion)
        return g

    def expand(self, query: str) -> list[tuple[str, str]]:
        """(what the query says, what it also means): acronyms to expansions and expansions to acronyms."""
        found: list[tuple[str, str]] = []
        for token in re.findall(r"[A-Za-z][A-Za-z0-9&-]*", query):
            key = singular(token).upper()
            if key not in self.entries:
                continue
            typed_as_acronym = sum(c.isupper() for c in token) >= 2
            if typed_as_acronym or (len(key) >= 3 and token.lower() not in _ORDINARY_WORDS):
                found.append((token, self.entries[key][0]))
        q = _norm(query)
        for acronym, expansions in self.entries.items():
            for expansion in expansions:
                e = _norm(expansion)
                if len(e.split()) >= 2 and (e in q or e.rstrip("s") in q):
                    found.append((expansion, acronym))
                    break
        return list(dict.fromkeys(found))
