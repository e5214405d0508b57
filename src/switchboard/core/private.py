"""Files only their owner may read: the data directory, the database, server state.

The data directory holds customer records (the SQLite database, Bulk API uploads and
results) and the org's keys. It is created 0700 and its files 0600, whatever the
process umask; SQLite gives a database's -wal and -shm files the permissions of the
database file itself, so making ``org.db`` 0600 covers them too.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
# What a server process creates from then on (job files, server.json): owner only.
UMASK = 0o077


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) readable by its owner only."""
    if not path.exists():
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        path.chmod(DIR_MODE)  # mkdir's mode is filtered by the umask
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty if missing, and make it readable by its owner only.

    An existing file is never opened: closing any descriptor of a file drops every
    POSIX lock the process holds on it, and SQLite's locks are POSIX locks. Opening an
    ``org.db`` the process already used (a second store on it) dropped its connections'
    locks: with a CLI process writing the same database (tests/callout/test_dlq.py's
    ``dlq retry``), the server's deliveries stopped progressing.
    """
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
    with contextlib.suppress(PermissionError):  # someone else's file: leave it as it is
        if path.stat().st_mode & 0o077:
            path.chmod(FILE_MODE)
    return path


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, readable by its owner only."""
    private_file(path)
    path.write_text(text)


__all__ = ["DIR_MODE", "FILE_MODE", "UMASK", "private_dir", "private_file", "write_private"]
