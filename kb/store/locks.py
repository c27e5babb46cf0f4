"""Lock files that serialise processes on one data home: the first open of a database or an
embedded Chroma, and the vector writes of ingests against a recovery of a killed one. Without
fcntl (Windows) there is no lock, and the transactions alone serialise what they can."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

@contextmanager
def open_lock(path: Path) -> Iterator[None]:
    """Hold a lock file beside ``path`` (a database, the Chroma folder) while it is opened and set up.

    Switching a new database to WAL and creating its tables are not covered by SQLite's busy wait
    (two first opens failed with "database is locked" or "duplicate column"; two first opens of an
    embedded Chroma failed with "table collections already exists"). Without fcntl (Windows) there
    is no lock, and the transactions alone serialise the migrations.
    """
    try:
        import fcntl
    except ImportError:
        yield
        return
    try:
        handle = path.with_name(path.name + ".lock").open("a")
    except OSError:  # a read-only home: nothing can be migrated there anyway
        yield
        return
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextmanager
def vector_lock(home: Path, exclusive: bool, wait: bool = True) -> Iterator[bool]:
    """Hold the data home's vector lock: shared while a file's vectors are written or removed
    (journal to clean-up), exclusive while the journal is recovered. Yields whether it is held
    (always, unless ``wait`` is false and another process holds it).

    So a recovery never mistakes the journal entries of an ingest still running, in another
    process or thread, for those of one that was killed. The kernel releases the lock of a
    killed process. Without fcntl (Windows) there is no lock: run one ingest at a time.
    """
    try:
        import fcntl
    except ImportError:
        yield True
        return
    with (home / "ingest.lock").open("a") as f:
        try:
            fcntl.flock(f.fileno(), (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
