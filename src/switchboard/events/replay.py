"""Reading the event log in order, without ever skipping an event that may still commit.

Event ids come from one database sequence, so they are ordered, but on PostgreSQL an id
allocated earlier can commit later: a reader that saw id 12 and went on from there
would skip 11 when its transaction commits a moment later. SQLite serializes writers
(``BEGIN IMMEDIATE`` in :mod:`store.engine`), so there ids become visible in order and
a missing id is one whose transaction rolled back.

Readers therefore never go beyond the *watermark*: the highest id at or below which
every id is settled, either visible or certain never to appear. :class:`Watermark`
walks the visible ids above it; a missing id (a gap) holds it back until the gap is
proven final:

* When a gap is first seen, the reader takes a fresh xid ``R`` (``pg_current_xact_id()``
  in its own read transaction, after the statement that showed the gap). The writer
  holding the missing id took its xid before allocating the id (:mod:`events.log`), and
  allocated it before the later, visible id committed, so its xid is below ``R``.
* The gap is final once ``pg_snapshot_xmin(pg_current_snapshot())`` — the oldest xid
  still running — reaches ``R``, checked *before* the statement that reads the ids
  again. That statement's result then decides the id for good: present (committed) or
  absent forever (rolled back).
* An unrelated transaction left open for a long time holds xmin back and would stall
  delivery; after ``event_gap_timeout`` seconds a gap is given up with a warning, the
  only case where an event could be missed, and one that needs a writer to hold a
  transaction open that long after appending.

Replay ids are opaque to clients: the Pub/Sub API sends the id as 8 bytes big-endian,
CometD as a number. Retention (:func:`purge`) deletes old events but always keeps the
newest (SQLite would otherwise reuse ids) and records how far it purged, so a replay id
from before that point is refused (:class:`ReplayIdTooOld`) rather than silently moved.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa

from ..core import clock
from ..store import internal
from ..store.engine import Store
from . import tables as event_tables
from .errors import InvalidReplayId, ReplayIdTooOld

log = logging.getLogger("switchboard.events")

ALL_CHANGE_EVENTS = "/data/ChangeEvents"
_PURGED_KEY = "event_purged_through"
_BATCH = 5000

ev = event_tables.event


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    channel: str
    payload: dict[str, Any]
    created_at: datetime

    @property
    def replay_id(self) -> bytes:
        return encode_replay_id(self.id)


def encode_replay_id(event_id: int) -> bytes:
    return event_id.to_bytes(8, "big")


def decode_replay_id(raw: bytes) -> int:
    if len(raw) != 8:
        raise InvalidReplayId(f"Invalid replay id: {raw.hex() or '(empty)'}")
    return int.from_bytes(raw, "big")


def channel_filter(channel: str) -> Any:
    if channel == ALL_CHANGE_EVENTS:
        return ev.c.channel.like("/data/%ChangeEvent")
    return ev.c.channel == channel


def _event(row: Any, store: Store | None = None) -> Event:
    payload = orjson.loads(row.payload)
    header = payload.get("ChangeEventHeader")
    if isinstance(header, dict):
        header["commitNumber"] = row.id
        if store is not None:
            for opener in store.payload_openers:
                opener(payload)
    return Event(row.id, row.channel, payload, row.created_at)


class Watermark:
    """The highest event id at or below which every id is settled; see the module doc."""

    def __init__(self, store: Store, *, gap_timeout: float = 60.0) -> None:
        self.store = store
        self.gap_timeout = gap_timeout
        self.safe: int | None = None
        # gap id -> (xid that every holder is below, monotonic time first seen)
        self.pending: dict[int, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def advance(self) -> int:
        """Move the watermark as far as is provably safe; returns it."""
        with self._lock:
            if self.safe is None:
                with self.store.read() as conn:
                    low = conn.execute(sa.select(sa.func.min(ev.c.id))).scalar()
                self.safe = (low - 1) if low is not None else self._max_id()
            while self._step():
                pass
            return self.safe

    def _max_id(self) -> int:
        with self.store.read() as conn:
            return int(conn.execute(sa.select(sa.func.max(ev.c.id))).scalar() or 0)

    def _step(self) -> bool:
        """One batch; True when a full batch moved the watermark (more may follow)."""
        assert self.safe is not None
        dialect = self.store.dialect
        with self.store.read() as conn:
            xmin = dialect.snapshot_xmin(conn) if self.pending else None
            ids = list(
                conn.execute(
                    sa.select(ev.c.id).where(ev.c.id > self.safe).order_by(ev.c.id).limit(_BATCH)
                ).scalars()
            )
            new_gaps: list[int] = []
            expected = self.safe + 1
            for v in ids:
                new_gaps.extend(m for m in range(expected, v) if m not in self.pending)
                self.pending.pop(v, None)
                expected = v + 1
            # Without transaction ids (SQLite) writers are serialized: an id missing
            # below a visible one rolled back, and is no gap to wait for.
            r = dialect.take_xid(conn) if new_gaps else None
            if r is not None:
                now = time.monotonic()
                for m in new_gaps:
                    self.pending[m] = (r, now)
            conn.rollback()
        now = time.monotonic()
        for m, (r, seen) in list(self.pending.items()):
            if xmin is not None and xmin >= r:
                del self.pending[m]
            elif now - seen > self.gap_timeout:
                log.warning("event id %d did not commit within %.0fs; going on", m, now - seen)
                del self.pending[m]
        before = self.safe
        blocked = min(self.pending) if self.pending else None
        top = ids[-1] if ids else self.safe
        self.safe = top if blocked is None else max(self.safe, min(top, blocked - 1))
        for m in [m for m in self.pending if m <= self.safe]:
            del self.pending[m]
        return len(ids) == _BATCH and self.safe > before


def read(store: Store, channel: str, after: int, upto: int, limit: int) -> list[Event]:
    """Events of ``channel`` with ``after < id <= upto``, oldest first."""
    if upto <= after:
        return []
    with store.read() as conn:
        rows = conn.execute(
            sa.select(ev.c.id, ev.c.channel, ev.c.payload, ev.c.created_at)
            .where(channel_filter(channel), ev.c.id > after, ev.c.id <= upto)
            .order_by(ev.c.id)
            .limit(limit)
        ).all()
    return [_event(r, store) for r in rows]


def latest_id(store: Store, channel: str, upto: int) -> int:
    """The id of the newest settled event of ``channel`` (0 when it has none)."""
    with store.read() as conn:
        value = conn.execute(
            sa.select(sa.func.max(ev.c.id)).where(channel_filter(channel), ev.c.id <= upto)
        ).scalar()
    return int(value or 0)


def purged_through(store: Store) -> int:
    with store.read() as conn:
        value = conn.execute(
            sa.select(internal.meta.c.value).where(internal.meta.c.key == _PURGED_KEY)
        ).scalar()
    return int(value or 0)


def check_replay(store: Store, after: int) -> None:
    """Refuse a position whose following events retention has already deleted, or one
    beyond the newest event: starting there would silently skip every event with a
    smaller id still to come, so neither is ever moved to a nearby valid position."""
    purged = purged_through(store)
    if after < purged:
        raise ReplayIdTooOld(
            f"The replay id {after} is older than the retention window of this org; "
            "subscribe from EARLIEST (-2) or LATEST (-1) instead"
        )
    # Every id handed to a client (a delivered event, a latest_replay_id, a publish
    # result) belongs to a committed event, and retention always keeps the newest one.
    with store.read() as conn:
        newest = int(conn.execute(sa.select(sa.func.max(ev.c.id))).scalar() or 0)
    if after > max(newest, purged):
        raise InvalidReplayId(f"The replay id {after} was not issued by this org")


def purge(store: Store, retention_hours: float) -> int:
    """Delete events older than retention (never the newest one); returns how many."""
    cutoff = clock.now() - timedelta(hours=retention_hours)

    def work(conn: sa.Connection) -> int:
        newest = conn.execute(sa.select(sa.func.max(ev.c.id))).scalar()
        if newest is None:
            return 0
        through = conn.execute(
            sa.select(sa.func.max(ev.c.id)).where(ev.c.created_at < cutoff, ev.c.id < newest)
        ).scalar()
        if through is None:
            return 0
        deleted = conn.execute(sa.delete(ev).where(ev.c.id <= through)).rowcount
        m = internal.meta
        if conn.execute(sa.select(m.c.key).where(m.c.key == _PURGED_KEY)).first():
            conn.execute(sa.update(m).where(m.c.key == _PURGED_KEY).values(value=str(through)))
        else:
            conn.execute(sa.insert(m).values(key=_PURGED_KEY, value=str(through)))
        return int(deleted or 0)

    return store.write(work)


__all__ = [
    "ALL_CHANGE_EVENTS",
    "Event",
    "Watermark",
    "check_replay",
    "decode_replay_id",
    "encode_replay_id",
    "latest_id",
    "purge",
    "purged_through",
    "read",
]
