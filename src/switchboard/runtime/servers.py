"""The Runtime's services around things that were not written as services: a part with
threads and a blocking start/stop (the event hub, the bulk worker, the Pub/Sub gRPC
server), and the uvicorn HTTP server.

Blocking starts and stops run in a worker thread, so the Runtime's event loop (which
also serves HTTP) never stalls on a thread join.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Generator
from typing import Any

import uvicorn

log = logging.getLogger("switchboard.runtime")


def serving_loop() -> Callable[[], asyncio.AbstractEventLoop]:
    """The event loop of a serving process: uvloop where it installs (CPython off
    Windows; a declared dependency, as uvicorn's own ``loop="auto"`` picks it), else
    asyncio's. The loop's thread reads every request body: a 1 GB upload is 4,096
    socket reads, each a pause and resume of reading (uvicorn's flow control) and a task
    wake-up; in uvloop those are C, and the loop's thread took 1.3-1.5 s of CPU a GB
    where asyncio's selector loop took 1.6-1.9 s (bench/files.py's upload)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop
    return uvloop.new_event_loop


class ThreadedService:
    """A :class:`~runtime.service.Service` over a synchronous ``start``/``stop`` pair."""

    def __init__(self, name: str, start: Callable[[], Any], stop: Callable[[], Any]) -> None:
        self.name = name
        self._start = start
        self._stop = stop

    async def start(self) -> None:
        await asyncio.to_thread(self._start)

    async def stop(self) -> None:
        await asyncio.to_thread(self._stop)


class _QuietServer(uvicorn.Server):
    """uvicorn without its own signal handling: the Runtime owns SIGINT/SIGTERM.

    uvicorn's ``serve`` installs handlers and, once stopped, raises the captured signal
    again, so a SIGTERM would end the process by the signal (exit -15) before the
    Runtime stopped the services behind the HTTP server. The Runtime catches the signal
    itself and asks the server to exit.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class HttpService:
    """The uvicorn server of the API, with the ASGI lifespan on (starlette's startup and
    shutdown run), started on the Runtime's event loop."""

    name = "http"

    def __init__(self, config: uvicorn.Config) -> None:
        self.server = _QuietServer(config)
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self.task.done():
                # uvicorn logs why (a port in use, a lifespan startup failure) and returns.
                await self.task
                raise RuntimeError("the HTTP server did not start (see the log above)")
            await asyncio.sleep(0.02)  # a poll of uvicorn's flag, not a retry

    def force(self) -> None:
        """Stop waiting for open connections (a second Ctrl-C)."""
        self.server.force_exit = True

    async def stop(self) -> None:
        if self.task is None:
            return
        self.server.should_exit = True
        try:
            await self.task
        finally:
            self.task = None


__all__ = ["HttpService", "ThreadedService", "serving_loop"]
