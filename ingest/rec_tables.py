"""Recommendations in tracker tables: a header row names the columns, and each row below is one item.

Trackers, committee appendices and third-party inquiry trackers print a table whose header has a
recommendation column ("Recommendation", "Recommendation / AFI", "Area for improvement") and
usually a reference, a response or update, a status or RAG column, a type, a lead and a target
date. Rows are read from the clean text, where a table's cells are joined by " | ". The status is
the printed one, read through the document's own status key; the wording of the response when
nothing is printed. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.chunk import trim
from ingest.metadata import find_dates
from ingest.records import Meta, Recommendation
from ingest.status import Proposal, labelled, propose, word_status


@dataclass
class _Cell:
    """One cell of a table row, with its clean offsets."""

    text: str
    start: int
    end: int


_TEXT_COL = re.compile(r"^(?:recommendations?|recommendation\s*(?:/|or|and)\s*(?:afi|area for improvement)s?|areas? for improvement|afis?|"
                       r"causes? of concern|recommendation text|hmicfrs recommendation|(?:hmicfrs |hmic |inspection )?findings?|(?:action plan )?commitments?)$", re.I)
_TEXT_COL_GENERIC = re.compile(r"^recommendations?\s*(?:/|or|and)", re.I)  # "Recommendation / AFI": either, row by row
_FINDING_COL = re.compile(r"findings?$", re.I)  # a findings column holds items only where a cell is labelled or asks for something
_ROLES = [
    ("ref", re.compile(r"^(?:no\.?|#|rec\.?(?: no\.?)?|ref(?:erence)?\.?|number|id|item|afi|coc)$", re.I)),
    ("status", re.compile(r"^(?:status|rag|rag status|rating|current status|progress status|overall status)$", re.I)),
    ("response", re.compile(r"\b(?:response|update|position|progress|comments?|commentary|evidence|action(?:s)? taken|force action|work (?:being |to be )?(?:done|undertaken))\b", re.I)),
    ("type", re.compile(r"^(?:type|category)$", re.I)),
    ("deadline", re.compile(r"\b(?:target date|deadline|due(?: date)?|timescales?|completion date|by when)\b", re.I)),
    ("addressee", re.compile(r"^(?:directed at|addressee|addressed to)$", re.I)),
]
_TYPE_WORDS = [(re.compile(r"^(?:afi|area for improvement)", re.I), "area_for_improvement"), (re.compile(r"^(?:coc|cause of concern)", re.I), "cause_of_concern"),
               (re.compile(r"^rec", re.I), "recommendation")]
_CELL_LABEL = re.compile(r"\b(?P<label>cause of concern|area for improvement|recommendation|AFI)\s*:\s*", re.I)
_SEPARATOR_ROW = re.compile(r"^[\s|:-]+$")


def _cells(text: str, start: int, end: int) -> list[_Cell] | None:
    """The cells of a table row (a line with at least two " | " separators, or one between bars), or None."""
    line = text[start:end]
    if line.count("|") < 2 and not (line.count("|") == 1 and line.strip().startswith("|")):
        return None
    cells, pos = [], start
    for piece in line.split("|"):
        s, e = trim(text, pos, pos + len(piece))
        pos += len(piece) + 1
        cells.append(_Cell(text[s:e], s, e))
    if line.strip().startswith("|"):
        cells = cells[1:]
    if line.strip().endswith("|"):
        cells = cells[:-1]
    return cells if len(cells) >= 2 else None


def _header_roles(cells: list[_Cell]) -> dict[str, int] | None:
    """Column index of each role, when this row is a recommendation table's header."""
    names = [" ".join(c.text.strip(" *:").split()) for c in cells]
    if any(len(n) > 60 for n in names):
        return None
    text_cols = [i for i, n in enumerate(names) if _TEXT_COL.match(n)]
    if not text_cols:
        return None
    # "AFI | Area for improvement | Position": the longer name holds the text, the short one is its number
    roles = {"text": max(text_cols, key=lambda i: (len(names[i]), -i))}
    concern = [i for i in text_cols if re.match(r"causes? of concern$", names[i], re.I)]
    asks = [i for i in text_cols if re.match(r"recommendations?$", names[i], re.I)]
    if concern and asks:  # "Cause of concern | Recommendation | Response | Status": a concern and what it asks for, row by row
        roles = {"text": asks[0], "concern": concern[0]}
    if _FINDING_COL.search(names[roles["text"]]):
        roles["finding"] = roles["text"]
    for role, pattern in _ROLES:
        for i, n in enumerate(names):
            if i not in roles.values() and pattern.search(n):
                roles[role] = i
                break
    return roles


def _type_of(cell: str | None, text: str, default: str) -> str:
    for source in (cell or "", text):
        for pattern, kind in _TYPE_WORDS:
            if pattern.match(source.strip()):
                return kind
    return default


def _pieces(body: _Cell, type_cell: _Cell | None, default_type: str, finding: bool) -> list[tuple[str, int, int]]:
    """The recommendations one text cell holds, typed, as (type, start, end); none for a finding that asks nothing.

    One cell may hold a cause of concern and the recommendation made under it ("Cause of concern: ... Recommendation: ...")."""
    from ingest.recommendations import DIRECTIVE

    labels = list(_CELL_LABEL.finditer(body.text))
    if finding and not labels and not DIRECTIVE.search(body.text):
        return []
    if not labels:
        return [(_type_of(type_cell.text if type_cell else None, body.text, default_type), body.start, body.end)]
    pieces = []
    for k, m in enumerate(labels):
        stop = labels[k + 1].start() if k + 1 < len(labels) else len(body.text)
        pieces.append((_type_of(m.group("label"), "", default_type), body.start + m.end(), body.start + stop))
    return pieces


