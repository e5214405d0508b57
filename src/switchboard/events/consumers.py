"""Durable consumers of the event log: a named cursor that moves only together with the
work the events it passed caused.

A consumer reads events of its channels in id order, never beyond the hub's watermark
(``hub.safe``, see :mod:`events.replay`), so no event that may still commit is skipped.
For each batch the caller turns the events into work on a connection (inserting
delivery rows, say); that work and the cursor's move run in ONE write transaction:

* a crash before the commit leaves both undone, and the batch is read again;
* a crash after it leaves both done, and the batch is never read again;

so every committed event causes its work exactly once. While one batch's transaction
commits, the next is read and handled ahead (:meth:`DurableConsumer.step`); its work
runs only in its own transaction, after that one committed, and is dropped if it did not. The cursor moves by
compare-and-set (``WHERE position = <the position read>``): a second process running
the same consumer finds the row moved, its transaction rolls back, and it re-reads
from the new position, rather than doing the work twice.

Batches with no event of the consumer's channels move the cursor in memory only and
write it at most every ``idle_flush`` seconds: re-reading them after a crash finds
nothing, and writing the cursor on every unrelated commit would double the writes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..core import clock
from ..core.retry import RetryPolicy
from ..store.engine import Store
from ..store.migrations import Chain, Step
from .errors import ConsumerMoved
from .hub import EventHub
from .replay import Event, _event, ev

log = logging.getLogger("switchboard.events")

metadata = sa.MetaData()
# A batch that failed (the database away, a handler's bug) is read again after this.
_BACKOFF = RetryPolicy(attempts=1_000_000, backoff=0.2, max_backoff=10.0)

consumer = sa.Table(
    "sb_event_consumer",
    metadata,
    sa.Column("name", sa.String(255), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),  # the last event id consumed
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

# What a batch turns into: work run inside the cursor's transaction (None: nothing).
Work = Callable[[Connection], Any] | None
Handler = Callable[[list[Event]], Work]
# Called on the event loop with the work's return value once its transaction committed.
Committed = Callable[[Any], None]


def _v1_cursors(conn: Connection) -> None:
    metadata.create_all(conn, tables=[consumer])


# The cursors' migration chain: whoever runs durable consumers lists it with its own
# (the call-out pattern does, in ``patterns.PATTERN_CHAINS``).
CHAIN = Chain("consumers", [Step(1, _v1_cursors)])


def ensure(conn: Connection) -> None:
    metadata.create_all(conn, checkfirst=True)


def position_of(store: Store, name: str) -> int | None:
    with store.read() as conn:
        value = conn.execute(sa.select(consumer.c.position).where(consumer.c.name == name)).scalar()
    return None if value is None else int(value)


def open_cursor(store: Store, name: str, start: int) -> int:
    """The consumer's position, created at ``start`` (e.g. ``hub.safe``) on first use."""

    def work(conn: Connection) -> int:
        value = conn.execute(sa.select(consumer.c.position).where(consumer.c.name == name)).scalar()
        if value is not None:
            return int(value)
        conn.execute(consumer.insert().values(name=name, position=start, updated_at=clock.now()))
        return start

    return store.write(work)


def _move(conn: Connection, name: str, expected: int, to: int) -> None:
    moved = conn.execute(
        consumer.update()
        .where(consumer.c.name == name, consumer.c.position == expected)
        .values(position=to, updated_at=clock.now())
    ).rowcount
    if moved != 1:
        raise ConsumerMoved(f"consumer {name} was moved by another process")


def read_batch(
    store: Store, channels: Sequence[str], after: int, upto: int, limit: int
) -> list[Event]:
    """Events of ``channels`` with ``after < id <= upto``, oldest first."""
    if upto <= after or not channels:
        return []
    with store.read() as conn:
        rows = conn.execute(
            sa.select(ev.c.id, ev.c.channel, ev.c.payload, ev.c.created_at)
            .where(ev.c.channel.in_(list(channels)), ev.c.id > after, ev.c.id <= upto)
            .order_by(ev.c.id)
            .limit(limit)
        ).all()
    return [_event(r, store) for r in rows]


