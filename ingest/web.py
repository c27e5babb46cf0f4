"""Saved web pages: their text (block tags as line breaks, scripts and navigation skipped), and their main
content read by trafilatura with the page's date and reference lines kept (a disclosure log's entry page
keeps its dates in furniture the extractor drops)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK_TAGS = {"p", "div", "section", "article", "br", "li", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dd", "dt", "main"}
_CONTENT_TAGS = {"article", "section", "main"}
_SKIP_TAGS = {"script", "style", "noscript", "nav", "header", "footer", "template", "svg", "form", "button", "iframe", "head"}


class _HTMLText(HTMLParser):
    """Collect visible text from HTML, skipping scripts, styles and site navigation."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.content = 0  # depth inside article / section / main
        self.headers: list[bool] = []  # for each open <header>: skipped (the site's) or not (an article's)
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _CONTENT_TAGS:
            self.content += 1
        if tag == "header" and self.content and not self.skip:
            self.headers.append(False)  # an article's or section's own header (its title, its status) is content
            return
        if tag == "header":
            self.headers.append(True)
        if tag in _SKIP_TAGS:
            self.skip += 1
            self._in_title = False
            return
        if tag == "title":
            self._in_title = True
        if self.skip:
            return
        if tag in _BLOCK_TAGS:
            self.out.append("\n")
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.out.append("## ")
        elif tag == "li":
            self.out.append("- ")
        elif tag in {"td", "th"}:
            self.out.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _CONTENT_TAGS:
            self.content = max(0, self.content - 1)
        if tag == "header" and self.headers and not self.headers.pop():
            return
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
            return
        if tag == "title":
            self._in_title = False
        if not self.skip and tag in _BLOCK_TAGS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if not self.skip:
            self.out.append(data)


def html_to_text(html: str) -> str:
    """Visible text of an HTML page, one block per line."""
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    text = "".join(parser.out)
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n\| ", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


_META_LABEL = re.compile(r"^(?:date(?: of)?(?: request| response| responded| received| published| disclosed)?|(?:date )?(?:published|updated|last updated|"
                         r"received|responded|disclosed|response date|request date)(?: on)?|(?:our |your |foi |request )?ref(?:erence)?(?: no\.?| number)?|"
                         r"foi (?:number|reference|request)|request number|case (?:number|reference))\s*[:.]?", re.I)


# a message of a request thread (a WhatDoTheyKnow page marks each by its class, or by its id, "incoming-3352218") and its date
_MESSAGE = re.compile(r"""(?:class="[^"]*\b(?P<way>incoming|outgoing)_correspondence\b[^"]*"|\bid="(?P<way2>incoming|outgoing)-\d+")"""
                      r"""[\s\S]{0,1500}?<time[^>]*\bdatetime="(?P<iso>\d{4}-\d{2}-\d{2})""")
# a body's message that answers nothing yet: an automatic receipt, a logged-and-will-reply, an apology for the delay, a request
# to clarify (section 1(3)); ingest.foi_dates reads threads in text by it too
HOLDING = re.compile(r"\b(?:has been received|will receive attention|(?:has been|been) logged|acknowledg\w*|will now be considered|"
                      r"(?:we|i) will (?:respond|reply)|will receive a response|has not been answered|as soon as (?:we|i) (?:are|am) able|"
                      r"(?:could|can|would) you (?:please )?(?:clarify|specify|confirm|tell us)|section 1\(3\)|not obliged to deal with your request until)",
                      re.I)


def _correspondence_dates(html: str) -> list[str]:
    """A request thread's dates (a WhatDoTheyKnow page: each message's date stands in its header, which the main
    content leaves out): the request's (the first message sent) and the response's (the first message received
    after it that is not a receipt or a holding reply; else the last received)."""
    from datetime import date

    marks = list(_MESSAGE.finditer(html))
    sent = [(m.group("way") or m.group("way2"), m.group("iso"), html_to_text(html[m.end():marks[k + 1].start() if k + 1 < len(marks) else m.end() + 20000]))
            for k, m in enumerate(marks)]
    out = []
    asked = next((iso for way, iso, _ in sent if way == "outgoing"), None)
    received = [(iso, said) for way, iso, said in sent if way == "incoming" and (asked is None or iso > asked)]
    answer = next((iso for iso, said in received if not HOLDING.search(said[:1500])), received[-1][0] if received else None)
    for label, iso in (("Date of request", asked), ("Date responded", answer)):
        if iso:
            d = date.fromisoformat(iso)
            out.append(f"{label}: {d.day} {d.strftime('%B %Y')}")
    return out


