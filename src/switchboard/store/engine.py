"""The database engine and the one way to write: ``Store.write()``.

SQLite allows one writer at a time. Rather than let concurrent requests collide on
``database is locked``, writers in one process queue on a lock and open their
transaction with ``BEGIN IMMEDIATE`` (which takes the write lock up front, so a
transaction never fails half-way on lock upgrade); other processes are waited for by
``busy_timeout``. Writers waiting on that lock are committed together (see
:mod:`store.group_commit`). PostgreSQL runs writers concurrently; a deadlock or
serialization failure there is retried here through the one retry policy
(:data:`BUSY_RETRY`), never in callers.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from ..core.private import private_dir, private_file
from ..core.retry import RetryPolicy, retry_call
from ..core.tracebacks import detach
from .checkpoint import Checkpointer
from .dialects import Dialect, SqliteDialect, for_name
from .errors import StoreBusy
from .group_commit import Job, WriteQueue, run_batch

T = TypeVar("T")
log = logging.getLogger("switchboard.store")

# Six tries, jittered waits from 20 ms doubling to 320 ms: conflicts clear in milliseconds.
BUSY_RETRY = RetryPolicy(attempts=6, backoff=0.02, max_backoff=0.32)


class _Conflict(StoreBusy):
    """A lock or serialization conflict of this store's own transaction: the only
    transient error :meth:`Store._retrying` retries (a caller's own transient error
    passes through to the caller)."""


class Store:
    """One database: SQLite (embedded shape) or PostgreSQL (scaled-out shape)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Chosen once: every backend difference goes through it (see store.dialects).
        self.dialect: Dialect = for_name(engine.dialect.name)
        self.is_sqlite = isinstance(self.dialect, SqliteDialect)
        self._write_lock = threading.Lock() if self.is_sqlite else None
        self._queue = WriteQueue()
        self._local = threading.local()
        self._writer: Connection | None = None
        self._writer_thread: threading.Thread | None = None
        self._queue_guard = threading.Lock()
        self._wake = threading.Event()
        self._closing = False
        self._checkpointer: Checkpointer | None = None
        self.metadata = sa.MetaData()
        # Called with a committed transaction's ``Connection.info`` (flags its work set;
        # each hook pops its own), on the committing thread, right after COMMIT:
        # wake-ups and cache invalidation. A flag left by a rolled-back transaction only
        # causes one spurious wake-up or invalidation later, never a missed one.
        self.after_commit: list[Callable[[dict[Any, Any]], None]] = []
        # Applied (in place) to each event payload the event log reads back: the org
        # opens the encrypted fields it sealed into change events (events.replay).
        self.payload_openers: list[Callable[[dict[str, Any]], None]] = []

    def _committed(self, info: dict[Any, Any]) -> None:
        for hook in self.after_commit:
            hook(info)

    # -- transactions -------------------------------------------------------------------
    @contextmanager
    def _write_once(self) -> Iterator[Connection]:
        """One PostgreSQL transaction (SQLite writers go through :meth:`_batch`)."""
        with self.engine.begin() as conn:
            info = conn.info  # the connection is closed once the block commits
            yield conn
        self._committed(info)

    def write(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one write transaction, retrying transient conflicts.

        ``work`` may run more than once, so it must not have effects outside the
        transaction before it returns. On SQLite it may run on another writer's thread,
        in a transaction it shares with other writers' work (group commit).
        """
        if self._write_lock is None:
            return self._retrying(lambda: self._once(work))
        job: Job[T] = Job(work)
        self._queue.put(job)
        with self._write_lock:
            if not job.done:  # nobody ran it yet: lead a batch of everything queued
                self._lead()
        return job.result()

    async def write_async(self, work: Callable[[Connection], T]) -> T:
        """:meth:`write` for code on the event loop: on SQLite the job joins the same
        group commit and a single writer thread runs it, so a request waits on a future
        rather than parking a pool thread on the write lock."""
        if self._write_lock is None:
            return await asyncio.to_thread(self.write, work)
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        job: Job[T] = Job(work, on_done=lambda: loop.call_soon_threadsafe(_resolve, fut))
        self._queue.put(job)
        self._start_writer()
        self._wake.set()
        await fut
        return job.result()

    def _lead(self) -> None:
        """Under the write lock: run everything queued as one batch."""
        batch = self._queue.drain()
        if not batch:
            return
        try:
            self._retrying(lambda: self._batch(batch))
        except BaseException as exc:  # retries ran out: every job shares the fate
            for queued in batch:
                if not queued.done:
                    queued.error, queued.done = detach(exc), True
        finally:
            for queued in batch:
                queued.finished()

    def _start_writer(self) -> None:
        if self._writer_thread is None:
            with self._queue_guard:
                if self._writer_thread is None:
                    thread = threading.Thread(
                        target=self._writer_loop, name="sqlite-writer", daemon=True
                    )
                    thread.start()
                    self._writer_thread = thread

    def _writer_loop(self) -> None:
        assert self._write_lock is not None
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._closing:
                return
            with self._write_lock:
                self._lead()

    def _once(self, work: Callable[[Connection], T]) -> T:
        with self._write_once() as conn:
            return work(conn)

    def _batch(self, batch: list[Job[Any]]) -> None:
        for job in batch:
            job.reset()
        try:
            conn = self._writer_connection()
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                run_batch(conn, batch)
            except BaseException:
                conn.exec_driver_sql("ROLLBACK")
                conn.rollback()
                raise
            conn.exec_driver_sql("COMMIT")
            conn.rollback()  # ends SQLAlchemy's autobegun (driver-level no-op) transaction
            self._checkpoint_after(conn)
            self._committed(conn.info)
        except (OperationalError, DBAPIError) as exc:
            self._drop_writer()
            if self._retryable(exc):
                raise  # the whole batch is retried
            detach(exc)  # kept by the jobs; this frame holds ``batch``: no cycle through it
            for job in batch:
                job.error, job.done = job.error or exc, True
            return
        except Exception as exc:  # a lone job's own failure
            detach(exc)
            for job in batch:
                job.error, job.done = job.error or exc, True
            return
        except BaseException as exc:
            for job in batch:
                job.error, job.done = exc, True
            raise
        for job in batch:
            job.done = True

    def _writer_connection(self) -> Connection:
        """The one connection SQLite writes go through; held only under the write lock,
        and kept open so its page cache stays warm between transactions. It leaves WAL
        checkpoints to the checkpointer thread (see :mod:`store.checkpoint`)."""
        conn = self._writer
        if conn is None or conn.closed or conn.invalidated:
            conn = self._writer = self.engine.connect()
            path = self.engine.url.database
            if path and path != ":memory:" and not self._closing:
                conn.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
                if self._checkpointer is None:
                    self._checkpointer = Checkpointer(path)
        return conn

    def _checkpoint_after(self, conn: Connection) -> None:
        """After a commit, under the write lock (see :mod:`store.checkpoint`). The
        transaction has committed, so nothing here may fail it (the batch would run
        again)."""
        if self._checkpointer is None:
            return
        try:
            self._checkpointer.after_commit(conn.connection.dbapi_connection)  # type: ignore[arg-type]
        except Exception:
            log.warning("WAL checkpoint after commit failed", exc_info=True)

    def _drop_writer(self) -> None:
        if self._writer is not None:
            try:
                if self._writer.in_transaction():
                    self._writer.rollback()
                self._writer.exec_driver_sql("ROLLBACK")
            except Exception:  # no transaction was open, or the connection is gone
                pass
            try:  # back to the pool as any other connection: checkpointing on commit
                self._writer.exec_driver_sql("PRAGMA wal_autocheckpoint=1000")
            except Exception:
                pass
            try:
                self._writer.close()
            except Exception:
                pass
            self._writer = None

    def _retrying(self, attempt_once: Callable[[], T]) -> T:
        """Run ``attempt_once`` through :data:`BUSY_RETRY`: a lock or serialization
        conflict becomes :class:`StoreBusy` (transient), which the policy retries and
        which, once the attempts are spent, reaches the caller (503 SERVER_UNAVAILABLE)."""

        def once() -> T:
            try:
                return attempt_once()
            except (OperationalError, DBAPIError) as exc:
                if self._retryable(exc):
                    raise _Conflict("The database is busy; try again") from exc
                raise

        return retry_call(BUSY_RETRY, once, only=lambda exc: isinstance(exc, _Conflict))

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads.

        On SQLite each thread keeps one open connection instead of checking one out of
        the pool per call: the checkout and check-in cost more than a primary-key read,
        and a connection that stays with its thread keeps its page cache warm. In WAL
        mode an idle connection holds no lock and each statement reads a fresh snapshot
        (the driver is in autocommit mode), so keeping it open is free.
        """
        if not self.is_sqlite or getattr(self._local, "busy", False):
            with self.engine.connect() as conn:  # PostgreSQL, or a read nested in a read
                yield conn
            return
        kept: Connection | None = getattr(self._local, "conn", None)
        if kept is None or kept.closed or kept.invalidated:
            kept = self._local.conn = self.engine.connect()
        self._local.busy = True
        try:
            yield kept
        finally:
            self._local.busy = False
            kept.rollback()  # ends SQLAlchemy's autobegun (driver-level no-op) transaction

    def _retryable(self, exc: DBAPIError) -> bool:
        return self.dialect.is_conflict(exc)

    def dispose(self) -> None:
        self._closing = True
        self._wake.set()
        if self._write_lock is not None:
            with self._write_lock:
                self._drop_writer()
        if self._checkpointer is not None:
            self._checkpointer.close()
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
            private_dir(path.parent)
            private_file(path)  # org.db (and so its -wal and -shm) 0600: customer data
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
            pool_use_lifo=True,
            max_overflow=16,
            hide_parameters=True,  # bound values are record data: never in a log or error
        )
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = sa.create_engine(
            url, pool_size=10, max_overflow=20, pool_pre_ping=True, hide_parameters=True
        )
    return Store(engine)


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


__all__ = ["Store", "open_store"]