class DurableConsumer:
    """One named cursor over ``channels``; :meth:`run` feeds batches to a handler."""

    def __init__(
        self,
        store: Store,
        hub: EventHub,
        name: str,
        channels: Sequence[str],
        *,
        batch: int = 500,
        idle_flush: float = 5.0,
        wait: float = 1.0,
    ) -> None:
        self.store = store
        self.hub = hub
        self.name = name
        self.channels = list(channels)
        self.batch = batch
        self.idle_flush = idle_flush
        self.wait = wait
        self.position = 0  # in memory; ``_stored`` is what the row holds
        self._stored = 0
        self._stored_at = 0.0
        self._result: Any = None
        # The next batch, read and handled while the last one commits:
        # (the position it was read after, the watermark it was read to, its result).
        self._ahead: tuple[int, int, asyncio.Future[tuple[list[Event], Work]]] | None = None

    def open(self, since: int | None = None) -> int:
        """Read the cursor, or create it at ``since`` (default: the watermark now). A
        caller that starts consuming later than it promised to (a task scheduled after
        writes began) passes the watermark of its promise, so no event in between is
        skipped."""
        start = self.hub.safe if since is None else since
        self.position = self._stored = open_cursor(self.store, self.name, start)
        self._stored_at = time.monotonic()
        return self.position

    async def step(self, handle: Handler, committed: Committed | None = None) -> int:
        """Consume what is visible now; returns how many events were handled.

        While a batch's transaction commits, the next batch (the events visible by
        then, after this one) is read and handled on a worker thread: events that
        commit while a batch is in flight no longer wait for its whole round trip
        before they are even read. The next batch's work runs only in its own
        transaction, after this one's committed and from the position it moved to; if
        this one does not commit, that batch is dropped and read again."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == self.position:
            upto, future = ahead[1], ahead[2]
            events, work = await future
        else:
            if ahead is not None:
                ahead[2].cancel()  # read from a position the cursor no longer holds
            upto = self.hub.safe
            if upto <= self.position:
                return 0
            events, work = await asyncio.to_thread(
                self._read_and_handle, handle, self.position, upto
            )
        to = events[-1].id if len(events) == self.batch else upto
        if not events:
            self.position = to
            if time.monotonic() - self._stored_at > self.idle_flush:
                await self._commit(None, to)
            return 0
        following = self.hub.safe
        if following > to:
            future = asyncio.ensure_future(
                asyncio.to_thread(self._read_and_handle, handle, to, following)
            )
            future.add_done_callback(_retrieved)
            self._ahead = (to, following, future)
        if not await self._commit(work, to):
            self._drop_ahead()  # moved elsewhere: read again from where the row is
        elif committed is not None and work is not None:
            committed(self._result)
        return len(events)

    def _read_and_handle(self, handle: Handler, after: int, upto: int) -> tuple[list[Event], Work]:
        # One trip to a worker thread for both: each trip waits for the interpreter
        # lock behind whatever else runs (a server's requests), per batch.
        events = read_batch(self.store, self.channels, after, upto, self.batch)
        return events, (handle(events) if events else None)

    def _drop_ahead(self) -> None:
        if self._ahead is not None:
            self._ahead[2].cancel()
            self._ahead = None

    async def _commit(self, work: Work, to: int) -> bool:
        expected = self._stored

        def txn(conn: Connection) -> Any:
            _move(conn, self.name, expected, to)
            return work(conn) if work is not None else None

        try:
            self._result = await self.store.write_async(txn)
        except ConsumerMoved:
            log.info("consumer %s moved elsewhere; re-reading", self.name)
            self.position = self._stored = position_of(self.store, self.name) or 0
            self._stored_at = time.monotonic()
            return False
        self.position = self._stored = to
        self._stored_at = time.monotonic()
        return True

    async def run(
        self, handle: Handler, stopping: asyncio.Event, committed: Committed | None = None
    ) -> None:
        """Consume until ``stopping`` is set; a failed batch is logged and read again
        after the retry policy's backoff."""
        failures = 0
        try:
            while not stopping.is_set():
                try:
                    handled = await self.step(handle, committed)
                    failures = 0
                    if handled:
                        continue
                except Exception:
                    failures += 1
                    log.exception("consumer %s failed a batch; reading it again", self.name)
                    self.position = self._stored
                    self._drop_ahead()
                    await asyncio.sleep(_BACKOFF.delay(failures))
                    continue
                await self.hub.wait_beyond(self.position, self.wait)
        finally:
            await self._settle_ahead()

    async def _settle_ahead(self) -> None:
        """Let a batch read ahead finish its worker thread, its result dropped (it was
        never committed, so the next start reads it again): once the consumer has
        stopped, nothing of it reads the store that the Runtime is about to close."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None and not ahead[2].done():
            await asyncio.wait([ahead[2]])


def _retrieved(future: asyncio.Future[Any]) -> None:
    """A batch read ahead and then dropped may have failed: its error is the next
    read's to report, not the loop's "never retrieved" warning."""
    if not future.cancelled():
        future.exception()


__all__ = [
    "CHAIN",
    "ConsumerMoved",
    "DurableConsumer",
    "Committed",
    "Handler",
    "Work",
    "consumer",
    "ensure",
    "metadata",
    "open_cursor",
    "position_of",
    "read_batch",
]
