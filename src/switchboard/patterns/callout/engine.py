"""The delivery engine: from committed events to calls, durably, many in flight.

Three loops on the event loop, plus one consumer per event-triggered callout:

* **consumers** (:mod:`events.consumers`) turn each batch of events into delivery rows
  in the cursor's own transaction. With ``claim_on_insert`` (embedded ``up``) the rows
  are inserted already leased to this process and handed straight to the senders: no
  claim round trip between a commit and its call. Workers insert them ``pending`` so
  that every worker's claimer can take a share.
* the **claimer** leases due rows (retries, expired leases, other processes' rows, a
  backlog the consumers left pending) in batches (``FOR UPDATE SKIP LOCKED``) whenever
  fewer than ``concurrency`` plus a claim's worth are dispatched, so the senders' queue
  does not run dry while a claim's round trip is on its way;
* **senders** (``concurrency`` tasks, started with the engine) take dispatched
  deliveries from one queue in dispatch order, render, send one attempt through the
  credential's ``HttpClient`` with the delivery's stable idempotency key, apply the
  reply, and queue the result. A fixed pool rather than a task per delivery: the up to
  ``4 * concurrency`` deliveries leased ahead wait as queue entries, not as tasks
  parked on a semaphore (a task, a coroutine and a waiter future each, all surviving
  into the collector's old generations);
* the **flusher** writes every queued result in one transaction (the store's group
  commit batches them further), the attempt row and the delivery's next state together.

A result is written after the call; a crash between the two leaves the row leased, and
once the lease runs out the call is made again as the next attempt, with the same
idempotency key, so the endpoint sees one effect. Ordered callouts go through the
claimer only, which takes the oldest open delivery of each record.

With ``dispatch="nats"`` (:mod:`.natsq`) the claimer serves ordered callouts only; a
**fetcher** takes the others' work items from a JetStream work queue and claims their
rows by id under the same lease guard, consumers publish an item for each row they
insert once it is committed, and a **sweeper** publishes again for rows due too long.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from ...core import clock
from ...core.retry import RetryPolicy
from ...events.consumers import DurableConsumer
from .config import ChangeTrigger, EventTrigger
from .deliveries import (
    Delivery,
    NewDelivery,
    Result,
    claim_in,
    ids_of,
    insert,
    leased,
    record_results,
)
from .errors import TemplateFailed
from .reply import apply_reply, has_reply
from .schedule import fire_due
from .templates import Callout, render_request
from .triggers import ChangeMatcher, EventMatcher, Matcher

log = logging.getLogger("switchboard.callout")
_BACKOFF = RetryPolicy(attempts=1_000_000, backoff=0.2, max_backoff=10.0)


def outcome_of(exc: BaseException) -> str:
    """The attempt's recorded outcome for a failure."""
    name = type(exc).__name__
    if name == "CircuitOpen":
        return "circuit_open"
    if "Timeout" in name or isinstance(exc, TimeoutError):
        return "timeout"
    return "transient" if getattr(exc, "transient", False) else "terminal"


async def execute_once(runtime: Any, callout: Callout, context: Mapping[str, Any], timeout: float,
                       idempotency_key: str | None = None) -> Any:  # fmt: skip
    """Render and send one attempt of ``callout``; returns the ``HttpResponse``."""
    if callout.config.outbound_message is not None:  # a SOAP notifications call (C2's)
        from .outbound import send_outbound

        return await send_outbound(runtime, callout, context, timeout, idempotency_key)
    client = runtime.connectors.http(callout.credential)
    ctx = {**context, "credential": client.template_context()}
    req = render_request(callout, ctx)
    return await client.send(req.method, req.path, headers=req.headers, body=req.body,
                             timeout=timeout, idempotency_key=idempotency_key)  # fmt: skip


