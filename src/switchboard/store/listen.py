"""One LISTEN connection that reconnects: how a process hears other processes' commits.

The event hub (``sb_event``) and the session cache (``sb_auth``) each keep one. A lost
connection is reopened after the backoff of :data:`RECONNECT` (the one retry policy),
and ``on_connect`` runs after every (re)connect, because anything may have been
missed while nobody listened; ``on_lost`` runs when it drops. Only dialects that
``listens`` have this; elsewhere callers poll.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from ..core.retry import RetryPolicy
from .engine import Store

log = logging.getLogger("switchboard.store")

# Reconnect waits: 0.5 s doubling up to 10 s, with jitter, for as long as the process runs.
RECONNECT = RetryPolicy(attempts=2**31, backoff=0.5, max_backoff=10.0)


class Listener:
    def __init__(
        self,
        store: Store,
        channel: str,
        on_notify: Callable[[], None],
        *,
        on_connect: Callable[[], None] | None = None,
        on_lost: Callable[[], None] | None = None,
    ) -> None:
        if not channel.isidentifier():  # it is written into LISTEN's text
            raise ValueError(f"bad channel name: {channel!r}")
        self.store = store
        self.channel = channel
        self.on_notify = on_notify
        self.on_connect = on_connect or on_notify
        self.on_lost = on_lost
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Listener:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run, name=f"listen-{self.channel}", daemon=True
            )
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        import psycopg

        url = self.store.dialect.listen_url(self.store.engine)
        failures = 0
        while not self._stop.is_set():
            try:
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {self.channel}")
                    failures = 0
                    self.on_connect()
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=0.25, stop_after=1):
                            self.on_notify()
            except Exception as exc:
                if self._stop.is_set():
                    return
                failures += 1
                log.warning("LISTEN %s connection lost (%s); reconnecting", self.channel, exc)
            finally:
                if self.on_lost is not None:
                    self.on_lost()
            self._stop.wait(RECONNECT.delay(failures))


__all__ = ["RECONNECT", "Listener"]
