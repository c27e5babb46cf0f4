"""Every error the library raises; the CLI prints their message on one line, the app shows it.

Every message is written for a non-engineer: what went wrong and what to do about it. Catch
``KBError`` for all of them; the subclasses say what kind of failure it was.
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


class InputError(KBError):
    """A value a person gave cannot be used: a date, a status, a name, a file name, a choice."""


class FileError(KBError):
    """A file could not be read or written (a missing folder, permissions, a full disk)."""


class ConflictError(KBError):
    """Someone else saved the record since it was read: reload and try again."""


class PermissionDeniedError(KBError):
    """The user's role does not allow this."""


class ClosureError(KBError):
    """A closure step the rules do not allow (no evidence, verifying one's own proposal, ...)."""


class FOILogError(KBError):
    """An FOI log entry or event the rules do not allow (a reference reused, an event out of order)."""


class StaleLogError(FOILogError, ConflictError):
    """Someone else added an event to the FOI request since it was read."""


class BackupError(KBError):
    """A backup cannot be written, or a backup file cannot be restored (nothing was changed)."""


class LLMError(KBError):
    """The configured local LLM server failed or gave an unusable answer."""
