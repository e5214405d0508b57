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
  They are set when a worker connects and again when a reload changes the callouts.
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

Rows no consumer publishes for (scheduled and invoked deliveries, dead letters re-driven
with ``switchboard callout dlq retry``) are picked up by the sweep, within two sweep
intervals; ordered callouts stay with the database claimer.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import orjson

from ...core import clock
from ...core.retry import RetryPolicy
from .deliveries import Result, claim_ids, overdue, states_of

log = logging.getLogger("switchboard.callout.nats")

DUPLICATE_WINDOW = 600.0  # seconds JetStream remembers a Nats-Msg-Id
DURABLE = "workers"
SLACK = 10  # deliveries beyond the retry budget: items put back while a row was leased
_MAX_BACKOFF_STEPS = 10  # the last step repeats for any later redelivery
_ACK_TIMEOUT = 10.0
# Reconnect waits (the one retry policy): 0.2 s doubling to 5 s, jittered.
RECONNECT = RetryPolicy(attempts=2**31, backoff=0.2, max_backoff=5.0)
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
        from nats.js.api import RetentionPolicy, StreamConfig
        from nats.js.errors import NotFoundError

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
        await self.configure(policy, lease)
        self._sub = await self._js.pull_subscribe_bind(DURABLE, self.stream)

    async def configure(self, policy: RetryPolicy, lease: float) -> None:
        """Create the shared consumer, or update its timing to the callouts' (ack_wait,
        max_deliver and backoff are editable on a durable consumer)."""
        from nats.js.api import AckPolicy, ConsumerConfig
        from nats.js.errors import BadRequestError

        if self._js is None:
            return
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


def _seq(msg: Any) -> int | None:
    try:
        return int(msg.metadata.sequence.stream)
    except Exception:  # not a JetStream message
        return None


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


