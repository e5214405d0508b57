"""The sync pattern: what the Runtime builds from the project's ``syncs:``.

It holds a :class:`~.runner.SyncRunner` per sync (swapped whole when a project is
applied or reloaded; a run in progress finishes on the configuration it began with)
and one service, :class:`SyncScheduler`, that runs each sync with a ``schedule`` every
interval, in a worker thread (DML is synchronous), never two runs of one sync at once
in this process (another process running the same sync is safe too: see
:mod:`.runner`). A sync without a schedule runs only on demand (:meth:`run`,
``switchboard sync run NAME``).

The first run of a scheduled sync is due one interval after its last recorded run
started (``sb_sync_run``), so a restart does not run every sync at once; one never run
is due at start.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ...core import clock
from ...core.ticker import Ticker
from .errors import SyncError, UnknownSync
from .runner import RunResult, SyncRunner
from .tables import run as run_table

if TYPE_CHECKING:
    from ...runtime.service import Service

log = logging.getLogger("switchboard.sync")


class SyncPattern:
    name = "sync"

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self.runners: dict[str, SyncRunner] = {}
        self.scheduler = SyncScheduler(self)
        project = getattr(runtime, "project", None)
        if project is not None:
            self.apply(project)

    def apply(self, project: Any) -> None:
        """Build every runner first, then swap them in one step."""
        runtime = self.runtime
        runners = {
            name: SyncRunner(runtime.org, runtime.connectors, name, config)
            for name, config in (getattr(project, "syncs", None) or {}).items()
        }
        self.runners = runners

    def runner(self, name: str) -> SyncRunner:
        found = self.runners.get(name)
        if found is None:
            known = ", ".join(sorted(self.runners)) or "none"
            raise UnknownSync(f"No sync named {name} in the loaded project (syncs: {known})")
        return found

    def run(self, name: str, *, max_batches: int | None = None) -> RunResult:
        """Run sync ``name`` now, in this thread, unless this process runs it already."""
        return self.scheduler.run_now(self.runner(name), max_batches=max_batches)

    def routes(self) -> Sequence[Any]:
        return []

    def services(self) -> Sequence[Service]:
        return [self.scheduler]


class SyncScheduler:
    name = "sync-scheduler"

    def __init__(self, pattern: SyncPattern, *, tick: float = 1.0) -> None:
        self.pattern = pattern
        self.tick = tick
        self._running: set[str] = set()  # guarded by _lock: runs start on worker threads
        self._lock = threading.Lock()
        self._due: dict[str, float] = {}  # sync -> time.monotonic() it is next due
        self._ticker = Ticker(self.poll, tick, logger=log, failed="scheduling syncs failed")
        self._inflight: set[asyncio.Task[Any]] = set()

    def run_now(self, runner: SyncRunner, *, max_batches: int | None = None) -> RunResult:
        with self._lock:
            if runner.name in self._running:
                raise SyncError(f"sync {runner.name} is running already in this process")
            self._running.add(runner.name)
        try:
            return runner.run(max_batches=max_batches)
        finally:
            with self._lock:
                self._running.discard(runner.name)

    async def start(self) -> None:
        self._ticker.start()

    async def stop(self) -> None:
        await self._ticker.stop()
        # A run in flight finishes its batch (threads cannot be cancelled); waiting for
        # it keeps the org open under it.
        if self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)

    def poll(self) -> list[str]:
        """Start every scheduled sync that is due; returns their names."""
        started = []
        now = time.monotonic()
        for name, runner in list(self.pattern.runners.items()):
            every = runner.config.schedule
            if every is None or name in self._running:
                continue
            due = self._due.get(name)
            if due is None:
                due = self._due[name] = now + self._first_wait(name, every)
            if due > now:
                continue
            self._due[name] = now + every
            task = asyncio.ensure_future(asyncio.to_thread(self._run_logged, runner))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)
            started.append(name)
        return started

    def _run_logged(self, runner: SyncRunner) -> None:
        try:
            result = self.run_now(runner)
        except Exception:
            log.exception("sync %s failed", runner.name)
            return
        level = logging.WARNING if result.error else logging.INFO
        log.log(level, "sync %s %s: %d read, %d written, %d failed%s", runner.name,
                result.status, result.rows_read, result.rows_written, result.rows_failed,
                f" ({result.error})" if result.error else "")  # fmt: skip

    def _first_wait(self, name: str, every: float) -> float:
        r = run_table
        store = self.pattern.runtime.org.store
        with store.read() as conn:
            last = conn.execute(sa.select(sa.func.max(r.c.started_at))
                                .where(r.c.sync == name)).scalar()  # fmt: skip
        if last is None:
            return 0.0
        next_at = last + timedelta(seconds=every)
        return max(0.0, (next_at - clock.now()).total_seconds())


__all__ = ["SyncPattern", "SyncScheduler"]
