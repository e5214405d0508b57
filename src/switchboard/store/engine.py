"""The database engine and the one way to write: ``Store.write()``.

SQLite allows one writer at a time. Rather than let concurrent requests collide on
``database is locked``, writers in one process queue on a lock and open their
transaction with ``BEGIN IMMEDIATE`` (which takes the write lock up front, so a
transaction never fails half-way on lock upgrade); other processes are waited for by
``busy_timeout``. PostgreSQL runs writers concurrently; a deadlock or serialization
failure there is retried here with jittered backoff, never in callers.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from .errors import StoreBusy

T = TypeVar("T")

# PostgreSQL SQLSTATEs worth retrying: serialization_failure, deadlock_detected.
_PG_RETRY = {"40001", "40P01"}
_ATTEMPTS = 6


class Store:
    """One database: SQLite (embedded shape) or PostgreSQL (scaled-out shape)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.is_sqlite = self.dialect == "sqlite"
        self._write_lock = threading.Lock() if self.is_sqlite else None
        self.metadata = sa.MetaData()

    # -- transactions -------------------------------------------------------------------
    @contextmanager
    def _write_once(self) -> Iterator[Connection]:
        if self._write_lock is not None:
            with self._write_lock, self.engine.connect() as conn:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                # The driver is in autocommit mode, so the transaction is ours to end.
                try:
                    yield conn
                except BaseException:
                    conn.exec_driver_sql("ROLLBACK")
                    raise
                conn.exec_driver_sql("COMMIT")
        else:
            with self.engine.begin() as conn:
                yield conn

    def write(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one write transaction, retrying transient conflicts.

        ``work`` may run more than once, so it must not have effects outside the
        transaction before it returns.
        """
        for attempt in range(_ATTEMPTS):
            try:
                with self._write_once() as conn:
                    return work(conn)
            except (OperationalError, DBAPIError) as exc:
                if not self._retryable(exc) or attempt == _ATTEMPTS - 1:
                    if self._retryable(exc):
                        raise StoreBusy("The database is busy; try again") from exc
                    raise
                time.sleep(random.uniform(0, 0.02 * 2**attempt))
        raise AssertionError("unreachable")

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def _retryable(self, exc: DBAPIError) -> bool:
        if self.is_sqlite:
            text = str(exc.orig).lower()
            return "locked" in text or "busy" in text
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        return code in _PG_RETRY

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # NORMAL is durable across application crashes in WAL mode (only an OS crash or
    # power loss can lose the last transactions), and is several times faster than FULL.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=OFF")
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()


def open_store(url: str) -> Store:
    """Open (and for SQLite, create) the database at ``url``."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            url,
            # Autocommit at the driver level: transactions are opened explicitly with
            # BEGIN IMMEDIATE for writes; reads see a consistent WAL snapshot per statement.
            isolation_level="AUTOCOMMIT",
            connect_args={"check_same_thread": False, "timeout": 30},
            # One pooled connection per worker thread (Starlette's pool has 40): overflow
            # connections are closed on return, and reopening one (with its PRAGMAs) on
            # every request cost a fifth of the REST throughput.
            pool_size=40,
            max_overflow=16,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = sa.create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    return Store(engine)


__all__ = ["Store", "open_store"]
