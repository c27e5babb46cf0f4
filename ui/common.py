"""What every tab of the app shares: the knowledge base as the logged-in user sees it, safe text for
Markdown, and one way of turning the library's errors into messages (``shows_errors``)."""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from typing import Any, TypeVar

import kb  # noqa: F401  (offline switches before gradio imports)
import gradio as gr

from kb.errors import KBError
from kb.service import KB

F = TypeVar("F", bound=Callable[..., Any])
Loads = list[tuple[Callable[..., Any], Any, Any]]  # (handler, inputs, outputs) the page runs when it loads

_state: dict[str, KB] = {}


def get_kb() -> KB:
    """The app's knowledge base as the console sees it (every marking). Only the server's own set-up
    uses it (logins, launch options, the first ingest); every handler reads through ``kb_for``."""
    if "kb" not in _state:
        _state["kb"] = KB()
    return _state["kb"]


def kb_for(request: gr.Request | None) -> KB:
    """The knowledge base as the logged-in user sees it: their clearance limits what every read
    returns, and what they do is audited under their name. With users defined, a request without a
    logged-in user is refused (the facade never hands out the console's view for one); single-user
    mode, on this computer only, sees everything."""
    try:
        return get_kb().as_user(user_of(request))
    except KBError as exc:
        raise user_error(exc) from exc


# Markdown marks that could make a link, an image, an autolink, a table, code or LaTeX out of a
# document's text; "_" only where it could start or end emphasis (not inside "not_started").
_MD_MARKS = re.compile(r"[\\`*\[\]|~$:@]|(?<![^\W_])_|_(?![^\W_])|(?<=www)\.")
_MD_LINE_START = re.compile(r"(?m)^([ \t]*)([-+#=]|\d+[.)])")  # a heading, a list or a rule


def md_text(value: object) -> str:
    """Any text (a document's, a user's) for a gr.Markdown, shown exactly as written: HTML-escaped,
    and every Markdown mark backslash-escaped, so nothing in it becomes markup, a link or an image."""
    text = html.escape("" if value is None else str(value), quote=False)
    text = _MD_MARKS.sub(lambda m: "\\" + m.group(0), text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + (m.group(2)[:-1] + "\\" + m.group(2)[-1] if m.group(2)[0].isdigit() else "\\" + m.group(2)), text)


def user_error(exc: Exception) -> gr.Error:
    """The message a user sees for an expected failure. Gradio shows an error's message as HTML, so
    it is escaped: a message that repeats what was typed (a date, a file name) shows it as text."""
    return gr.Error(html.escape(str(exc), quote=False))


def user_of(request: gr.Request | None) -> str | None:
    """The logged-in user, or None in single-user mode."""
    return getattr(request, "username", None) or None



def short(text: object, n: int) -> str:
    """Text on one line, cut to ``n`` characters with an ellipsis."""
    text = " ".join(str(text or "").split())
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def shows_errors(fn: F) -> F:
    """A handler whose library errors reach the user as a plain message (gr.Error), never a trace."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except KBError as exc:
            raise user_error(exc) from exc

    return wrapper  # type: ignore[return-value]
