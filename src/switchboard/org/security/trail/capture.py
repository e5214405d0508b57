"""Event monitoring: API events captured in memory, flushed in batches, rolled into
EventLogFile CSVs.

Capturing must cost a REST call next to nothing (bench/audit.py measures it): a call
appends one tuple to a list under a lock and returns; nothing touches the database on
the request's path. A background thread (:meth:`EventCapture.start`) flushes the
buffer every ``flush_interval`` seconds, or as soon as ``batch`` events wait, in one
multi-row insert into ``sb_api_event``; it rolls each closed hour and day into
EventLogFile rows (``Interval`` Hourly and Daily) and prunes what is past retention.
Events still buffered when the process dies are lost, as an unflushed log line is:
event monitoring is an account of use, not a record of the org's data.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson

from ....core import clock
from ....store.batch_writes import insert_rows
from .tables import api_event

if TYPE_CHECKING:
    from ....core.settings import Settings
    from ....store.engine import Store
    from .logins import LoginSource

log = logging.getLogger("switchboard.org.security.trail")

_COLUMNS = ["event_type", "at", "user_id", "payload", "in_hourly", "in_daily"]


def api_event_type(path: str) -> str:
    """The EventLogFile event type of a request path."""
    if path.startswith("/services/async/"):
        return "BulkApi"
    if "/jobs/" in path:
        return "BulkApi2"
    return "RestApi"


class EventCapture:
    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        org_id: str = "",
        batch: int = 500,
        flush_interval: float = 1.0,
        roll_interval: float = 300.0,
    ) -> None:
        self.store = store
        self.settings = settings
        self.enabled = bool(getattr(settings, "event_log_capture", True))
        self.org_id = org_id[:15]
        self.batch = batch
        self.flush_interval = flush_interval
        self.roll_interval = roll_interval
        self._buffer: list[tuple[str, datetime, str | None, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the request's path: append only ------------------------------------------------
    def add(
        self, event_type: str, at: datetime, user_id: str | None, values: dict[str, Any]
    ) -> None:
        if not self.enabled:
            return
        with self._lock:
            self._buffer.append((event_type, at, user_id, values))
            full = len(self._buffer) >= self.batch
        if full:
            self._wake.set()

    def api_call(
        self,
        *,
        path: str,
        method: str,
        status: int,
        user_id: str | None,
        started: float,
        client_ip: str | None,
        user_agent: str | None,
        request_size: int,
        response_size: int,
    ) -> None:
        """One REST or Bulk API request (the RestApi, BulkApi and BulkApi2 types)."""
        if not self.enabled:
            return
        now = clock.now()
        run_ms = int((time.perf_counter() - started) * 1000)
        self.add(
            api_event_type(path),
            now,
            user_id,
            {
                "REQUEST_ID": None,
                "ORGANIZATION_ID": self.org_id,
                "USER_ID": (user_id or "")[:15],
                "RUN_TIME": run_ms,
                "CPU_TIME": run_ms,
                "URI": path,
                "METHOD": method,
                "STATUS_CODE": status,
                "USER_AGENT": user_agent or "",
                "REQUEST_SIZE": request_size,
                "RESPONSE_SIZE": response_size,
                "CLIENT_IP": client_ip or "",
            },
        )

    def login(
        self,
        *,
        at: datetime,
        user_id: str | None,
        username: str | None,
        status: str,
        login_type: str,
        source: LoginSource,
        api_type: str | None,
        api_version: str | None,
    ) -> None:
        """One login attempt (the Login type)."""
        self.add(
            "Login",
            at,
            user_id,
            {
                "REQUEST_ID": None,
                "ORGANIZATION_ID": self.org_id,
                "USER_ID": (user_id or "")[:15],
                "URI": source.login_url or "",
                "USER_NAME": username or "",
                "LOGIN_TYPE": login_type,
                "LOGIN_STATUS": "LOGIN_NO_ERROR" if status == "Success" else _login_error(status),
                "BROWSER_TYPE": source.user_agent or "",
                "API_TYPE": api_type or "",
                "API_VERSION": api_version or "",
                "SOURCE_IP": source.source_ip or "",
                "CLIENT_IP": source.source_ip or "",
            },
        )

    # -- the background side ------------------------------------------------------------
    def flush(self) -> int:
        """Write what is buffered in one insert; the number of events written."""
        with self._flushing:
            with self._lock:
                taken, self._buffer = self._buffer, []
            if not taken:
                return 0
            rows = [
                (kind, at, user_id, orjson.dumps(values).decode(), False, False)
                for kind, at, user_id, values in taken
            ]
            self.store.write(lambda c: insert_rows(c, api_event, _COLUMNS, rows))
            return len(rows)

    def pending(self) -> int:
        with self._lock:
            return len(self._buffer)

    def start(self) -> EventCapture:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="event-capture", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        self._safely(self.flush)

    def _run(self) -> None:
        from .logfiles import roll
        from .retention import prune

        last_roll = 0.0
        while not self._stop.is_set():
            self._wake.wait(self.flush_interval)
            self._wake.clear()
            self._safely(self.flush)
            if time.monotonic() - last_roll >= self.roll_interval:
                last_roll = time.monotonic()
                self._safely(lambda: roll(self.store, self.org_id))
                self._safely(lambda: prune(self.store, self.settings))

    @staticmethod
    def _safely(work: Any) -> None:
        try:
            work()
        except Exception:  # the next round tries again; a request never sees this
            log.exception("event capture housekeeping failed")


def _login_error(status: str) -> str:
    return "LOGIN_ERROR_" + "_".join(status.upper().replace(":", "").split())


__all__ = ["EventCapture", "api_event_type"]
