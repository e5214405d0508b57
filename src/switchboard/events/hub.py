"""One process's view of the event log: the watermark, wake-ups, and subscribers' waits.

A pump thread moves the :class:`~events.replay.Watermark` whenever something may have
committed and wakes everyone waiting beyond the old one. Wake-ups come from:

* this process's commits: the store calls its after-commit hooks, and a transaction
  that appended events is marked by :mod:`events.log`;
* other processes' commits on PostgreSQL: ``LISTEN sb_event`` on a dedicated connection
  (the writers' ``pg_notify`` is delivered at commit, also to this process);
* a poll every ``event_poll_interval`` seconds, for other processes on SQLite and as a
  safety net everywhere.

Subscribers (gRPC, CometD, relays, the CLI) read from the database themselves, never
beyond ``hub.safe``; the hub only tells them when to look. It also runs retention.

A process has one hub per database, and its owner holds it: in ``switchboard up`` the
Runtime builds it, starts it (:meth:`EventHub.start`) before anything that waits on it
and closes it after them; a CLI command without a Runtime uses ``events.open_hub``.
(There is no lookup by store: two orgs in one process have two hubs.)
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Any

from ..core.retry import RetryPolicy
from ..store.engine import Store
from ..store.listen import Listener
from . import replay
from .log import APPENDED, NOTIFY_CHANNEL
from .replay import Event, Watermark

log = logging.getLogger("switchboard.events")

_PURGE_EVERY = 600.0
# After a failed pass (the database away): wait, doubling, before the next one.
_PUMP_RETRY = RetryPolicy(attempts=2**31, backoff=0.1, max_backoff=5.0)


class EventHub:
    def __init__(
        self,
        store: Store,
        *,
        poll_interval: float = 0.1,
        gap_timeout: float = 60.0,
        retention_hours: float = 72.0,
    ) -> None:
        self.store = store
        self.poll_interval = poll_interval
        self.retention_hours = retention_hours
        self.watermark = Watermark(store, gap_timeout=gap_timeout)
        self._advance_lock = threading.Lock()
        self._safe = self.watermark.advance()
        # Something may have committed since _safe was computed. The watermark is moved
        # lazily: by the pump only while someone waits, otherwise by the next reader of
        # ``safe``. Moving it after every commit with nobody listening cost a query per
        # write on a thread that competes with the writers for the GIL.
        self._dirty = False
        self._sync_waiting = 0
        self._kick = threading.Event()
        self._cond = threading.Condition()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._stop = threading.Event()
        self._listener: Listener | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def from_settings(cls, store: Store, settings: Any) -> EventHub:
        """A hub configured from ``settings`` (not started)."""
        return cls(
            store,
            poll_interval=settings.event_poll_interval,
            gap_timeout=settings.event_gap_timeout,
            retention_hours=settings.event_retention_hours,
        )

    # -- life -----------------------------------------------------------------------------
    def start(self) -> EventHub:
        """Start the pump (and on PostgreSQL the LISTEN thread); idempotent."""
        if self._thread is not None:
            return self
        self._stop.clear()
        self._dirty = True  # commits before the start were not watched
        self.store.after_commit.append(self._after_commit)
        self._thread = threading.Thread(target=self._pump, name="event-pump", daemon=True)
        self._thread.start()
        if self.store.dialect.listens:
            self._listener = Listener(self.store, NOTIFY_CHANNEL, self.kick).start()
        return self

    # -- wake-ups -----------------------------------------------------------------------
    def _after_commit(self, info: dict[Any, Any]) -> None:
        if info.pop(APPENDED, False):
            self.kick()

    def kick(self) -> None:
        self._dirty = True
        self._kick.set()

    @property
    def safe(self) -> int:
        """Every event id up to this one is visible or will never appear."""
        if self._dirty:
            self._refresh()
        return self._safe

    def _refresh(self) -> bool:
        """Move the watermark now; returns whether it moved."""
        with self._advance_lock:
            self._dirty = False
            safe = self.watermark.advance()
            moved = safe != self._safe
            self._safe = safe
        return moved

    def _someone_waits(self) -> bool:
        return bool(self._waiters) or self._sync_waiting > 0

    def _pump(self) -> None:
        last_purge = 0.0
        failures = 0
        while not self._stop.is_set():
            if not self._kick.wait(self.poll_interval):
                self._dirty = True  # another process may have committed meanwhile
            self._kick.clear()
            if self._stop.is_set():
                return
            try:
                moved = False
                if self._someone_waits() or self.watermark.pending:
                    moved = self._refresh()
                if time.monotonic() - last_purge > _PURGE_EVERY:
                    last_purge = time.monotonic()
                    purged = replay.purge(self.store, self.retention_hours)
                    if purged:
                        log.info("retention purged %d events", purged)
            except Exception:
                failures += 1
                log.exception("event pump failed; retrying")
                self._stop.wait(_PUMP_RETRY.delay(failures))
                continue
            failures = 0
            if moved:
                self._broadcast()
            elif self.watermark.pending:
                self._kick.set()  # gaps: look again soon rather than at the next poll
                time.sleep(0.002)

    def _broadcast(self) -> None:
        with self._cond:
            waiters, self._waiters = self._waiters, []
            self._cond.notify_all()
        for loop, fut in waiters:
            loop.call_soon_threadsafe(_resolve, fut)

    # -- waiting ------------------------------------------------------------------------
    async def wait_beyond(self, seen: int, timeout: float) -> bool:
        """Wait until the watermark passes ``seen``; False on timeout."""
        if self.safe > seen:
            return True
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        with self._cond:
            if self._safe > seen:
                return True
            self._waiters.append((loop, fut))
        self._kick.set()  # the pump moves the watermark only while someone waits
        try:
            await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            pass
        finally:  # also when cancelled: a dead waiter would keep the pump busy
            with self._cond:
                if (loop, fut) in self._waiters:
                    self._waiters.remove((loop, fut))
        return self.safe > seen

    def wait_beyond_sync(self, seen: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        if self.safe > seen:
            return True
        with self._cond:
            self._sync_waiting += 1
            self._kick.set()
            try:
                while self._safe <= seen:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    self._cond.wait(left)
            finally:
                self._sync_waiting -= 1
        return True

    # -- reading ------------------------------------------------------------------------
    def read(self, channel: str, after: int, limit: int) -> list[Event]:
        return replay.read(self.store, channel, after, self.safe, limit)

    def latest(self, channel: str) -> int:
        return replay.latest_id(self.store, channel, self.safe)

    def close(self) -> None:
        self._stop.set()
        self._kick.set()
        if self._after_commit in self.store.after_commit:
            self.store.after_commit.remove(self._after_commit)
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


__all__ = ["EventHub"]
