"""Where a passage is: the fields a search hit and an answer's citation share."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(kw_only=True)
class Location:
    """A passage's document details and its offsets in the document's extracted text."""

    title: str = ""
    kind: str = ""
    date: str | None = None
    section: str = ""
    ref: str | None = None
    start: int = 0
    end: int = 0

    def to_json(self) -> dict[str, Any]:
        """The record's own fields first (the CLI's fixed fields), then where it is."""
        data = asdict(self)
        shared = {f.name for f in fields(Location)}
        return {**{k: v for k, v in data.items() if k not in shared}, **{k: data[k] for k in data if k in shared}}
