"""Cut a document into passages that follow its structure and fit the embedding model.

A recommendation block (recommendation + response) is one chunk when it fits under
``max_tokens``; otherwise it is split at paragraphs, then sentences, then words, every piece
keeping the block's ref. Paragraphs of one section are packed together up to the limit. The
token counter is passed in (the model's word-piece count), so this module needs no model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ingest.records import Block, Chunk, Clean, Source

TokenCounter = Callable[[str], int]

# the split is the space after a sentence's end (and its closing quote or bracket, which stays with it)
_SENTENCE_END = re.compile(r"(?:(?<=[.!?;:])|(?<=[.!?;:][\"'”’)]))\s+(?=[\"“'(\-•A-Z0-9])|\n+")


def word_count(text: str) -> int:
    """A model-free stand-in for a word-piece counter (about 1.3 pieces a word)."""
    return int(len(text.split()) * 1.3) + 1


def _pieces(text: str, start: int, end: int, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Non-blank spans of text[start:end] split at a pattern's matches."""
    spans, pos = [], start
    for m in pattern.finditer(text, start, end):
        if text[pos:m.start()].strip():
            spans.append(trim(text, pos, m.start()))
        pos = m.end()
    if text[pos:end].strip():
        spans.append(trim(text, pos, end))
    return spans


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) with the white space at both ends left out."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _words(text: str, start: int, end: int, count: TokenCounter, limit: int) -> Iterator[tuple[int, int]]:
    """Last resort for an over-long sentence: windows of whole words under the limit."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[start:end])]
    i = 0
    while i < len(words):
        j = i + 1
        while j < len(words) and count(text[start + words[i][0]:start + words[j][1]]) <= limit:
            j += 1
        if j == i + 1 and count(text[start + words[i][0]:start + words[i][1]]) > limit:
            # a single "word" longer than the limit (a URL, a table row, text without spaces)
            yield from _cut(text, start + words[i][0], start + words[i][1], count, limit)
            i += 1
            continue
        yield start + words[i][0], start + words[j - 1][1]
        i = j


def _cut(text: str, start: int, end: int, count: TokenCounter, limit: int) -> Iterator[tuple[int, int]]:
    """Cut one over-long word into the longest pieces the counter allows (one character at least).

    Characters are not tokens: a run of punctuation or CJK text is a word-piece per character,
    so the cut is found by counting, not by a fixed number of characters.
    """
    while start < end:
        if count(text[start:end]) <= limit:
            yield start, end
            return
        lo, hi = start + 1, end - 1  # the answer lies in [lo, hi]; lo is the fallback
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if count(text[start:mid]) <= limit:
                lo = mid
            else:
                hi = mid - 1
        yield start, lo
        start = lo


def _units(text: str, start: int, end: int, count: TokenCounter, limit: int) -> Iterator[tuple[int, int]]:
    """Spans no longer than the limit: paragraphs, else sentences, else word windows."""
    for p in _pieces(text, start, end, re.compile(r"\n\s*\n")):
        if count(text[p[0]:p[1]]) <= limit:
            yield p
            continue
        for s in _pieces(text, p[0], p[1], _SENTENCE_END):
            if count(text[s[0]:s[1]]) <= limit:
                yield s
            else:
                yield from _words(text, s[0], s[1], count, limit)


def _pack(text: str, units: list[tuple[int, int]], count: TokenCounter, limit: int) -> list[tuple[int, int, int]]:
    """Greedily join consecutive units while the joined text stays under the limit; returns (start, end, tokens).

    The joined text is counted as a whole rather than by adding up its units: counts do not
    add up exactly (``word_count`` rounds, and the pieces of a cut word have no space between
    them), so a sum could split a block that fits or pass a chunk that does not.
    """
    packed: list[tuple[int, int, int]] = []
    for u in units:
        if packed:
            joined = count(text[packed[-1][0]:u[1]])
            if joined <= limit:
                packed[-1] = (packed[-1][0], u[1], joined)
                continue
        packed.append((u[0], u[1], count(text[u[0]:u[1]])))
    return packed


def recommendation_lead(block_text: str, chars: int = 200) -> str:
    """The start of a recommendation's own words, without its "Recommendation N" line or a bare lead-in."""
    lines = [ln.strip(" -•") for ln in block_text.split("\n") if ln.strip()]
    body = [re.sub(r"^[A-Z][.)]\s+", "", ln) for ln in lines
            if not re.fullmatch(r"(recommendation|area for improvement|cause of concern)\s+\w+", ln, re.I) and not ln.endswith(":")]
    lead = " ".join(" ".join(body).split())
    return lead[:chars].rsplit(" ", 1)[0] if len(lead) > chars else lead