class NatsDispatch:
    """The ``nats`` dispatch of one :class:`~.engine.DeliveryEngine`: its work-queue
    connection, the **fetcher** (items → rows claimed by id → the engine's senders),
    the **sweeper**, publishing after commits and settling items after results."""

    def __init__(self, engine: Any, url: str, stream: str, sweep_interval: float) -> None:
        self.engine = engine
        self.url = url
        self.stream = stream
        self.sweep_interval = sweep_interval
        self.queue: WorkQueue | None = None
        self._items: dict[int, Any] = {}  # delivery id -> the item it was claimed by
        self._publishing: set[asyncio.Task[None]] = set()

    def callouts(self) -> list[Any]:
        """The callouts this dispatch serves: every unordered one (ordered callouts
        take the oldest open delivery of a record, which only the database claimer can)."""
        return [c for c in self.engine.callouts.values() if not c.config.ordered]

    def lease_seconds(self) -> float:
        timeouts = [c.config.timeout for c in self.callouts()] or [10.0]
        return float(max(timeouts)) + self.engine.lease_margin

    async def start(self) -> list[asyncio.Task[None]]:
        from ...events.relays.nats import org_id_of

        org_id = await asyncio.to_thread(org_id_of, self.engine.store)
        self.queue = WorkQueue(self.url, self.stream, org_id)
        try:  # connected before ``start`` returns, so the first commits publish
            await self._connect()
        except Exception as exc:  # the fetcher keeps trying
            log.warning("work queue at %s not reachable yet: %s", self.url, exc)
        return [asyncio.create_task(self._fetcher(), name="callout-fetcher"),
                asyncio.create_task(self._sweeper(), name="callout-sweeper")]  # fmt: skip

    async def stop(self) -> None:
        """After the engine's last flush: items fetched and never finished come back
        after ``ack_wait``, when their rows' leases have run out."""
        if self._publishing:
            await asyncio.wait(self._publishing, timeout=10)
        if self.queue is not None:
            await self.queue.close()
            self.queue = None
        self._items.clear()

    def _budget(self) -> RetryPolicy:
        """The retry policy of the callout with the largest budget: the shared
        consumer's ``max_deliver`` and ``backoff`` must cover every callout's."""
        return max((c.policy for c in self.callouts()), key=lambda p: p.attempts,
                   default=RetryPolicy())  # fmt: skip

    def reconfigure(self) -> None:
        """The callouts changed (a reload): bring the consumer's timing along."""
        if self.queue is not None and self.queue.connected:
            self._settling(self._configure())

    async def _configure(self) -> None:
        assert self.queue is not None
        try:
            await self.queue.configure(self._budget(), self.lease_seconds())
        except Exception as exc:  # applied again on the next connect
            log.warning("updating the work-queue consumer failed: %s", exc)

    async def _connect(self) -> None:
        assert self.queue is not None
        budget = self._budget()
        # Bounded: nats-py would retry a refused first connect on its own, for ever;
        # the fetcher's RECONNECT policy decides when to try again.
        await asyncio.wait_for(self.queue.connect(budget, self.lease_seconds()), 10)
        log.info("taking work items from %s (%s)", self.queue.stream, self.queue.subject)

    # -- publishing -----------------------------------------------------------------
    def publish_soon(self, items: list[tuple[int, int]]) -> None:
        """Publish ``(delivery id, attempt number)`` items of rows just committed."""
        if not items:
            return
        self._settling(self._publish(items))

    async def _publish(self, items: list[tuple[int, int]]) -> None:
        try:
            if self.queue is None or not self.queue.connected:
                raise ConnectionError("not connected to NATS")
            await self.queue.publish(items)
        except Exception as exc:  # the sweep publishes them again
            log.warning("publishing %d work items failed (%s); the sweep will", len(items), exc)

    async def _sweeper(self) -> None:
        engine = self.engine
        while not engine._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(engine._stopping.wait(), self.sweep_interval)
            queue = self.queue
            names = [c.name for c in self.callouts()]
            if engine._stopping.is_set() or queue is None or not queue.connected or not names:
                continue
            before = clock.now() - timedelta(seconds=self.sweep_interval)
            try:
                rows = await self._read(lambda conn, n=names, b=before: overdue(conn, n, b, 10_000))
                fresh = await queue.publish([(i, n + 1) for i, n in rows])
                if fresh:
                    log.info("sweep: published %d lost work items again", fresh)
            except Exception as exc:
                log.warning("sweep of due deliveries failed: %s", exc)

    # -- taking items -----------------------------------------------------------------
    async def _fetcher(self) -> None:
        engine = self.engine
        failures = 0
        while not engine._stopping.is_set():
            queue = self.queue
            assert queue is not None
            try:
                if not queue.connected:
                    await self._connect()
                    failures = 0
                room = engine.concurrency - len(engine._inflight)
                if room <= 0 or not self.callouts():
                    await asyncio.sleep(0.05)
                    continue
                msgs = await queue.fetch(min(room, engine.claim_batch), 1.0)
                if msgs:
                    await self._take(msgs)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                delay = RECONNECT.delay(failures)
                log.warning("work queue: %s; connecting again in %.1fs", exc, delay)
                await queue.close()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(engine._stopping.wait(), delay)

    async def _take(self, msgs: list[Any]) -> None:
        """Claim the rows of fetched items; settle the items that claim nothing."""
        engine = self.engine
        by_id: dict[int, Any] = {}
        for msg in msgs:
            i = delivery_id_of(msg)
            if i is None:
                await settle(msg, "term")
            elif i in self._items and _seq(self._items[i]) == _seq(msg):
                self._items[i] = msg  # the held item again (its ack_wait ran out): keep it
            elif i in by_id or i in self._items:
                await settle(msg, "ack")  # a copy; the item being worked on stays
            else:
                by_id[i] = msg
        if not by_id:
            return
        names = [c.name for c in self.callouts()]
        lease = self.lease_seconds()
        claimed = await engine.store.write_async(
            lambda conn: claim_ids(conn, engine.owner, list(by_id), lease, names)
        )
        for dl in claimed:
            self._items[dl.id] = by_id.pop(dl.id)
        if by_id:  # not claimable now: finished, leased, waiting for a retry, or unknown
            states = await self._read(lambda conn: states_of(conn, list(by_id)))
            for i, msg in by_id.items():
                state, when = states.get(i, ("missing", None))
                if state in ("pending", "in_flight"):
                    await settle(msg, "nak", seconds_until(when) if when else self.sweep_interval)
                else:
                    await settle(msg, "ack")
        engine._dispatch(claimed)

    # -- settling ---------------------------------------------------------------------
    def items_of(self, results: Sequence[Result]) -> list[Any]:
        """The items the results' rows were claimed by (None for the claimer's rows),
        taken out of the table whether or not the results get written."""
        return [self._items.pop(r.delivery_id, None) for r in results]

    def release(self, delivery_id: int) -> None:
        """A claimed row that got no result (its callout was removed, or a bug): its
        item comes back once the row's lease has run out."""
        msg = self._items.pop(delivery_id, None)
        if msg is not None:
            self._settling(settle(msg, "nak", self.lease_seconds()))

    def _settling(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._publishing.add(task)
        task.add_done_callback(self._publishing.discard)

    async def settle_results(self, results: Sequence[Result], items: Sequence[Any]) -> None:
        """After the results are committed: ack, put back until the retry, or term."""
        for result, msg in zip(results, items, strict=True):
            if msg is None:
                continue
            if result.state == "pending":
                await settle(msg, "nak", seconds_until(result.next_attempt_at))
            else:
                await settle(msg, "term" if result.state == "dead" else "ack")

    async def _read(self, work: Any) -> Any:
        def run() -> Any:
            with self.engine.store.read() as conn:
                return work(conn)

        return await asyncio.to_thread(run)


__all__ = [
    "DUPLICATE_WINDOW", "DURABLE", "SLACK", "NatsDispatch", "WorkQueue", "backoff_steps", "delivery_id_of",
    "seconds_until", "settle",
]  # fmt: skip
