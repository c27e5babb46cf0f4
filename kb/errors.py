"""The errors the library raises; the CLI prints their message on one line, the app shows it.

Every message is written for a non-engineer: what went wrong and what to do about it.
"""

from __future__ import annotations


class KBError(Exception):
    """Base class: an expected failure with a message for the user."""


class ConfigError(KBError):
    """A setting has a value that cannot work."""


class DocumentError(KBError):
    """A file could not be read or understood (missing, empty, corrupt, unsupported)."""


class EmptyIndexError(KBError):
    """A search or question was asked before any document was ingested."""


class ModelMismatchError(KBError):
    """The index was built with a different embedding model from the one configured."""


class ModelLoadError(KBError):
    """The embedding model could not be loaded from its local folder."""


class StoreError(KBError):
    """The data home cannot be opened or written (permissions, corruption, a newer schema)."""


class NotFoundError(KBError):
    """A named document or record does not exist."""