def _metadata_lines(page_text: str, main: str) -> list[str]:
    """Labelled dates and references of a page that its main content left out ("Date responded" and
    its date in a side panel, "Published on: 11 April 2025" in the header): a label line, with the
    line after it when the value stands alone."""
    lines = [ln.strip(" |#-") for ln in page_text.splitlines()]
    out: list[str] = []
    for i, line in enumerate(lines):
        m = _META_LABEL.match(line)
        if not m or len(line) > 100:
            continue
        value = line[m.end():].strip(" :|")
        after = next((ln for ln in lines[i + 1:i + 3] if ln), "")  # the value may stand a blank line below its label
        if not re.search(r"\d", value) and 0 < len(after) <= 60 and re.search(r"\d", after):
            line = f"{line.rstrip(' :')}: {after}"  # "Date request received" with its date on the next line
        elif not value or not re.search(r"\d", value):
            continue
        if line not in main and line not in out:
            out.append(line)
    return out[:8]


# the main content keeps at least this share of the page's words: on the development corpus's tuning fold, pages
# kept 0.61-1.0 of their words (the least: a WhatDoTheyKnow page, heavy with menus), and one page of monitoring
# cards 0.13, losing nine of its ten recommendations
KEEP_AT_LEAST = 0.4
# ... and of the words of the page's own <main> element, when it has one (a page built of sibling <section>s lost all but one)
KEEP_OF_MAIN = 0.8
_MAIN = re.compile(r"<main\b[^>]*>(.*?)</main>", re.S | re.I)


PAGE_DATE_LABEL = "Page date:"


def _has_date(lines: list[str]) -> bool:
    from ingest.metadata import find_dates

    return any(find_dates(m) for m in lines)


def main_content(html: str, whole: str | None = None) -> str | None:
    """A saved web page's main content (its title first), by trafilatura, a maintained extractor:
    menus, cookie banners, "leave this site" buttons, breadcrumbs and footers are left out. None
    when it finds too little (then the whole page's visible text is read instead). ``whole`` is the
    page's visible text (``html_to_text``) when the caller has it already."""
    try:
        import trafilatura
    except ImportError:  # an install without it reads the whole page
        return None
    try:
        doc = trafilatura.bare_extraction(html, include_tables=True, include_formatting=False, include_comments=False, favor_recall=True,
                                          with_metadata=True, deduplicate=False)
    except Exception:  # a page it cannot parse is read the plain way
        return None
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if len(text) < 200:
        return None
    whole = whole if whole is not None else html_to_text(html)
    if len(text.split()) < KEEP_AT_LEAST * len(whole.split()):
        return None  # it kept too little (a page of repeated cards, each taken for furniture): read the whole page rather than lose text
    mains = _MAIN.findall(html)
    inside = html_to_text(mains[0]) if len(mains) == 1 else ""
    if len(text.split()) < KEEP_OF_MAIN * len(inside.split()):
        text = inside.strip()  # the page's own <main>, whole: the extractor kept one of its sibling <section>s and dropped the rest
    title = " ".join((getattr(doc, "title", None) or "").split())
    meta = _correspondence_dates(html) + _metadata_lines(whole, text)
    # the page's own date as the extractor reads it (a "date" element, the page's metadata), when no labelled date
    # was kept: at the end, where it joins the last passage rather than standing alone (ingest.metadata reads it)
    found = getattr(doc, "date", None)
    if found and re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(found)) and not _has_date(meta):
        text = f"{text.rstrip()}\n{PAGE_DATE_LABEL} {found}"
    if meta:
        text = "\n".join(meta) + "\n\n" + text
    if title and not text.lstrip("# ").startswith(title[:40]):
        text = f"# {title}\n\n{text}"
    return text + "\n"
