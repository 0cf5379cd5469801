"""One scrape per archive: a kernel lock next to the database, released if the process dies."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import ArchiveError, Locked


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


@contextmanager
def exclusive(db: Path) -> Iterator[None]:
    """Hold "<db>.lock" (flock, non-blocking) for the block; raise Locked when another holds it."""
    path = lock_path(db)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise ArchiveError(f"{db}: cannot take the lock {path.name}: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Locked(f"another scrape is running on {db}; skipped") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