PASSAGE_CHARS = 1000  # what search scores and shows runs on past a chunk until it holds this much (see passages)
MIN_CHARS = 150  # a passage shorter than this is a fragment: too small to find or to quote


Piece = tuple[int, int, int, str, str | None, str, int, int]  # clean start, end, tokens, section, ref, context, piece number in its group, group


def _join_short(text: str, pieces: list[Piece], count: TokenCounter, limit: int) -> list[Piece]:
    """Join a passage under MIN_CHARS to the next one (else the one before) when both are plain
    paragraphs with the same context and the two fit the limit: a page of one item a line, or a
    section of one short paragraph, would otherwise become passages of 45-95 characters. A heading
    between them is then part of the passage's text (a passage still starts and ends in a
    paragraph), and the joined passage keeps the section of its longer part."""
    out: list[Piece] = []
    for piece in pieces:
        if out:
            prev = out[-1]
            short = len(text[prev[0]:prev[1]].strip()) < MIN_CHARS or len(text[piece[0]:piece[1]].strip()) < MIN_CHARS
            plain = prev[4] is None and piece[4] is None and prev[5] == piece[5]
            if short and plain:
                joined = count(text[prev[0]:piece[1]])
                if joined <= limit:
                    longer = prev if prev[1] - prev[0] >= piece[1] - piece[0] else piece
                    out[-1] = (prev[0], piece[1], joined, longer[3], None, prev[5], prev[6], prev[7])
                    continue
        out.append(piece)
    return _absorb_fragments(text, out, count, limit)


def _absorb_fragments(text: str, pieces: list[Piece], count: TokenCounter, limit: int) -> list[Piece]:
    """A passage still under MIN_CHARS joins a neighbour, or takes sentences from one when the two
    together would not fit the limit; the neighbours it may join are ``_partners``.

    A plain fragment (a title and date above a recommendation, a reference line above a letter, a
    footer after the last response) becomes part of its neighbour, which keeps its section, ref and
    context, so a recommendation stays whole. A recommendation's piece that is only its label
    ("Recommendation 1", "Cause of concern 2 / Status: Completed", its text set out as paragraphs
    beneath it) takes the paragraphs after it, and keeps its ref. A short recommendation between two
    others stays as it is: a whole recommendation is not a fragment, and a passage has one ref."""
    out = list(pieces)
    i = 0
    while i < len(out):
        if len(out) == 1 or len(text[out[i][0]:out[i][1]].strip()) >= MIN_CHARS:
            i += 1
            continue
        for j in _partners(out, i):
            start, end = min(out[i][0], out[j][0]), max(out[i][1], out[j][1])
            joined = count(text[start:end])
            if joined <= limit:
                # a plain fragment takes its neighbour's fields; a recommendation's piece keeps its own (the earlier piece's, of one recommendation)
                keep = out[j] if out[i][4] is None else out[min(i, j)] if out[j][7] == out[i][7] else out[i]
                out[min(i, j)] = (start, end, joined, *keep[3:])
                del out[max(i, j)]
                i = max(0, min(i, j) - 1)
                break
        else:
            if not any(_borrow(text, out, i, j, count, limit) for j in _partners(out, i)):
                i += 1
    return out


def _partners(pieces: list[Piece], i: int) -> list[int]:
    """The neighbours a short piece may join, nearest first: any, for a plain piece (the one after it
    first); for a recommendation's piece, a plain neighbour or a piece of the same recommendation (the
    one after its label or opening, the one before its tail)."""
    ref, n, group = pieces[i][4], pieces[i][6], pieces[i][7]
    order = (i + 1, i - 1) if ref is None or n == 0 else (i - 1, i + 1)  # a recommendation's tail goes back to its own text first
    return [j for j in order if 0 <= j < len(pieces) and (ref is None or pieces[j][4] is None or pieces[j][7] == group)]


