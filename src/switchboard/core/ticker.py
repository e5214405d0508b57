"""A step run every interval on the event loop, for services that poll (the project
watcher, the sync scheduler): the one loop they share, so each gets the same start,
stop and failure handling."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from typing import Any


class Ticker:
    """The loop of a service that does one step every ``interval`` seconds: started and
    stopped with its service, a step's failure logged with ``failed`` and the next tick
    still coming (a bug in one step must not end watching or scheduling).

    ``step`` may be ``async def`` or plain (a plain one runs on the event loop: keep it
    short, hand real work to a thread). ``first`` says whether a step runs at once on
    start or only after the first interval.
    """

    def __init__(self, step: Callable[[], Any], interval: float, *, failed: str,
                 logger: logging.Logger, first: bool = True) -> None:  # fmt: skip
        self.step = step
        self.interval = interval
        self.failed = failed
        self.log = logger
        self.first = first
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._loop())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    async def _loop(self) -> None:
        if not self.first:
            await asyncio.sleep(self.interval)
        while True:
            try:
                done = self.step()
                if inspect.isawaitable(done):
                    await done
            except Exception:
                self.log.exception(self.failed)
            await asyncio.sleep(self.interval)
