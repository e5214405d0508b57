"""DailyApiRequests: counted per org over a rolling 24 hours, shared by every process.

Counting a request must not cost a database write, or every read would queue behind
SQLite's single writer. Each process counts in memory and folds its count into a
per-minute row at most once a second; the total over the last 1,440 minutes is read
back at the same time. Between flushes the reported figure is the last total plus this
process's pending count, so it lags other processes by at most a second.
"""

from __future__ import annotations

import logging
import threading
import time

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..core.errors import RequestLimitExceeded
from ..store import internal
from ..store.engine import Store

log = logging.getLogger("switchboard.usage")

_FLUSH_SECONDS = 1.0
_WINDOW_MINUTES = 24 * 60


class ApiUsage:
    def __init__(self, store: Store, limit: int) -> None:
        self.store = store
        self.limit = limit
        self._pending = 0
        self._total = 0
        self._flushed_at = 0.0
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._kick = threading.Event()
        self._flusher: threading.Thread | None = None
        self._stop = threading.Event()

    def used(self) -> int:
        return self._total + self._pending

    def hit(self) -> tuple[int, int]:
        """Count one request; raise REQUEST_LIMIT_EXCEEDED when the window is full."""
        if self._flushed_at == 0.0:
            self.flush()  # once, to learn what the window already holds
            self._start_flusher()
        elif time.monotonic() - self._flushed_at >= _FLUSH_SECONDS:
            # Folding into the database is a write; it happens on the flusher thread so a
            # request (possibly served on the event loop) never waits for the write lock.
            self._kick.set()
        with self._lock:
            if self._total + self._pending >= self.limit:
                raise RequestLimitExceeded(f"TotalRequests Limit exceeded. Limit: {self.limit}")
            self._pending += 1
            return self._total + self._pending, self.limit

    def _start_flusher(self) -> None:
        if self._flusher is None:
            self._flusher = threading.Thread(target=self._run, name="api-usage", daemon=True)
            self._flusher.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._kick.wait(_FLUSH_SECONDS)
            self._kick.clear()
            if self._stop.is_set():
                return
            try:
                self.flush()
            except Exception:  # the count is kept and folded in on the next attempt
                log.warning("could not record API usage; will retry", exc_info=True)

    def close(self) -> None:
        self._stop.set()
        self._kick.set()
        if self._pending:
            self.flush()

    def flush(self) -> None:
        if not self._flushing.acquire(blocking=False):
            return  # another thread is flushing; its total is good enough
        try:
            with self._lock:
                pending, self._pending = self._pending, 0
            minute = int(time.time() // 60)
            try:
                total = self.store.write(lambda c: self._fold(c, minute, pending))
            except Exception:
                with self._lock:  # keep the count for the next attempt rather than lose it
                    self._pending += pending
                raise
            with self._lock:
                self._total = total
            self._flushed_at = time.monotonic()
        finally:
            self._flushing.release()

    @staticmethod
    def _fold(conn: Connection, minute: int, pending: int) -> int:
        u = internal.api_usage
        if pending:
            updated = conn.execute(
                u.update().where(u.c.minute == minute).values(count=u.c.count + pending)
            ).rowcount
            if not updated:
                conn.execute(u.insert().values(minute=minute, count=pending))
        conn.execute(u.delete().where(u.c.minute <= minute - _WINDOW_MINUTES))
        total = conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(u.c.count), 0)).where(
                u.c.minute > minute - _WINDOW_MINUTES
            )
        ).scalar()
        return int(total or 0)


__all__ = ["ApiUsage"]
