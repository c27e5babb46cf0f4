"""Take page furniture out of a Source and tidy its markup, keeping a map back to the source.

Furniture is removed a whole line at a time (cookie banners, site chrome, letterheads,
addresses, Welsh-language notices, repeated headers and footers, page numbers); markup is
removed inside lines (``**``, ``<sup>``, ``## ``, links). Every character of the clean text
records the source offset it came from, so a passage found in clean text can be quoted and
located in the original.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable

from ingest.records import PAGE_BREAK, Clean, Removed, Source

# --- line rules: each names a reason; a line matching one is furniture --------------------

_CHROME = [
    re.compile(r"^(?=.*\bcookies?\b)(?=.*\b(preferences|settings|essential|accept|notice|consent|customi[sz]e|our (web)?site)\b)", re.I),
    re.compile(r"^(leave this site|skip to (main )?content|back to top|share this page|print this page|accept all( cookies)?|reject all( cookies)?|manage cookies|menu|search this site)$", re.I),
    re.compile(r"^sorry, there was a (technical )?problem", re.I),
    re.compile(r"^this (site|website|service) is (a |in )?beta\b", re.I),
    re.compile(r"^your feedback (will )?help", re.I),
    # quick-exit buttons of domestic-abuse pages: "Press Escape to leave this site quickly", "Quickly exit this site"
    re.compile(r"^(?=.{0,160}$).*(\b(leave|exit) this (site|page|website)\b|\bescape key\b|\bpress(ing)? (the )?esc(ape)?\b)", re.I),
    re.compile(r"^(?=.{0,40}$).*\bcookies?\b", re.I),  # "View cookies", "Cookie policy"
    re.compile(r"^accessibility (?:options|settings|tools)\b", re.I),
    re.compile(r"^beta\b|\bour (new )?website is new\b|^(this|our) (site|website) uses cookies", re.I),
]
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_CONTACT = re.compile(r"\b(?:tel(?:ephone)?|phone|fax|e-?mail|ffôn|ebost)\s*[:.]\s*(?:\+?\d[\d ()-]{6,}|\S+@|\[email)", re.I)
_WELSH_NOTICE = re.compile(
    r"(ar gael yn gymraeg|arnoch yn gymraeg|yn croesawu gohebiaeth|available in welsh|information in welsh|"
    r"correspondence in welsh|language of your choice|medium of welsh)",
    re.I,
)
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
_ADDRESS_CUE = re.compile(r"(po box|headquarters|pencadlys|blwch|\broad\b|\bstreet\b|\blane\b|,)", re.I)
_URL_ONLY = re.compile(r"^\[?(www\.|https?://)\S+?\]?(\(\S+\))?$", re.I)
_LETTERHEAD_WORDS = {"heddlu", "police", "dyfed", "powys", "dyfed-powys", "commissioner", "comisiynydd", "opcc"}
_CHIEF_SIGNATURE = re.compile(r"^(prif gwnstabl\b.*|chief constable\s+(dr|mr|mrs|ms|miss)\.?\s+\w+\s+\w+)$", re.I)
_PAGE_NUMBER = re.compile(r"^(page\s+\d+(\s+of\s+\d+)?|\d+\s+of\s+\d+|-\s*\d+\s*-)$", re.I)
_BARE_NUMBER = re.compile(r"^\d{1,4}$")
_SEPARATOR = re.compile(r"^[\W_]{1,80}$")
_MARKUP_CHARS = re.compile(r"[*_#>`\\]+")
_RULE = re.compile(r"^(?:[*_]\s*){3,}$")


def _bare(line: str) -> str:
    """A line without markup and surrounding space, for matching rules."""
    return _MARKUP_CHARS.sub("", line).strip()


_REQUESTER = re.compile(r"^(dear\s+(mr|mrs|ms|miss|mx|dr|sir|madam|requester|applicant)\b.*|(requester|applicant|name|from|email|e-mail|address)\s*:.*)$", re.I)


def line_reason(line: str) -> str | None:
    """Why a single line is furniture, or None when it is content. Pure, position-free rules."""
    bare = _bare(_MD_LINK.sub(r"\1", line))
    if not bare:
        # a markdown rule ("***", "___", "* * *") is a separator; a blank line is content
        return "separator" if _RULE.match(line.strip()) else None
    if len(bare) < 300 and _REQUESTER.match(bare):
        return "requester details (FOI is applicant-blind)"
    if len(bare) < 400:
        if any(rule.search(bare) for rule in _CHROME):
            return "website chrome or cookie banner"
        if _WELSH_NOTICE.search(bare):
            return "Welsh-language notice"
    if len(bare) < 200 and _CONTACT.search(bare):
        return "letterhead contact details"
    if len(bare) < 200 and _POSTCODE.search(bare) and _ADDRESS_CUE.search(bare):
        return "letterhead address"
    if _URL_ONLY.match(bare):
        return "web address"
    words = bare.lower().replace(",", " ").split()
    if len(words) <= 3 and all(w in _LETTERHEAD_WORDS for w in words):
        return "letterhead"
    if _CHIEF_SIGNATURE.match(bare):
        return "letterhead"
    if _PAGE_NUMBER.match(bare):
        return "page number"
    if _SEPARATOR.match(bare):
        return "separator"
    return None


_LINE = re.compile(r"[^\n\f]*[\n\f]?")


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each line in text[start:end], end including the newline."""
    spans = []
    for m in _LINE.finditer(text, start, end):
        if m.end() > m.start():
            spans.append((m.start(), m.end()))
    return spans