def _borrow(text: str, pieces: list[Piece], i: int, j: int, count: TokenCounter, limit: int) -> bool:
    """Grow the short piece ``i`` with the sentences of its neighbour ``j`` nearest it, as few as
    make it MIN_CHARS long, when the grown piece fits the limit and the neighbour keeps MIN_CHARS;
    return whether it did. The grown piece is the neighbour's (section, ref, context) when it was plain."""
    short, other = pieces[i], pieces[j]
    units = _pieces(text, other[0], other[1], _SENTENCE_END)
    order = range(1, len(units)) if j > i else range(len(units) - 1, 0, -1)
    for k in order:
        start, end = (short[0], units[k - 1][1]) if j > i else (units[k][0], short[1])
        rest = (units[k][0], other[1]) if j > i else (other[0], units[k - 1][1])
        if len(text[rest[0]:rest[1]].strip()) < MIN_CHARS or count(text[start:end]) > limit:
            return False
        if len(text[start:end].strip()) >= MIN_CHARS:
            after = j > i  # the sentences came from the start of the piece after (else the end of the one before)
            if short[4] is not None:  # a recommendation's label keeps its own ref and context
                fields = short[3:]
            else:  # a plain fragment becomes part of its neighbour: the opening of the one after, the end of the one before
                fields = (*other[3:6], other[6] if after else other[6] + 1, other[7])
            pieces[i] = (start, end, count(text[start:end]), *fields)
            pieces[j] = (rest[0], rest[1], count(text[rest[0]:rest[1]]), *other[3:6], other[6] + 1 if after else other[6], other[7])
            return True
    return False


def chunk(clean: Clean, source: Source, blocks: list[Block], count: TokenCounter = word_count, max_tokens: int = 200) -> list[Chunk]:
    """Chunks over the clean text, following blocks; offsets map back to the source."""
    text = clean.text
    groups: list[tuple[list[tuple[int, int]], str, str | None, str]] = []
    para_run: list[tuple[int, int]] = []
    para_section = para_context = ""

    def flush() -> None:
        nonlocal para_run
        if para_run:
            groups.append((para_run, para_section, None, para_context))
            para_run = []

    for block in blocks:
        if block.kind == "heading":
            flush()
            continue
        units = list(_units(text, block.start, block.end, count, max_tokens))
        if block.kind == "recommendation":
            flush()
            groups.append((units, block.section, block.ref, recommendation_lead(text[block.start:block.end])))
        else:
            if para_run and (block.section != para_section or block.context != para_context):
                flush()
            para_section, para_context = block.section, block.context
            para_run.extend(units)
    flush()

    pieces = [(cs, ce, tokens, section, ref, context, n, g) for g, (units, section, ref, context) in enumerate(groups)
              for n, (cs, ce, tokens) in enumerate(_pack(text, units, count, max_tokens))]
    chunks: list[Chunk] = []
    for cs, ce, tokens, section, ref, context, n, _ in _join_short(text, pieces, count, max_tokens):
        start, end = clean.to_source(cs, ce)
        first, last = source.page_at(start), source.page_at(max(start, end - 1))
        chunks.append(Chunk(
            ordinal=len(chunks), text=text[cs:ce], start=start, end=end, clean_start=cs, clean_end=ce,
            page=first.number if first else None, page_end=last.number if last else None,
            section=section, ref=ref, tokens=tokens,
            # a recommendation's first piece holds its text; later pieces (the response) carry its lead
            context=context if (ref is None or n > 0) else "",
        ))
    return passages(clean, chunks)


def passages(clean: Clean, chunks: list[Chunk], size: int = PASSAGE_CHARS) -> list[Chunk]:
    """Give each chunk its passage: the clean text from the chunk's start on through the chunks after
    it (headings between them included) until it holds ``size`` characters or the document ends.

    A chunk is the unit the model embeds (it must fit the model's 256 word-pieces); an answer often
    runs on past it: a heading above its paragraph, a response below its recommendation, a list
    after its lead-in. Scoring and showing a window as long as a page's paragraph or two finds and
    quotes the whole answer (measured on the development corpus: evals/README.md). Windows overlap,
    as a reader's glance at a page does; each starts at its own chunk.
    """
    for i, c in enumerate(chunks):
        j = i
        while j + 1 < len(chunks) and chunks[j].clean_end - c.clean_start < size:
            j += 1
        c.passage = clean.text[c.clean_start:chunks[j].clean_end]
        c.passage_end = chunks[j].end
    return chunks
