"""Validated sessions kept in memory, dropped the moment auth state changes anywhere.

Looking a token up costs a pooled connection, a query and a fetch on every request —
and under concurrency each of those is a point where the worker thread gives up the
GIL, which made authentication the largest single cost of a REST call (measured with
bench/rest_crud.py). So a validated session is remembered, but never trusted past a
change that could invalidate it:

* every transaction that revokes a token, disables a user or otherwise changes a User
  row calls :func:`mark_changed`; when it commits, this process drops its cache at once
  (the store's after-commit hook);
* other processes learn of it through a stamp: on SQLite a file beside the database
  that the committing process replaces after commit (checked with one ``stat`` per
  request); on PostgreSQL a ``pg_notify`` sent in the same transaction, which every
  listening process receives at commit. Until a process's listener is connected, or
  after it drops, that process bypasses the cache;
* a race between a lookup and a concurrent change is closed by generations: a session
  read before a change is not stored after it;
* entries also lapse with the token's own expiry and after ``max_age`` seconds.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from ...store import dialects
from ...store.engine import Store
from ...store.listen import Listener
from .tokens import Session

log = logging.getLogger("switchboard.identity")

CHANGED = "sb_auth_changed"
NOTIFY_CHANNEL = "sb_auth"
_MAX_ENTRIES = 10_000


def mark_changed(conn: Connection) -> None:
    """Record, inside a write transaction, that it changes who may call the API."""
    conn.info[CHANGED] = True
    dialects.of(conn).notify(conn, NOTIFY_CHANNEL)


class SessionCache:
    def __init__(self, store: Store, *, max_age: float = 300.0) -> None:
        self.store = store
        self.max_age = max_age
        self._entries: dict[str, tuple[Session, float]] = {}
        self._generation = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._stamp_path: Path | None = None
        self._stamp_seen: tuple[int, int] | None = None
        self._listening = False
        self._listener: Listener | None = None
        if not store.dialect.listens:
            database = store.engine.url.database
            if database and database != ":memory:":
                self._stamp_path = Path(database).with_name(Path(database).name + ".auth")
                self._stamp_seen = self._stamp()
        else:
            self._listener = Listener(
                store, NOTIFY_CHANNEL, self.clear, on_connect=self._heard, on_lost=self._deaf
            ).start()
        store.after_commit.append(self._after_commit)

    # -- lookups ------------------------------------------------------------------------
    @property
    def usable(self) -> bool:
        return self._listening if self._listener is not None else self._stamp_path is not None

    def generation(self) -> int:
        """Take before a database lookup; pass to :meth:`put` afterwards."""
        self._check_stamp()
        return self._generation

    def get(self, key: str) -> Session | None:
        if not self.usable:
            return None
        self._check_stamp()
        hit = self._entries.get(key)
        if hit is None:
            return None
        session, stored_at = hit
        now = time.monotonic()
        if now - stored_at > self.max_age or (
            session.expires_at is not None and session.expires_at <= _utcnow()
        ):
            self._entries.pop(key, None)
            return None
        return session

    def put(self, key: str, session: Session, generation: int) -> None:
        if not self.usable:
            return
        with self._lock:
            if generation != self._generation:
                return  # something changed while the caller was looking it up
            if len(self._entries) >= _MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (session, time.monotonic())

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()

    # -- change signals -----------------------------------------------------------------
    def _after_commit(self, info: dict[Any, Any]) -> None:
        if not info.pop(CHANGED, False):
            return
        self.clear()
        if self._stamp_path is not None:
            tmp = self._stamp_path.with_name(self._stamp_path.name + f".{os.getpid()}")
            tmp.write_text(str(time.time_ns()))
            os.replace(tmp, self._stamp_path)  # a new inode: every reader sees the change
            self._stamp_seen = self._stamp()

    def _stamp(self) -> tuple[int, int]:
        assert self._stamp_path is not None
        try:
            st = os.stat(self._stamp_path)
        except FileNotFoundError:
            return (0, 0)
        return (st.st_ino, st.st_mtime_ns)

    def _check_stamp(self) -> None:
        if self._stamp_path is None:
            return
        stamp = self._stamp()
        if stamp != self._stamp_seen:
            self._stamp_seen = stamp
            self.clear()

    def _heard(self) -> None:
        self.clear()  # anything may have changed while not listening
        self._listening = True

    def _deaf(self) -> None:
        self._listening = False
        self.clear()

    def close(self) -> None:
        self._stop.set()
        if self._listener is not None:
            self._listener.stop()
        if self._after_commit in self.store.after_commit:
            self.store.after_commit.remove(self._after_commit)


def _utcnow() -> Any:
    from ...core import clock

    return clock.now()


__all__ = ["CHANGED", "SessionCache", "mark_changed"]