def _edge_lines(text: str, start: int, end: int, n: int = 2) -> list[tuple[int, int]]:
    """The first and last n non-blank lines of a page."""
    spans = [s for s in _lines(text, start, end) if text[s[0]:s[1]].strip()]
    return spans[:n] + spans[-n:] if len(spans) > 2 * n else spans


def _repeated_furniture(source: Source) -> dict[tuple[int, int], str]:
    """Headers, footers and page numbers that sit at page edges, found across pages."""
    found: dict[tuple[int, int], str] = {}
    pages = [p for p in source.pages if p.has_text]
    shape: dict[tuple[int, int], str] = {}
    pages_with: dict[str, set[int]] = {}
    for page in pages:
        for span in _edge_lines(source.text, page.start, page.end):
            bare = _bare(source.text[span[0]:span[1]])
            if _BARE_NUMBER.match(bare):
                found[span] = "page number"
            # short lines ("Page 3", "Annual Report 2025 | 4") match whatever their numbers; long ones exactly
            key = re.sub(r"\d+", "#", bare.lower()) if len(bare.split()) <= 8 else bare.lower()
            shape[span] = key
            pages_with.setdefault(key, set()).add(page.number)
    if len(pages) >= 3:
        threshold = max(3, int(0.6 * len(pages) + 0.5))
        for span, key in shape.items():
            if key and len(pages_with[key]) >= threshold and span not in found:
                found[span] = "repeated header or footer"
    return found


# --- inline edits that keep the offset map ---------------------------------------------

Edit = tuple[re.Pattern[str], int | None, str]  # pattern, group to keep (or None), text to insert

_INLINE: list[Edit] = [
    (re.compile(r"\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b"), None, "[email-removed]"),  # one word: a chunk boundary never falls inside it
    (re.compile(r"</?(sup|sub|b|i|strong|em|u|span|br)\b[^>]*>", re.I), None, ""),
    (re.compile(r"\[([^\]\n]+)\]\((https?://|www\.|mailto:)[^)\s]*\)"), 1, ""),
    (re.compile(r"(?m)^[ \t]*#{1,6}[ \t]+"), None, ""),
    (re.compile(r"\*\*|__"), None, ""),
    # a contents page's dot leaders ("Foreword ........ 4"): five dots are kept (enough for
    # structure.CONTENTS_LINE), the rest would be a word-piece each and fill a passage with nothing to find
    (re.compile(r"(\.{5}|(?:\. ){4}\.)(?: ?\.)+"), 1, ""),
    (re.compile(r"[\u00a0\u2007\u202f\t]"), None, " "),
    (re.compile(r"(?m)^ +| +$"), None, ""),
    (re.compile(r" {2,}"), None, " "),
    (re.compile(r"(\n\n)\n+"), 1, ""),  # keep the first two, so each newline keeps its own offset
]


def _apply(text: str, offs: array, edit: Edit) -> tuple[str, array]:
    """Apply one regex edit, carrying source offsets for every kept or inserted character.

    Offsets stay in a typed array (4 bytes a character): a list of ints took 70 times the text's
    size at its peak, 3.5 GB for a 50 MB file."""
    pattern, keep, insert = edit
    chars: list[str] = []
    new = array(offs.typecode)
    last = 0
    for m in pattern.finditer(text):
        chars.append(text[last:m.start()])
        new.extend(offs[last:m.start()])
        if keep is not None:
            chars.append(m.group(keep))
            new.extend(offs[m.start(keep):m.end(keep)])
        elif insert:
            chars.append(insert)
            new.extend(array(offs.typecode, [offs[m.start()]]) * len(insert))
        last = m.end()
    if last == 0 and not chars:
        return text, offs
    chars.append(text[last:])
    new.extend(offs[last:])
    return "".join(chars), new


def clean(source: Source, extra_rules: list[Callable[[str], str | None]] | None = None) -> Clean:
    """Remove furniture lines and markup from a Source; returns text, offset map and what went."""
    text = source.text
    removed: list[Removed] = []
    edge = _repeated_furniture(source)
    rules = [line_reason, *(extra_rules or [])]
    kept_text: list[str] = []
    code = "i" if len(text) < 2**31 else "q"  # 4 bytes a character where the text allows it
    kept_offs = array(code)
    for start, end in _lines(text, 0, len(text)):
        line = text[start:end]
        reason = edge.get((start, end))
        if reason is None:
            for rule in rules:
                reason = rule(line)
                if reason:
                    break
        if reason:
            removed.append(Removed(start=start, end=end, reason=reason, text=line.strip()))
            continue
        line = line.replace(PAGE_BREAK, "\n")
        kept_text.append(line)
        kept_offs.extend(array(code, range(start, end)))
    out, offs = "".join(kept_text), kept_offs
    for edit in _INLINE:
        out, offs = _apply(out, offs, edit)
    # trim the whole text, keeping the map aligned
    lead = len(out) - len(out.lstrip())
    out, offs = out.strip(), offs[lead:lead + len(out.strip())]
    return Clean(text=out, offsets=offs, removed=removed)
