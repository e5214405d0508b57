"""A credential's bulkhead (calls in flight at once) and rate limit (a token bucket).

Both wait within the call's own time budget and fail transiently when it would run
out: a call that cannot start before its deadline is better retried later (its delivery
stays durable) than started late. Both are per credential, shared by every caller of
that credential in the process.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from .errors import BulkheadFull, RateLimited


class Bulkhead:
    """At most ``limit`` calls in flight; others wait for a free slot."""

    def __init__(self, name: str, limit: int) -> None:
        self.name = name
        self.limit = limit
        self.in_flight = 0
        self.peak = 0  # the most ever in flight at once (observability and tests)
        self._semaphores: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}

    def _semaphore(self) -> asyncio.Semaphore:
        # One per event loop: a semaphore's waiters belong to the loop they wait on.
        loop = asyncio.get_running_loop()
        sem = self._semaphores.get(loop)
        if sem is None:
            self._semaphores = {lp: s for lp, s in self._semaphores.items() if not lp.is_closed()}
            sem = self._semaphores[loop] = asyncio.Semaphore(self.limit)
        return sem

    async def enter(self, timeout: float) -> asyncio.Semaphore:
        """Take a slot; returns the semaphore to hand back to :meth:`leave`."""
        sem = self._semaphore()
        try:
            if sem.locked():
                await asyncio.wait_for(sem.acquire(), timeout=max(timeout, 0.0))
            else:  # a free slot is taken at once, even with no time left to wait
                await sem.acquire()
        except TimeoutError:
            raise BulkheadFull(
                f"credential {self.name}: {self.limit} calls already in flight for the "
                f"whole {timeout:.1f}s timeout; not called"
            ) from None
        self.in_flight += 1
        if self.in_flight > self.peak:
            self.peak = self.in_flight
        return sem

    def leave(self, sem: asyncio.Semaphore | None = None) -> None:
        self.in_flight -= 1
        (sem or self._semaphore()).release()


class TokenBucket:
    """``rate`` calls a second on average, up to ``burst`` at once after a quiet spell.

    A caller reserves its token first and then waits for it, so concurrent callers are
    spaced out in arrival order instead of all waking at the same refill."""

    def __init__(
        self, name: str, rate: float, burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:  # fmt: skip
        self.name = name
        self.rate = rate
        self.capacity = float(burst if burst is not None else max(1, int(rate)))
        self.tokens = self.capacity
        self.clock = clock
        self._stamp = clock()

    def reserve(self) -> float:
        """Take a token; returns how long to wait until it is really there."""
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        self.tokens -= 1.0
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def refund(self) -> None:
        self.tokens = min(self.capacity, self.tokens + 1.0)

    async def take(self, timeout: float) -> None:
        wait = self.reserve()
        if wait > timeout:
            self.refund()
            raise RateLimited(
                f"credential {self.name}: rate limit of {self.rate:g}/s leaves no call "
                f"within {timeout:.1f}s; not called",
                retry_after=wait,
            )
        if wait > 0:
            await asyncio.sleep(wait)


__all__ = ["Bulkhead", "TokenBucket"]
