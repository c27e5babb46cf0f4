"""What may be quoted, and where a quote is: pure checks on sentences and their offsets."""

from __future__ import annotations

import re

# page furniture and headings: a running header, "Page 2 of 4", a contents line's dot leaders, a title
_FURNITURE = re.compile(r"\bpage \d+ of \d+\b|\.{4,}", re.I)
_SENTENCE_END = re.compile(r"[.!:;?]")
_LONG_WORD = re.compile(r"[A-Za-z][\w'’-]{3,}")


def furniture(sentence: str) -> bool:
    """A heading or page furniture, not a sentence to quote: a page number ("Page 2 of 4") or a contents line's dot leaders,
    or a title (no sentence punctuation, and most of its longer words capitalised; a list item without a full stop is kept). Pure."""
    one = " ".join(sentence.split())
    if len(one.split()) >= 25:
        return False
    if _FURNITURE.search(one):
        return True
    words = _LONG_WORD.findall(one)
    return not _SENTENCE_END.search(one) and bool(words) and sum(w[0].isupper() for w in words) >= 0.5 * len(words)


def quotable(sentence: str) -> bool:
    """A sentence that may be quoted: not a question, not a fragment, not a heading or page furniture."""
    return not sentence.endswith("?") and len(sentence) >= 20 and not furniture(sentence)


def locate(quote: str, source: str, start: int, end: int) -> tuple[int, int]:
    """The quote's offsets in the source text, searched within its passage's span.

    The passage is clean text; the source may carry markup (``**``) inside the quote, so a
    verbatim miss falls back to matching its first and last words."""
    window = source[start:end]
    i = window.find(quote)
    if i >= 0:
        return start + i, start + i + len(quote)
    words = quote.split()
    for n in (3, 2, 1):
        head_text, tail_text = " ".join(words[:n]), " ".join(words[-n:])
        head = window.find(head_text)
        tail = window.find(tail_text, max(head, 0))
        if head >= 0 and tail >= head:
            return start + head, start + tail + len(tail_text)
    return start, end


def verified(quote: str, passage: str) -> bool:
    """The citation check: the quote appears verbatim in the cited passage."""
    return bool(quote.strip()) and quote in passage