def _row_status(status_cell: _Cell | None, response_cell: _Cell | None, key: dict[str, str]) -> tuple[Proposal, int, int]:
    """A row's status with where its quote lies: the status cell's printed word, else what the response says."""
    printed = word_status(status_cell.text, key) if status_cell else None
    if printed and status_cell:
        return Proposal(printed, status_cell.text, status_cell.start - (response_cell.start if response_cell else 0), 0), status_cell.start, status_cell.end
    response = response_cell.text if response_cell else ""
    proposal = labelled(response, key) or propose(response)[0]
    base = response_cell.start if response_cell else 0
    return proposal, base + proposal.start, base + proposal.end


def _table_type(cells: list[_Cell], roles: dict[str, int], default: str) -> str:
    """The type a table's header gives its rows: the text column's name ("Area for improvement", "Causes of
    concern"), or a ref column named "AFI"; "Recommendation / AFI" says nothing (row by row)."""
    named = [cells[roles[r]].text.strip(" *:") for r in ("text", "ref") if r in roles]
    return next((t for n in named if (t := _type_of(n, "", "")) and not _TEXT_COL_GENERIC.match(n)), default)


def _concern(cell: _Cell | None, ref: str) -> tuple[str, tuple[str, int, int] | None]:
    """A row's cause of concern in its own column: its ref ("1. Governance and oversight ...": 1, unless the
    row has a ref column) and its span; none for an empty or tiny cell."""
    if cell is None or len(cell.text) < 20:
        return ref, None
    numbered = re.match(r"(\d{1,2})[.)]\s+", cell.text)
    return (numbered.group(1) if numbered and not ref else ref), ("cause_of_concern", cell.start + (numbered.end() if numbered else 0), cell.end)


def find_table_recommendations(text: str, meta: Meta, key: dict[str, str], default_type: str = "recommendation") -> list[Recommendation]:
    """Every row of every recommendation table in the clean text, in order."""
    from ingest.rec_fields import addressee_of, deadline_of
    from ingest.recommendations import report_date

    out: list[Recommendation] = []
    seen: dict[tuple[str, str], int] = {}
    rdate = report_date(meta)
    default_who = "forces" if meta.kind == "inspection_report" else "the force"
    roles: dict[str, int] | None = None
    width = 0
    table_type = default_type
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        cells = _cells(text, start, end)
        if cells is None:
            if line.strip():
                roles = None  # a table ends at the first line that is not a row
            continue
        header = _header_roles(cells)
        if header is not None:
            roles, width, table_type = header, len(cells), _table_type(cells, header, default_type)
            continue
        if roles is None or _SEPARATOR_ROW.match(line) or len(cells) != width:
            continue
        body = cells[roles["text"]]
        if len(body.text) < 20:
            continue
        ref_cell, type_cell, status_cell, response_cell, deadline_cell, to_cell = (
            cells[roles[r]] if r in roles else None for r in ("ref", "type", "status", "response", "deadline", "addressee"))
        ref = ref_cell.text.strip(" .*") if ref_cell else ""
        concern_ref, concern_piece = _concern(cells[roles["concern"]] if "concern" in roles else None, ref)
        pieces = ([concern_piece] if concern_piece else []) + _pieces(body, type_cell, table_type, finding="finding" in roles)
        if not pieces:
            continue  # a finding that is neither labelled nor asks anything is narrative
        response = response_cell.text if response_cell else ""
        row_status = _row_status(status_cell, response_cell, key)
        for kind, s, e in pieces:
            # the row's status is that of the recommendation made under the concern (a concern in its own column shares it)
            proposal, quote_start, quote_end = (Proposal("unknown"), 0, 0) if kind == "cause_of_concern" and len(pieces) > 1 and "concern" not in roles else row_status
            while e > s and text[e - 1] in " .;":
                e -= 1
            own = " ".join(text[s:e].split())
            if len(own) < 20:
                continue
            dated = find_dates(deadline_cell.text) if deadline_cell else []
            deadline, deadline_text = (dated[0][1], deadline_cell.text) if dated and deadline_cell else deadline_of(own, rdate)
            who = addressee_of(own, None) or (" ".join(to_cell.text.lower().split()) if to_cell and to_cell.text else None) or default_who
            own_ref = concern_ref if kind == "cause_of_concern" else ref
            seen[(kind, own_ref)] = seen.get((kind, own_ref), 0) + 1
            out.append(Recommendation(
                ref=own_ref, ordinal=seen[(kind, own_ref)], type=kind, text=own, start=s, end=e, addressee=who, deadline=deadline,
                deadline_text=deadline_text, report=meta.report or meta.title, response=response,
                response_start=response_cell.start if response_cell else 0, response_end=response_cell.end if response_cell else 0,
                status=proposal.status, status_quote=text[quote_start:quote_end] if quote_end > quote_start else "",
                status_start=quote_start, status_end=quote_end,
            ))
    return out
