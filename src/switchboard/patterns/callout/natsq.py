"""The ``nats`` dispatch: work items "delivery N is due" on a JetStream work queue.

The delivery row stays the record (committed before it is attempted, its attempts and
outcome written by the engine, dead letters in the table); NATS only tells the workers
which row to try next, so they need not poll the table for it.

* The stream (``callout_nats_stream``) has ``WorkQueue`` retention and one subject,
  ``<stream>.due``; every worker pulls from the one durable consumer ``workers``, so an
  item is handed to one worker at a time. Its ``ack_wait`` is the lease (the longest
  callout timeout plus the lease margin), its ``max_deliver`` the largest retry budget
  plus :data:`SLACK`, and its ``backoff`` (redeliveries of an item whose worker went
  silent) comes from that callout's :class:`~switchboard.core.retry.RetryPolicy`
  without jitter, each step after a whole lease: nothing here retries on its own.
* ``Nats-Msg-Id`` is ``<org id>:<delivery id>:<attempt number>``: the consumer that
  inserts rows publishes after its commit, and a sweep publishes again for rows due
  for longer than a sweep interval (an item lost between a commit and its publish, or
  held by a dead worker); JetStream drops the copies inside its duplicate window.

No attempt is made twice: a worker claims the row by id under the same lease guard the
``database`` dispatch uses (:func:`deliveries.claim_ids`: due, ``FOR UPDATE SKIP
LOCKED``, the attempt counted at claim), so a second item for the same row claims
nothing; it is acked when the row is finished, and put back (``nak`` with a delay) until
the row is due again when it is leased or waiting for a retry. After the outcome is
committed the item is acked (delivered), put back until the retry is due (``nak`` with
that delay), or terminated (dead letter). Nothing is lost: an unacked item comes back
after ``ack_wait``, and an item that never made it to NATS is published by the sweep.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson

from ...core import clock
from ...core.retry import RetryPolicy

log = logging.getLogger("switchboard.callout.nats")

DUPLICATE_WINDOW = 600.0  # seconds JetStream remembers a Nats-Msg-Id
DURABLE = "workers"
SLACK = 10  # deliveries beyond the retry budget: items put back while a row was leased
_MAX_BACKOFF_STEPS = 10  # the last step repeats for any later redelivery
_ACK_TIMEOUT = 10.0
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def backoff_steps(policy: RetryPolicy, lease: float) -> list[float]:
    """Redelivery waits of an unacked item: a lease each (the worker may still be
    calling), then the policy's own backoff for that failure (no jitter)."""
    fixed = dataclasses.replace(policy, jitter=False)
    steps = max(1, min(policy.attempts - 1, _MAX_BACKOFF_STEPS))
    return [round(lease + fixed.delay(n), 3) for n in range(1, steps + 1)]


class WorkQueue:
    """One connection to the work-queue stream: publish items, fetch them."""

    def __init__(self, url: str, stream: str, org_id: str) -> None:
        self.url = url
        self.stream = _UNSAFE.sub("_", stream)
        self.subject = f"{self.stream}.due"
        self.org_id = org_id
        self._nc: Any = None
        self._js: Any = None
        self._sub: Any = None

    @property
    def connected(self) -> bool:
        return self._sub is not None

    async def connect(self, policy: RetryPolicy, lease: float) -> None:
        """Connect, create the stream and the shared consumer when missing (updating
        the consumer's timing when the callouts changed), and bind to it."""
        import nats
        from nats.js.api import AckPolicy, ConsumerConfig, RetentionPolicy, StreamConfig
        from nats.js.errors import BadRequestError, NotFoundError

        await self.close()
        self._nc = await nats.connect(self.url, max_reconnect_attempts=-1, connect_timeout=5)
        self._js = self._nc.jetstream()
        try:
            await self._js.stream_info(self.stream)
        except NotFoundError:
            await self._js.add_stream(StreamConfig(
                name=self.stream, subjects=[self.subject], retention=RetentionPolicy.WORK_QUEUE,
                duplicate_window=DUPLICATE_WINDOW,
            ))  # fmt: skip
            log.info("created JetStream work queue %s (%s)", self.stream, self.subject)
        config = ConsumerConfig(
            durable_name=DURABLE,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=lease,
            max_deliver=min(policy.attempts, 2**31) + SLACK,
            backoff=backoff_steps(policy, lease),
            filter_subject=self.subject,
            max_ack_pending=100_000,
        )
        try:
            await self._js.add_consumer(self.stream, config)
        except BadRequestError as exc:  # an older server refusing to change a consumer
            log.warning("work-queue consumer %s kept as it is: %s", DURABLE, exc)
        self._sub = await self._js.pull_subscribe_bind(DURABLE, self.stream)

    async def publish(self, items: Sequence[tuple[int, int]]) -> int:
        """Publish ``(delivery id, attempt number)`` items; returns how many were new."""
        if not items or self._js is None:
            return 0
        futures = []
        for delivery_id, number in items:
            body = orjson.dumps({"id": delivery_id, "attempt": number})
            headers = {"Nats-Msg-Id": f"{self.org_id}:{delivery_id}:{number}"}
            futures.append(await self._js.publish_async(self.subject, body, headers=headers))
        acks = await asyncio.wait_for(asyncio.gather(*futures), _ACK_TIMEOUT)
        return sum(1 for a in acks if not a.duplicate)

    async def fetch(self, batch: int, timeout: float) -> list[Any]:
        if self._sub is None:
            return []
        try:
            return list(await self._sub.fetch(batch, timeout=timeout))
        except TimeoutError:
            return []

    async def close(self) -> None:
        nc, self._nc, self._js, self._sub = self._nc, None, None, None
        if nc is not None:
            with contextlib.suppress(Exception):  # closing a broken connection may fail
                await nc.close()


def delivery_id_of(msg: Any) -> int | None:
    try:
        return int(orjson.loads(msg.data)["id"])
    except (ValueError, KeyError, TypeError):
        return None


def seconds_until(when: datetime | None, margin: float = 0.05) -> float:
    """A ``nak`` delay that brings the item back just after ``when``."""
    if when is None:
        return margin
    return max(margin, (when - clock.now()).total_seconds() + margin)


async def settle(msg: Any, how: str, delay: float = 0.0) -> None:
    """``ack``, ``nak`` (after ``delay`` seconds) or ``term`` an item; a failure (the
    connection it came on is gone) is left to ``ack_wait``, which brings it back."""
    try:
        if how == "ack":
            await msg.ack()
        elif how == "term":
            await msg.term()
        else:
            await msg.nak(delay=delay)
    except Exception as exc:
        log.debug("could not %s a work item: %s", how, exc)


__all__ = [
    "DUPLICATE_WINDOW", "DURABLE", "SLACK", "WorkQueue", "backoff_steps", "delivery_id_of",
    "seconds_until", "settle",
]  # fmt: skip
