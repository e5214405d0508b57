"""DailyApiRequests: counted per org over a rolling 24 hours, shared by every process.

Counting a request must not cost a database write, or every read would queue behind
SQLite's single writer. Each process counts in memory and folds its count into a
per-minute row at most once a second; the total over the last 1,440 minutes is read
back at the same time. Between flushes the reported figure is the last total plus this
process's pending count, so it lags other processes by at most a second.

Connected apps get the same treatment: each session's app (its client id) is counted
in memory beside the org's total, folded into ``sb_api_app_usage`` by the same flush,
and refused past its quota (the app's own ``daily_api_requests`` setting, else
``app_daily_api_requests``; 0 means none). The flush also re-reads the apps' quotas, so
a changed quota applies within a second. Sessions without an app are not subject to it.
"""

from __future__ import annotations

import json
import logging
import threading
import time

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..core.errors import RequestLimitExceeded
from ..store.engine import Store
from . import usage_tables
from .identity import tables as identity_tables

log = logging.getLogger("switchboard.usage")

_FLUSH_SECONDS = 1.0
_WINDOW_MINUTES = 24 * 60


class ApiUsage:
    def __init__(self, store: Store, limit: int, app_limit: int = 0) -> None:
        self.store = store
        self.limit = limit
        self.app_limit = app_limit
        self._pending = 0
        # Taken out of _pending by a flush that has not yet stored its new _total; still
        # counted, or a request arriving mid-flush would see the window emptier than it is.
        self._inflight = 0
        self._total = 0
        self._app_pending: dict[str, int] = {}
        self._app_inflight: dict[str, int] = {}
        self._app_total: dict[str, int] = {}
        # client id -> (app name, its own quota or None for the default), as of the last flush
        self._apps: dict[str, tuple[str, int | None]] = {}
        self._flushed_at = 0.0
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._kick = threading.Event()
        self._flusher: threading.Thread | None = None
        self._stop = threading.Event()

    def used(self) -> int:
        return self._total + self._inflight + self._pending

    def app_used(self, client_id: str) -> int:
        return (
            self._app_total.get(client_id, 0)
            + self._app_inflight.get(client_id, 0)
            + self._app_pending.get(client_id, 0)
        )

    def app_quota(self, client_id: str) -> tuple[int, str]:
        """The app's quota (0: none) and its name."""
        name, own = self._apps.get(client_id, (client_id, None))
        return (self.app_limit if own is None else own), name

    def limit_info(self, used: int, cap: int, client_id: str | None) -> str:
        """The ``Sforce-Limit-Info`` value, with the app's usage when it has a quota."""
        info = f"api-usage={used}/{cap}"
        if client_id:
            quota, name = self.app_quota(client_id)
            if quota:
                info += f"; per-app-api-usage={self.app_used(client_id)}/{quota}(appName={name})"
        return info

    def hit(self, client_id: str | None = None) -> tuple[int, int]:
        """Count one request (for the org and for the calling app, if any); raise
        REQUEST_LIMIT_EXCEEDED when the org's window or the app's quota is full."""
        if self._flushed_at == 0.0:
            self.flush()  # once, to learn what the window already holds
            self._start_flusher()
        elif time.monotonic() - self._flushed_at >= _FLUSH_SECONDS:
            # Folding into the database is a write; it happens on the flusher thread so a
            # request (possibly served on the event loop) never waits for the write lock.
            self._kick.set()
        with self._lock:
            if self.used() >= self.limit:
                raise RequestLimitExceeded(f"TotalRequests Limit exceeded. Limit: {self.limit}")
            if client_id:
                quota, name = self.app_quota(client_id)
                if quota and self.app_used(client_id) >= quota:
                    raise RequestLimitExceeded(
                        f"TotalRequests Limit exceeded for connected app {name}. Limit: {quota}"
                    )
                self._app_pending[client_id] = self._app_pending.get(client_id, 0) + 1
            self._pending += 1
            return self.used(), self.limit

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
        if self._pending or self._app_pending:
            self.flush()

    def flush(self) -> None:
        if not self._flushing.acquire(blocking=False):
            return  # another thread is flushing; its total is good enough
        try:
            with self._lock:
                pending, self._pending = self._pending, 0
                apps_pending, self._app_pending = self._app_pending, {}
                self._inflight, self._app_inflight = pending, apps_pending
            minute = int(time.time() // 60)

            def fold(
                c: Connection,
            ) -> tuple[int, dict[str, int], dict[str, tuple[str, int | None]]]:
                total = self._fold(c, minute, pending)
                return total, self._fold_apps(c, minute, apps_pending), self._read_apps(c)

            try:
                total, app_totals, apps = self.store.write(fold)
            except Exception:
                with self._lock:  # keep the count for the next attempt rather than lose it
                    self._pending += pending
                    for cid, n in apps_pending.items():
                        self._app_pending[cid] = self._app_pending.get(cid, 0) + n
                    self._inflight, self._app_inflight = 0, {}
                raise
            with self._lock:
                self._total, self._app_total, self._apps = total, app_totals, apps
                self._inflight, self._app_inflight = 0, {}
            self._flushed_at = time.monotonic()
        finally:
            self._flushing.release()

    @staticmethod
    def _fold(conn: Connection, minute: int, pending: int) -> int:
        u = usage_tables.api_usage
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

    @staticmethod
    def _fold_apps(conn: Connection, minute: int, pending: dict[str, int]) -> dict[str, int]:
        """Fold each app's count into its minute; each app's total over the window."""
        u = usage_tables.api_app_usage
        for client_id, n in pending.items():
            updated = conn.execute(
                u.update()
                .where(u.c.client_id == client_id, u.c.minute == minute)
                .values(count=u.c.count + n)
            ).rowcount
            if not updated:
                conn.execute(u.insert().values(client_id=client_id, minute=minute, count=n))
        conn.execute(u.delete().where(u.c.minute <= minute - _WINDOW_MINUTES))
        rows = conn.execute(
            sa.select(u.c.client_id, sa.func.sum(u.c.count))
            .where(u.c.minute > minute - _WINDOW_MINUTES)
            .group_by(u.c.client_id)
        )
        return {cid: int(n or 0) for cid, n in rows}

    @staticmethod
    def _read_apps(conn: Connection) -> dict[str, tuple[str, int | None]]:
        a = identity_tables.app
        apps: dict[str, tuple[str, int | None]] = {}
        for cid, name, settings in conn.execute(sa.select(a.c.client_id, a.c.name, a.c.settings)):
            own = json.loads(settings or "{}").get("daily_api_requests")
            apps[cid] = (name, None if own is None else int(own))
        return apps


__all__ = ["ApiUsage"]
