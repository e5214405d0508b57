"""The bulk worker: claims jobs, applies them chunk by chunk, resumes after a crash.

A worker holds a job through a lease (``lease_owner``, ``lease_until``) that each chunk
renews. Every chunk runs in one transaction that (1) checks the lease and that the job
is still InProgress at the offset the worker thinks it is, (2) applies the rows through
the DML path, (3) appends the chunk's result lines to the result files, cutting them
first to the sizes committed with the previous chunk, and (4) records the new read
offset, counts and result sizes. A crash at any point leaves either the whole chunk
(rows, results, progress) committed or none of it, so no row is applied twice and the
result files account for every row. A job whose lease runs out (its worker died) is
claimed again, by this process after a restart or by another one.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...core import clock
from ...core.errors import SwitchboardError
from ...core.retry import RetryPolicy
from ...core.untrusted import sanitize
from ..dml.context import WriteContext
from . import jobs
from . import tables as bulk_tables
from .csvio import append_at, encode_rows, read_header, read_rows
from .files import JobFiles
from .ingest import apply_chunk, plan

log = logging.getLogger("switchboard.bulk")
T = bulk_tables.bulk_job


# Pauses after a failed claim (the database away), as the one retry policy computes them.
_ERROR_BACKOFF = RetryPolicy(attempts=2**31, backoff=0.5, max_backoff=10.0)


class _LostLease(Exception):
    """The job was aborted, deleted or taken over while this worker held it."""


class BulkWorker:
    def __init__(self, org: Any, *, soql: Any = None, poll_interval: float = 0.5) -> None:
        self.org = org
        # The process's one query engine (the Runtime's); a worker built alone (tests,
        # the CLI) gets its own.
        if soql is None:
            from ..soql.engine import QueryEngine

            soql = QueryEngine(org)
        self.soql = soql
        self.settings = org.settings
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.poll_interval = poll_interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        from .query import run_query

        self.query_runner: Any = run_query

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> BulkWorker:
        """Start the worker thread; idempotent."""
        if self._thread is not None:
            return self
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="bulk-worker", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def notify(self) -> None:
        """A job became ready: look now rather than at the next poll."""
        self._wake.set()

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                job = self.claim()
                failures = 0
                if job is not None:
                    self.process(job)
                    continue
            except Exception:  # a worker must outlive any one job's failure
                failures += 1
                log.exception("bulk worker error")
                # The database away: back off (a stop does not wait out the pause).
                self._stop.wait(_ERROR_BACKOFF.delay(failures))
            self._wake.wait(self.poll_interval)
            self._wake.clear()

    # -- claiming -----------------------------------------------------------------------
    def _lease(self) -> Any:
        return clock.now() + timedelta(seconds=self.settings.bulk_lease_seconds)

    def claim(self) -> jobs.Job | None:
        def work(conn: Connection) -> jobs.Job | None:
            now = clock.now()
            ready = (T.c.state == jobs.UPLOAD_COMPLETE) | (
                (T.c.state == jobs.IN_PROGRESS) & (T.c.lease_until < now)
            )
            candidates = conn.execute(
                sa.select(T.c.id, T.c.state, T.c.retries)
                .where(ready)
                .order_by(T.c.created_at)
                .limit(5)
            ).all()
            for job_id, state, retries in candidates:
                if state == jobs.IN_PROGRESS and (retries or 0) >= MAX_RESUMES:
                    _give_up(conn, job_id, state, now)  # a job must end, even one that
                    continue  # fails every attempt before it can record why
                values: dict[str, Any] = {
                    "state": jobs.IN_PROGRESS,
                    "lease_owner": self.owner,
                    "lease_until": self._lease(),
                    "modstamp": now,
                }
                if state == jobs.IN_PROGRESS:
                    values["retries"] = T.c.retries + 1
                got = conn.execute(
                    T.update().where(T.c.id == job_id, T.c.state == state, ready).values(**values)
                )
                if got.rowcount == 1:
                    return jobs.get(conn, job_id)
            return None

        return self.org.store.write(work)

    # -- processing ---------------------------------------------------------------------
    def process(self, job: jobs.Job) -> None:
        try:
            if job.is_query:
                if self.query_runner is None:
                    self._fail(job, "The SOQL engine is not available in this build")
                else:
                    self.query_runner(self, job)
                return
            self._ingest(job)
        except _LostLease:
            log.info("bulk job %s: aborted or taken over; stopping", job.id)
        except SwitchboardError as exc:
            self._fail(job, exc.message)
        except Exception as exc:
            log.exception("bulk job %s failed", job.id)
            self._fail(job, f"InternalServerError : {type(exc).__name__}")

    def _guard(self, conn: Connection, job: jobs.Job, offset: int | None = None) -> None:
        cond = [T.c.id == job.id, T.c.state == jobs.IN_PROGRESS, T.c.lease_owner == self.owner]
        if offset is not None:
            cond.append(T.c.read_offset == offset)
        got = conn.execute(T.update().where(*cond).values(lease_until=self._lease()))
        if got.rowcount != 1:
            raise _LostLease()

    def _fail(self, job: jobs.Job, message: str) -> None:
        def work(conn: Connection) -> None:
            conn.execute(
                T.update()
                .where(
                    T.c.id == job.id,
                    T.c.state == jobs.IN_PROGRESS,
                    T.c.lease_owner == self.owner,
                )
                .values(state=jobs.FAILED, error_message=sanitize(message), modstamp=clock.now())
            )

        self.org.store.write(work)

    def finish(self, job: jobs.Job, **values: Any) -> None:
        def work(conn: Connection) -> None:
            self._guard(conn, job)
            conn.execute(
                T.update()
                .where(T.c.id == job.id)
                .values(state=jobs.COMPLETE, modstamp=clock.now(), lease_owner=None, **values)
            )

        self.org.store.write(work)

    def _ingest(self, job: jobs.Job) -> None:
        files = JobFiles(self.settings.data_dir, job.id)
        if not files.upload.exists():
            raise SwitchboardError("InvalidBatch : No data was uploaded for this job")
        delimiter = job.delimiter
        header, data_start = read_header(files.upload, delimiter)
        self.org.schema.refresh()
        p = plan(self.org.schema, job, header)
        offset = max(job.read_offset, data_start)
        stored = job.read_offset  # the committed offset the next chunk must find
        success_size, failed_size = job.success_bytes, job.failed_bytes
        chunk_rows = max(1, self.settings.bulk_chunk_rows)
        stats = _Statistics(self.org.store, self.org.schema.table(p.obj))
        while True:
            started = time.monotonic()
            rows, end, eof = read_rows(files.upload, delimiter, offset, chunk_rows)
            if not rows:
                break

            success_size, failed_size = self._chunk(
                job, p, header, rows, (stored, end), (success_size, failed_size), started
            )
            offset = stored = end
            if eof:
                break
            stats.applied(len(rows))
        self.finish(job)

    def _chunk(
        self,
        job: jobs.Job,
        p: Any,
        header: list[str],
        rows: list[list[str]],
        span: tuple[int, int],
        sizes: tuple[int, int],
        started: float,
    ) -> tuple[int, int]:
        files = JobFiles(self.settings.data_dir, job.id)
        delimiter = job.delimiter
        newline = "\r\n" if job.line_ending == "CRLF" else "\n"
        offset, end = span
        success_size, failed_size = sizes
        # The job writes as its creator, with the access they have now.
        principal = self.org.permissions.principal_for(job.created_by)
        ctx = WriteContext(job.created_by, "bulk", job.api_version, principal=principal)

        def work(conn: Connection) -> tuple[int, int]:
            self._guard(conn, job, offset)
            result = apply_chunk(conn, self.org.schema, self.org.dml, ctx, job, p, rows)
            ok = encode_rows(result.success, delimiter, newline)
            bad = encode_rows(result.failed, delimiter, newline)
            if success_size == 0:
                ok = encode_rows([["sf__Id", "sf__Created", *header]], delimiter, newline) + ok
            if failed_size == 0:
                bad = encode_rows([["sf__Error", "sf__Id", *header]], delimiter, newline) + bad
            new_ok = append_at(files.success, success_size, ok)
            new_bad = append_at(files.failed, failed_size, bad)
            conn.execute(
                T.update()
                .where(T.c.id == job.id)
                .values(
                    read_offset=end,
                    processed=T.c.processed + len(rows),
                    failed=T.c.failed + len(result.failed),
                    success_bytes=new_ok,
                    failed_bytes=new_bad,
                    processing_ms=T.c.processing_ms + int((time.monotonic() - started) * 1000),
                    modstamp=clock.now(),
                )
            )
            return new_ok, new_bad

        return self.org.store.write(work)


# Times a job whose worker vanished (or failed without recording why) is resumed before
# it is failed: a crash is resumed, a job that kills every attempt must still end.
MAX_RESUMES = 5


def _give_up(conn: Connection, job_id: str, state: str, now: Any) -> None:
    conn.execute(
        T.update()
        .where(T.c.id == job_id, T.c.state == state)
        .values(
            state=jobs.FAILED,
            error_message=f"InternalServerError : the job was retried {MAX_RESUMES} times "
            "without completing",
            lease_owner=None,
            modstamp=now,
        )
    )


# How much a job grows its rows before the table is analyzed again (see _Statistics).
_GROWTH = 16


class _Statistics:
    """Gives PostgreSQL's planner statistics for a table a job is filling.

    A table that was never analyzed has no statistics for the expression indexes the
    batch lookups of later chunks use (``lower(key) = ANY(...)`` for upsert keys, ids,
    unique values); the planner then guesses that such a lookup matches most of the
    table and scans all of it: on a 100,000-row upsert each lookup of 500 keys took
    24 ms instead of 1 ms, 40% of the job. So the table is analyzed after its first
    chunk. Once it has statistics the planner scales row counts with the table's
    current size, so growth alone does not mislead it; another ANALYZE (sampling 30,000
    rows of every column, half a second on a wide table) follows only when the job has
    grown its rows sixteenfold, as insurance against a first chunk that was not
    representative. Analyzing at every doubling cost 12% of a 100,000-row job. SQLite
    plans by its indexes without statistics and needs none of this.
    """

    def __init__(self, store: Any, table: sa.Table) -> None:
        self.store = store
        self.table = table
        self.enabled = store.dialect.needs_statistics
        self.rows = 0
        self.next_at = 1

    def applied(self, rows: int) -> None:
        if not self.enabled:
            return
        self.rows += rows
        if self.rows < self.next_at:
            return
        self.next_at = self.rows * _GROWTH
        name = self.store.engine.dialect.identifier_preparer.format_table(self.table)
        try:
            self.store.write(lambda conn: conn.exec_driver_sql(f"ANALYZE {name}"))
        except Exception:  # statistics are an optimization: a failure must not fail the job
            log.warning("bulk: ANALYZE %s failed", name, exc_info=True)


__all__ = ["BulkWorker"]
