"""The one retry policy: exponential backoff with full jitter, honouring Retry-After.

Every caller that retries (the store's busy writer, the NATS relay, the outbound
transport, durable call-out deliveries, sync batches) asks a :class:`RetryPolicy` two
questions and nothing else: *may I try again?* (:meth:`RetryPolicy.should_retry`, which
asks the error whether it is transient) and *after how long?* (:meth:`RetryPolicy.delay`).
Callers that wait in process use :func:`retry_call` / :func:`retry_async`; durable
deliveries store ``now + delay`` as the next attempt's time instead of sleeping, so a
crash between attempts loses nothing.

Full jitter (a uniform draw in ``[0, min(cap, base * 2**n)]``) rather than equal or
decorrelated jitter: it spreads retries of many clients that failed together the most,
which is what matters when an endpoint comes back after an outage.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

T = TypeVar("T")


def is_transient(exc: BaseException) -> bool:
    """Whether retrying could help: the error says so itself (``transient``)."""
    return bool(getattr(exc, "transient", False))


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now if now is not None else datetime.now(UTC).timestamp()
    return max(0.0, when.timestamp() - current)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``attempts`` tries in all (the first included), waits from ``backoff`` doubling up
    to ``max_backoff`` seconds; ``deadline`` (seconds from the first try) ends retrying
    early, as Outbound Messages stop after 24 hours."""

    attempts: int = 5
    backoff: float = 1.0
    max_backoff: float = 60.0
    deadline: float | None = None
    jitter: bool = True

    def delay(self, failures: int, retry_after: float | None = None) -> float:
        """Seconds to wait after the ``failures``-th failed try (1 for the first).

        A server's ``Retry-After`` wins over the computed backoff when it asks for more,
        but never beyond ``max_backoff`` (a server asking for a day must not park a
        delivery past its own deadline)."""
        ceiling = min(self.max_backoff, self.backoff * (2 ** max(0, failures - 1)))
        wait = random.uniform(0, ceiling) if self.jitter else ceiling
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_backoff))
        return wait

    def should_retry(self, exc: BaseException, failures: int, elapsed: float = 0.0) -> bool:
        """After ``failures`` failed tries taking ``elapsed`` seconds, is another allowed?"""
        if not is_transient(exc) or failures >= self.attempts:
            return False
        return self.deadline is None or elapsed < self.deadline


def _retry_after_of(exc: BaseException) -> float | None:
    value = getattr(exc, "retry_after", None)
    return float(value) if value is not None else None


def retry_call(
    policy: RetryPolicy,
    work: Callable[[], T],
    *,
    sleep: Callable[[float], None] = time.sleep,
    only: Callable[[BaseException], bool] | None = None,
) -> T:
    """Run ``work`` until it succeeds or ``policy`` says stop; the last error propagates.

    ``only`` narrows which transient errors this caller retries (the store retries its
    own conflicts, not a transient error its work raised for its caller)."""
    started = time.monotonic()
    failures = 0
    while True:
        try:
            return work()
        except Exception as exc:
            failures += 1
            if only is not None and not only(exc):
                raise
            if not policy.should_retry(exc, failures, time.monotonic() - started):
                raise
            sleep(policy.delay(failures, _retry_after_of(exc)))


async def retry_async(policy: RetryPolicy, work: Callable[[], Awaitable[T]]) -> T:
    """:func:`retry_call` for coroutines."""
    started = time.monotonic()
    failures = 0
    while True:
        try:
            return await work()
        except Exception as exc:
            failures += 1
            if not policy.should_retry(exc, failures, time.monotonic() - started):
                raise
            await asyncio.sleep(policy.delay(failures, _retry_after_of(exc)))


__all__ = ["RetryPolicy", "is_transient", "parse_retry_after", "retry_async", "retry_call"]