class DeliveryEngine:
    """The Service that delivers one project's callouts (see the module docstring)."""

    name = "callout-deliveries"

    def __init__(self, runtime: Any, *, claim_on_insert: bool = True, consume: bool = True,
                 concurrency: int = 256, claim_batch: int = 200, poll_interval: float = 0.5,
                 lease_margin: float = 10.0, dispatch: str = "database",
                 nats_url: str = "nats://127.0.0.1:4222", nats_stream: str = "SWITCHBOARD_CALLOUTS",
                 sweep_interval: float = 5.0) -> None:  # fmt: skip
        self.runtime = runtime
        self.store = runtime.org.store
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.claim_on_insert = claim_on_insert
        self.consume = consume
        self.concurrency = concurrency
        self.claim_batch = claim_batch
        self.poll_interval = poll_interval
        self.lease_margin = lease_margin
        self.callouts: dict[str, Callout] = {}
        self._matchers: dict[str, Matcher] = {}
        self._consumers: dict[str, tuple[asyncio.Event, asyncio.Task[None]]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._inflight: set[int] = set()  # dispatched and not yet finished (queued or sending)
        self._ready: asyncio.Queue[Delivery] = asyncio.Queue()
        self._senders: list[asyncio.Task[None]] = []  # ``concurrency`` calls at once
        self._drained = asyncio.Event()  # set whenever nothing is in flight
        self._drained.set()
        self._results: list[Result] = []
        self._have_results = asyncio.Event()
        self._kick = asyncio.Event()
        self._stopping = asyncio.Event()
        self._running = False
        self.delivered = 0  # deliveries this process completed (for benchmarks and logs)
        if dispatch not in ("database", "nats"):
            raise ValueError(f"unknown callout dispatch {dispatch!r}")
        self.dispatch = dispatch
        self.nats: Any = None  # the nats dispatch (.natsq.NatsDispatch)
        if dispatch == "nats":
            from .natsq import NatsDispatch

            self.nats = NatsDispatch(self, nats_url, nats_stream, sweep_interval)

    # -- configuration ------------------------------------------------------------------
    def set_callouts(self, callouts: Mapping[str, Callout]) -> None:
        """Swap the callouts as one step; consumers of removed or changed ones stop,
        new ones start (at their stored cursor, or now for a callout never seen)."""
        matchers: dict[str, Matcher] = {}
        org = self.runtime.org
        for name, c in callouts.items():  # build every matcher before swapping anything
            on = c.config.on
            if isinstance(on, ChangeTrigger):
                matchers[name] = ChangeMatcher(
                    org, name, on, ordered=c.config.ordered, fields=c.record_fields
                )
            elif isinstance(on, EventTrigger):
                matchers[name] = EventMatcher(name, on, ordered=c.config.ordered)
        old = self.callouts
        self.callouts, self._matchers = dict(callouts), matchers
        if self._running:
            for name in list(self._consumers):
                if name not in callouts or callouts[name].config != old[name].config:
                    self._stop_consumer(name)
            self._start_consumers()
            if self.nats is not None:
                self.nats.reconfigure()
        self._kick.set()

    # -- service ------------------------------------------------------------------------
    async def start(self) -> None:
        self._running = True
        self._stopping.clear()
        self._tasks = [asyncio.create_task(self._claimer(), name="callout-claimer"),
                       asyncio.create_task(self._flusher(), name="callout-flusher"),
                       asyncio.create_task(self._scheduler(), name="callout-scheduler")]  # fmt: skip
        self._senders = [asyncio.create_task(self._sender(), name=f"callout-sender-{i}")
                         for i in range(self.concurrency)]  # fmt: skip
        if self.nats is not None:
            self._tasks += await self.nats.start()
        self._start_consumers()

    async def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        self._stopping.set()
        for name in list(self._consumers):
            self._stop_consumer(name)
        for task in self._tasks[:1] + self._tasks[2:]:
            task.cancel()
        # Let the deliveries already dispatched be sent and their results written.
        try:
            await asyncio.wait_for(self._drained.wait(), max(
                (c.config.timeout for c in self.callouts.values()), default=10.0) + 1)  # fmt: skip
        except TimeoutError:
            pass
        for sender in self._senders:
            sender.cancel()
        if self._senders:
            await asyncio.wait(self._senders, timeout=10)
        # What was never sent stays leased in its row: the lease runs out and it is
        # claimed again (by this engine started anew, or another process).
        self._senders, self._ready = [], asyncio.Queue()
        self._inflight.clear()
        self._drained.set()
        self._have_results.set()
        await asyncio.wait(self._tasks, timeout=10)
        await self._flush()
        if self.nats is not None:
            await self.nats.stop()
        log.info("callout deliveries stopped: %d delivered by %s", self.delivered, self.owner)

    def _start_consumers(self) -> None:
        if not self.consume:
            return
        # A new callout consumes from *now*, the moment it was started or loaded, not
        # from whenever its task first runs: a change committed in between (a write
        # right after ``start`` returned) would otherwise be skipped.
        since = self.runtime.hub.safe
        for name, matcher in self._matchers.items():
            if name not in self._consumers:
                stop = asyncio.Event()
                task = asyncio.create_task(
                    self._consume(name, matcher, stop, since), name=f"consumer-{name}"
                )
                self._consumers[name] = (stop, task)

    def _stop_consumer(self, name: str) -> None:
        stop, task = self._consumers.pop(name)
        stop.set()
        task.cancel()

    # -- consuming ----------------------------------------------------------------------
    def _lease_until(self, callout: Callout) -> datetime:
        return clock.now() + timedelta(seconds=callout.config.timeout + self.lease_margin)

    async def _consume(self, name: str, matcher: Matcher, stop: asyncio.Event, since: int) -> None:
        consumer = DurableConsumer(
            self.store, self.runtime.hub, f"callout:{name}", [matcher.channel]
        )
        failures = 0
        while True:  # the cursor's row may be out of reach (database down) at first
            try:
                await asyncio.to_thread(consumer.open, since)
                break
            except Exception:
                failures += 1
                log.exception("consumer of %s could not open its cursor; trying again", name)
                await asyncio.sleep(_BACKOFF.delay(failures))
        callout = self.callouts[name]
        nats = self.nats is not None and not callout.config.ordered
        lease = self.claim_on_insert and not callout.config.ordered and not nats

        def handle(events: list[Any]) -> Any:
            rows = matcher.deliveries(events)
            if not rows:
                return None
            # Leased to this process only while it has room: a backlog stays pending
            # for the claimer, so no lease runs out while its row waits in memory.
            mine = lease and len(self._inflight) + len(rows) <= self.concurrency * 4
            until = (self.owner, self._lease_until(callout)) if mine else None

            def work(conn: Any) -> list[Any]:
                insert(conn, rows, lease=until)
                if nats:
                    return ids_of(conn, rows)
                return leased(conn, rows, until[1]) if until else []

            return work

        def committed(claimed: list[Any]) -> None:
            if nats:  # ids of the rows just committed: their first attempts are due
                self.nats.publish_soon([(i, 1) for i in claimed])
            elif claimed:
                self._dispatch(claimed)
            else:
                self._kick.set()

        await consumer.run(handle, stop, committed)

    # -- claiming and sending -----------------------------------------------------------
    async def _claimer(self) -> None:
        while not self._stopping.is_set():
            room = self._ahead() - len(self._inflight)
            claimed: list[Delivery] = []
            if room > 0 and self.callouts:
                try:
                    claimed = await self._claim(min(room, self.claim_batch))
                except Exception:
                    log.exception("claiming deliveries failed; trying again")
                self._dispatch(claimed)
            if len(claimed) == self.claim_batch and room > self.claim_batch:
                continue
            self._kick.clear()
            try:
                await asyncio.wait_for(self._kick.wait(), self.poll_interval)
            except TimeoutError:
                pass

    def _ahead(self) -> int:
        """How many deliveries the claimer keeps dispatched (sending or queued for a
        sender): every sender busy and up to a claim's worth queued behind them, so no
        sender waits for the next claim's round trip (claiming only while fewer than
        ``concurrency`` were in flight ran the queue dry before every claim of a
        backlog). No more than ``concurrency`` queued: each then starts within one
        call's timeout, and its lease (timeout + margin) covers the wait and the call."""
        return self.concurrency + min(self.claim_batch, self.concurrency)

    async def _claim(self, limit: int) -> list[Delivery]:
        ordered = [n for n, c in self.callouts.items() if c.config.ordered]
        names = ordered if self.nats is not None else list(self.callouts)
        if not names:
            return []
        lease = max(c.config.timeout for c in self.callouts.values()) + self.lease_margin
        return await self.store.write_async(
            lambda conn: claim_in(conn, self.owner, names, limit, lease, ordered)
        )

    def _dispatch(self, claimed: list[Delivery]) -> None:
        for dl in claimed:
            if dl.id in self._inflight:
                continue
            self._inflight.add(dl.id)
            self._drained.clear()
            self._ready.put_nowait(dl)

    async def _sender(self) -> None:
        while True:
            dl = await self._ready.get()
            try:
                await self._deliver(dl)
            except Exception:  # a bug in one delivery must not take a sender away
                log.exception("delivery %s failed unexpectedly", dl.id)
                if self.nats is not None:
                    self.nats.release(dl.id)
            finally:
                self._inflight.discard(dl.id)
                if not self._inflight:
                    self._drained.set()

    async def _deliver(self, dl: Delivery) -> None:
        callout = self.callouts.get(dl.callout)
        if callout is None:  # removed by a reload: the lease runs out and the row waits
            if self.nats is not None:
                self.nats.release(dl.id)
            return
        outcome = await self._attempt(dl, callout)
        self._finish(dl, callout, *outcome)

    async def _attempt(
        self, dl: Delivery, callout: Callout
    ) -> tuple[datetime, float, Any, BaseException | None]:
        started = clock.now()
        t0 = time.perf_counter()
        context = {"record": dl.payload.get("record"), "event": dl.payload.get("event")}
        try:
            response = await execute_once(self.runtime, callout, context, callout.config.timeout,
                                          dl.idempotency_key)  # fmt: skip
            if has_reply(callout):
                await apply_reply(self.runtime, callout, context, response)
            return started, t0, response, None
        except Exception as exc:
            return started, t0, getattr(exc, "response", None), exc

    def _finish(self, dl: Delivery, callout: Callout, started: datetime, t0: float, response: Any,
                exc: BaseException | None) -> None:  # fmt: skip
        duration = (time.perf_counter() - t0) * 1000
        finished = started + timedelta(milliseconds=int(duration))
        # The endpoint's status (a connector error's own ``status`` is what Switchboard
        # would answer with: 502, 504).
        status = getattr(response, "status", None) or getattr(exc, "remote_status", None)
        resp = None
        if response is not None and hasattr(response, "body"):
            resp = {"status": response.status,
                    "body": bytes(response.body[:10_000]).decode("utf-8", "replace")}  # fmt: skip
        result = Result(dl.id, dl.attempts, "delivered", "ok", started, finished, duration, status,
                        response=resp)  # fmt: skip
        if exc is not None:
            result.outcome = outcome_of(exc)
            result.error = f"{type(exc).__name__}: {exc}"[:4000]
            try:
                result.request = render_request(callout, {**_ctx(dl), "credential": {}}).redacted()
            except TemplateFailed:
                result.request = None
            elapsed = (finished - dl.cycle_start).total_seconds()
            if callout.policy.should_retry(exc, dl.failures, elapsed):
                retry_after = getattr(exc, "retry_after", None)
                delay = callout.policy.delay(dl.failures, retry_after)
                if result.outcome == "circuit_open" and retry_after:
                    # The endpoint was spared, not asked: wait for the breaker to let a
                    # trial through rather than spend the budget against a closed door.
                    delay = max(delay, retry_after)
                result.state, result.next_attempt_at = (
                    "pending",
                    finished + timedelta(seconds=delay),
                )
            else:
                result.state = "dead"
        else:
            self.delivered += 1
        self._results.append(result)
        self._have_results.set()

    async def _flusher(self) -> None:
        while True:
            await self._have_results.wait()
            self._have_results.clear()
            await self._flush()
            if self._stopping.is_set() and not self._inflight:
                return

    async def _flush(self) -> None:
        if not self._results:
            return
        batch, self._results = self._results, []
        items = self.nats.items_of(batch) if self.nats is not None else []
        try:
            await self.store.write_async(lambda conn: record_results(conn, self.owner, batch))
        except Exception:
            # Not written: the leases run out and the calls are made again (same key);
            # their work items, unsettled, come back after ack_wait.
            log.exception("recording %d delivery results failed", len(batch))
            items = []
        if items:
            await self.nats.settle_results(batch, items)
        self._kick.set()  # room in flight, and ordered successors may be claimable

    # -- schedules ----------------------------------------------------------------------
    async def _scheduler(self) -> None:
        while not self._stopping.is_set():
            for name, c in list(self.callouts.items()):
                expr = getattr(c.config.on, "cron", None)
                if expr is None:
                    continue
                try:
                    if await self.store.write_async(
                        lambda conn, n=name, e=expr: fire_due(conn, n, e, clock.now())
                    ):
                        self._kick.set()
                except Exception:
                    log.exception("schedule of %s failed; trying again", name)
            try:
                await asyncio.wait_for(self._stopping.wait(), 1.0)
            except TimeoutError:
                pass


def _ctx(dl: Delivery) -> dict[str, Any]:
    return {"record": dl.payload.get("record"), "event": dl.payload.get("event")}


__all__ = ["DeliveryEngine", "NewDelivery", "execute_once", "outcome_of"]
