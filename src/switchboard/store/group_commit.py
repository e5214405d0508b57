"""Group commit for SQLite's single writer.

SQLite serializes writers, and a commit costs far more than the small insert most
requests make (here: ~130-300 µs to commit against ~70 µs to insert an Account). So
writers queue their work, and whichever thread takes the write lock runs everything
queued so far in one transaction, each piece inside its own SAVEPOINT: a piece that
fails is rolled back alone and its caller gets its exception; the others commit
together. Every caller returns only after the commit that holds its work, so
durability and read-your-writes are unchanged; one transaction simply carries several
callers' changes. A lone writer runs without a savepoint, exactly as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy.engine import Connection

from ..core.tracebacks import detach

T = TypeVar("T")

_UNSET: Any = object()


@dataclass(eq=False, slots=True)
class Job(Generic[T]):
    work: Callable[[Connection], T]
    value: Any = _UNSET
    error: BaseException | None = None
    done: bool = False
    # Called (on the thread that ran the batch) once the job's fate is known: how an
    # asyncio caller is woken without a thread of its own waiting on the lock.
    on_done: Callable[[], object] | None = None

    def finished(self) -> None:
        if self.on_done is not None:
            self.on_done()

    def result(self) -> T:
        error = self.error
        if error is not None:
            # Handed over, not kept: raising adds the caller's frames (which hold this
            # job) to its traceback, and a job still holding it would make a cycle.
            self.error = None
            try:
                raise error
            finally:
                del error
        return self.value  # type: ignore[no-any-return]

    def reset(self) -> None:
        self.value, self.error, self.done = _UNSET, None, False


@dataclass(slots=True)
class WriteQueue:
    """Pending jobs; the leader drains them under the store's write lock."""

    _jobs: list[Job[Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, job: Job[Any]) -> None:
        with self._lock:
            self._jobs.append(job)

    def drain(self) -> list[Job[Any]]:
        with self._lock:
            jobs, self._jobs = self._jobs, []
        return jobs


def run_batch(conn: Connection, jobs: list[Job[Any]]) -> None:
    """Run ``jobs`` inside the open transaction on ``conn``.

    With one job, its exception propagates (the caller rolls the transaction back).
    With several, each runs in a savepoint and keeps its own exception.
    """
    if len(jobs) == 1:
        jobs[0].value = jobs[0].work(conn)
        return
    # Savepoint statements go straight to the driver: they cannot meet a lock (the
    # transaction already holds the write lock), and SQLAlchemy's per-statement work
    # would cost more than the savepoints themselves.
    raw = conn.connection.dbapi_connection
    assert raw is not None
    for job in jobs:
        raw.execute("SAVEPOINT sb_job")
        try:
            job.value = job.work(conn)
        except Exception as exc:  # this job fails alone; BaseException aborts the batch
            raw.execute("ROLLBACK TO sb_job")
            job.error = detach(exc)  # this frame holds ``jobs``: no cycle through it
        raw.execute("RELEASE sb_job")


__all__ = ["Job", "WriteQueue", "run_batch"]
