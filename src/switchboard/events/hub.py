"""One process's view of the event log: the watermark, wake-ups, and subscribers' waits.

A pump thread moves the :class:`~events.replay.Watermark` whenever something may have
committed and wakes everyone waiting beyond the old one. Wake-ups come from:

* this process's commits: SQLite writers end with ``COMMIT`` through the driver, and a
  cursor hook sees it on a connection that appended events (:mod:`events.log` marks it);
* other processes' commits on PostgreSQL: ``LISTEN sb_event`` on a dedicated connection
  (the writers' ``pg_notify`` is delivered at commit, also to this process);
* a poll every ``event_poll_interval`` seconds, for other processes on SQLite and as a
  safety net everywhere.

Subscribers (gRPC, CometD, relays, the CLI) read from the database themselves, never
beyond ``hub.safe``; the hub only tells them when to look. It also runs retention.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Any

from sqlalchemy import event as sa_event

from ..store.engine import Store
from . import replay
from .log import APPENDED, NOTIFY_CHANNEL
from .replay import Event, Watermark

log = logging.getLogger("switchboard.events")

_PURGE_EVERY = 600.0


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
        self.safe = self.watermark.advance()
        self._kick = threading.Event()
        self._cond = threading.Condition()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._stop = threading.Event()
        self._listener: Any = None
        sa_event.listen(store.engine, "after_cursor_execute", self._after_execute)
        self._thread = threading.Thread(target=self._pump, name="event-pump", daemon=True)
        self._thread.start()
        if not store.is_sqlite:
            threading.Thread(target=self._listen, name="event-listen", daemon=True).start()

    # -- wake-ups -----------------------------------------------------------------------
    def _after_execute(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement in ("COMMIT", "ROLLBACK") and conn.info.pop(APPENDED, False):
            self.kick()

    def kick(self) -> None:
        self._kick.set()

    def _listen(self) -> None:
        import psycopg

        url = self.store.engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        while not self._stop.is_set():
            try:
                with psycopg.connect(url, autocommit=True) as conn:
                    self._listener = conn
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self.kick()
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=1):
                            self.kick()
            except Exception as exc:  # the poll keeps events flowing meanwhile
                if self._stop.is_set():
                    return
                log.warning("event LISTEN connection lost (%s); reconnecting", exc)
                time.sleep(1.0)

    def _pump(self) -> None:
        last_purge = 0.0
        while not self._stop.is_set():
            self._kick.wait(self.poll_interval)
            self._kick.clear()
            if self._stop.is_set():
                return
            try:
                safe = self.watermark.advance()
                if time.monotonic() - last_purge > _PURGE_EVERY:
                    last_purge = time.monotonic()
                    purged = replay.purge(self.store, self.retention_hours)
                    if purged:
                        log.info("retention purged %d events", purged)
            except Exception:
                log.exception("event pump failed; retrying")
                time.sleep(self.poll_interval)
                continue
            if safe != self.safe:
                self.safe = safe
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
            if self.safe > seen:
                return True
            self._waiters.append((loop, fut))
        try:
            await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            with self._cond:
                if (loop, fut) in self._waiters:
                    self._waiters.remove((loop, fut))
        return self.safe > seen

    def wait_beyond_sync(self, seen: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.safe <= seen:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    # -- reading ------------------------------------------------------------------------
    def read(self, channel: str, after: int, limit: int) -> list[Event]:
        return replay.read(self.store, channel, after, self.safe, limit)

    def latest(self, channel: str) -> int:
        return replay.latest_id(self.store, channel, self.safe)

    def close(self) -> None:
        self._stop.set()
        self._kick.set()
        sa_event.remove(self.store.engine, "after_cursor_execute", self._after_execute)
        self._thread.join(timeout=5)


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


_hubs: dict[int, EventHub] = {}
_hubs_lock = threading.Lock()


def hub_for(store: Store, **options: Any) -> EventHub:
    """The process's hub of ``store``, created on first use."""
    with _hubs_lock:
        hub = _hubs.get(id(store))
        if hub is None:
            hub = _hubs[id(store)] = EventHub(store, **options)
        return hub


__all__ = ["EventHub", "hub_for"]
