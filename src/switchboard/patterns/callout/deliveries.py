"""Queries on delivery rows; each public function is one transaction (``store.write``).

Claiming is a row lease: due rows (``pending`` and due, or ``in_flight`` whose lease ran
out) are locked with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite has one writer and
ignores the clause), set ``in_flight`` with ``lease_owner``/``lease_until`` and their
``attempts`` counted up, in one transaction. Counting the attempt at claim time means a
lease that expires (a worker killed mid-call) makes the next claim a new attempt
number, so no two workers ever make the same attempt. Results are written back guarded
by ``lease_owner``, so a worker whose lease was taken over cannot overwrite the owner's.

For an ordered callout only the oldest open delivery of each ``order_key`` is claimable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...core import clock
from ...store.batch_writes import insert_rows, update_rows
from ...store.engine import Store
from .tables import attempt, delivery

d = delivery
OPEN = ("pending", "in_flight")

_COLUMNS = (
    "callout", "trigger", "event_id", "record_id", "order_key", "idempotency_key", "state",
    "attempts", "next_attempt_at", "lease_owner", "lease_until", "payload", "created_at",
    "updated_at",
)  # fmt: skip
_RESULT_COLUMNS = (
    "state", "next_attempt_at", "lease_owner", "lease_until", "last_request", "last_response",
    "last_error", "updated_at", "delivered_at",
)  # fmt: skip
_ATTEMPT_COLUMNS = (
    "delivery_id", "number", "started_at", "finished_at", "status", "outcome", "error",
    "duration_ms",
)  # fmt: skip


@dataclass(slots=True)
class Delivery:
    id: int
    callout: str
    trigger: str
    event_id: int | None
    record_id: str | None
    order_key: str | None
    idempotency_key: str
    state: str
    attempts: int
    next_attempt_at: datetime
    payload: dict[str, Any]
    created_at: datetime
    lease_until: datetime | None = None
    retry_base: int = 0
    cycle_started_at: datetime | None = None

    @classmethod
    def from_row(cls, row: Any) -> Delivery:
        m = row._mapping
        return cls(
            m["id"], m["callout"], m["trigger"], m["event_id"], m["record_id"], m["order_key"],
            m["idempotency_key"], m["state"], m["attempts"], m["next_attempt_at"],
            orjson.loads(m["payload"]), m["created_at"], m["lease_until"], m["retry_base"],
            m["cycle_started_at"],
        )  # fmt: skip

    @property
    def failures(self) -> int:
        """Tries of this cycle (since it was created or last re-driven), this one included."""
        return self.attempts - self.retry_base

    @property
    def cycle_start(self) -> datetime:
        return self.cycle_started_at or self.created_at


@dataclass(slots=True)
class NewDelivery:
    callout: str
    trigger: str
    idempotency_key: str
    payload: dict[str, Any]
    event_id: int | None = None
    record_id: str | None = None
    order_key: str | None = None


@dataclass(slots=True)
class Result:
    """One finished attempt: the delivery's next state and what to keep of it."""

    delivery_id: int
    number: int
    state: str  # delivered | pending (retry at next_attempt_at) | dead
    outcome: str
    started_at: datetime
    finished_at: datetime
    duration_ms: float
    status: int | None = None
    error: str | None = None
    next_attempt_at: datetime | None = None
    request: dict[str, Any] | None = None
    response: dict[str, Any] | None = None


_CLAIMED = (d.c.id, d.c.callout, d.c.trigger, d.c.event_id, d.c.record_id, d.c.order_key,
            d.c.idempotency_key, d.c.state, d.c.attempts, d.c.next_attempt_at, d.c.payload,
            d.c.created_at, d.c.lease_until, d.c.retry_base,
            d.c.cycle_started_at)  # fmt: skip


def insert(
    conn: Connection, rows: Sequence[NewDelivery], *, lease: tuple[str, datetime] | None = None
) -> None:
    """Insert new deliveries; with ``lease`` (owner, until) they start claimed by it,
    their first attempt counted, so the process that made them sends them at once."""
    if not rows:
        return
    now = clock.now()
    state, attempts, owner, until = (
        ("in_flight", 1, *lease) if lease else ("pending", 0, None, None)
    )
    insert_rows(conn, d, _COLUMNS, [
        (r.callout, r.trigger, r.event_id, r.record_id, r.order_key, r.idempotency_key, state,
         attempts, now, owner, until, orjson.dumps(r.payload, default=str).decode(), now, now)
        for r in rows
    ])  # fmt: skip


def leased(conn: Connection, rows: Sequence[NewDelivery], until: datetime) -> list[Delivery]:
    """The rows just inserted by :func:`insert` with a lease, as claimed deliveries: only
    their ids are read back (the payloads are the ones in hand)."""
    keys = [r.idempotency_key for r in rows]
    ids = dict(
        conn.execute(
            sa.select(d.c.idempotency_key, d.c.id).where(d.c.idempotency_key.in_(keys))
        ).all()
    )
    now = clock.now()
    return [
        Delivery(ids[r.idempotency_key], r.callout, r.trigger, r.event_id, r.record_id, r.order_key,
                 r.idempotency_key, "in_flight", 1, now, r.payload, now, until)
        for r in rows
    ]  # fmt: skip


def _due(now: datetime, callouts: Sequence[str], ordered: Iterable[str]) -> Any:
    due = sa.or_(
        sa.and_(d.c.state == "pending", d.c.next_attempt_at <= now),
        sa.and_(d.c.state == "in_flight", d.c.lease_until < now),
    )
    cond = sa.and_(due, d.c.callout.in_(list(callouts)))
    ordered = list(ordered)
    if ordered:
        earlier = d.alias("earlier")
        blocked = sa.exists().where(
            earlier.c.callout == d.c.callout,
            earlier.c.order_key == d.c.order_key,
            earlier.c.id < d.c.id,
            earlier.c.state.in_(OPEN),
        )
        cond = sa.and_(cond, sa.or_(d.c.order_key.is_(None), ~blocked))
    return cond


def claim_in(
    conn: Connection,
    owner: str,
    callouts: Sequence[str],
    limit: int,
    lease_seconds: float,
    ordered: Iterable[str] = (),
) -> list[Delivery]:
    now = clock.now()
    ids = list(
        conn.execute(
            sa.select(d.c.id)
            .where(_due(now, callouts, ordered))
            .order_by(d.c.next_attempt_at, d.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).scalars()
    )
    if not ids:
        return []
    rows = conn.execute(
        sa.update(d)
        .where(d.c.id.in_(ids))
        .values(
            state="in_flight",
            lease_owner=owner,
            lease_until=now + timedelta(seconds=lease_seconds),
            attempts=d.c.attempts + 1,
            updated_at=now,
        )
        .returning(*_CLAIMED)
    ).all()
    return sorted((Delivery.from_row(r) for r in rows), key=lambda x: x.id)


def claim_ids(
    conn: Connection, owner: str, ids: Sequence[int], lease_seconds: float,
    callouts: Sequence[str],
) -> list[Delivery]:  # fmt: skip
    """Lease those of ``ids`` that are due, under the same guard as :func:`claim_in`
    (due, not locked by another claim, the attempt counted): a work item for a row that
    is delivered, leased or not yet due claims nothing."""
    if not ids or not callouts:
        return []
    now = clock.now()
    due = sa.or_(
        sa.and_(d.c.state == "pending", d.c.next_attempt_at <= now),
        sa.and_(d.c.state == "in_flight", d.c.lease_until < now),
    )
    found = list(
        conn.execute(
            sa.select(d.c.id)
            .where(d.c.id.in_(list(ids)), d.c.callout.in_(list(callouts)), due)
            .order_by(d.c.id)
            .with_for_update(skip_locked=True)
        ).scalars()
    )
    if not found:
        return []
    rows = conn.execute(
        sa.update(d)
        .where(d.c.id.in_(found))
        .values(
            state="in_flight",
            lease_owner=owner,
            lease_until=now + timedelta(seconds=lease_seconds),
            attempts=d.c.attempts + 1,
            updated_at=now,
        )
        .returning(*_CLAIMED)
    ).all()
    return sorted((Delivery.from_row(r) for r in rows), key=lambda x: x.id)


def states_of(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[str, datetime | None]]:
    """``id -> (state, when it may next be claimed)`` (``next_attempt_at`` of a pending
    row, ``lease_until`` of a leased one, None for a finished one)."""
    rows = conn.execute(
        sa.select(d.c.id, d.c.state, d.c.next_attempt_at, d.c.lease_until).where(
            d.c.id.in_(list(ids))
        )
    ).all()
    out: dict[int, tuple[str, datetime | None]] = {}
    for r in rows:
        when = r.next_attempt_at if r.state == "pending" else None
        if r.state == "in_flight":
            when = r.lease_until
        out[int(r.id)] = (str(r.state), when)
    return out


def ids_of(conn: Connection, rows: Sequence[NewDelivery]) -> list[int]:
    """The ids of rows just inserted by :func:`insert` (by their idempotency keys)."""
    keys = [r.idempotency_key for r in rows]
    return sorted(
        int(i)
        for i in conn.execute(sa.select(d.c.id).where(d.c.idempotency_key.in_(keys))).scalars()
    )


def overdue(
    conn: Connection, callouts: Sequence[str], before: datetime, limit: int
) -> list[tuple[int, int]]:
    """``(id, attempts)`` of rows of ``callouts`` due since before
    ``before`` (pending, or leased with the lease run out): rows whose work item may
    have been lost."""
    if not callouts:
        return []
    cond = sa.and_(
        d.c.callout.in_(list(callouts)),
        sa.or_(
            sa.and_(d.c.state == "pending", d.c.next_attempt_at < before),
            sa.and_(d.c.state == "in_flight", d.c.lease_until < before),
        ),
    )
    rows = conn.execute(
        sa.select(d.c.id, d.c.attempts).where(cond).order_by(d.c.id).limit(limit)
    ).all()
    return [(int(r.id), int(r.attempts)) for r in rows]


def claim(store: Store, owner: str, callouts: Sequence[str], limit: int, lease_seconds: float,
          ordered: Iterable[str] = ()) -> list[Delivery]:  # fmt: skip
    """Lease up to ``limit`` due deliveries of ``callouts`` to ``owner``."""
    return store.write(lambda c: claim_in(c, owner, callouts, limit, lease_seconds, ordered))


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value, default=str).decode()


def record_results(conn: Connection, owner: str, results: Sequence[Result]) -> None:
    """Write attempts and the deliveries' new states, guarded by the lease."""
    if not results:
        return
    insert_rows(conn, attempt, _ATTEMPT_COLUMNS, [
        (r.delivery_id, r.number, r.started_at, r.finished_at, r.status, r.outcome,
         r.error, r.duration_ms) for r in results
    ])  # fmt: skip
    # The lease guard: rows another worker has taken over since (this one's lease ran
    # out) are left to it. Locked so that no claim slips in before the update.
    ids = [r.delivery_id for r in results]
    lost = set(conn.execute(
        sa.select(d.c.id)
        .where(d.c.id.in_(ids), sa.or_(d.c.lease_owner.is_(None), d.c.lease_owner != owner))
        .with_for_update()
    ).scalars())  # fmt: skip
    update_rows(conn, d, _RESULT_COLUMNS, "id", [
        (r.state, r.next_attempt_at or r.finished_at, None, None, _json(r.request),
         _json(r.response), r.error, r.finished_at,
         r.finished_at if r.state == "delivered" else None, r.delivery_id)
        for r in results if r.delivery_id not in lost
    ])  # fmt: skip


def record_attempt(store: Store, owner: str, result: Result) -> None:
    store.write(lambda c: record_results(c, owner, [result]))


def mark_delivered(store: Store, owner: str, result: Result) -> None:
    result.state = "delivered"
    record_attempt(store, owner, result)


def mark_dead(store: Store, owner: str, result: Result) -> None:
    result.state = "dead"
    record_attempt(store, owner, result)


def requeue(store: Store, ids: Sequence[int]) -> int:
    """Dead or discarded deliveries back to pending, due now, with a fresh retry budget
    (counted from the attempts made so far: attempt numbers keep rising, so every
    attempt row stays unique); the idempotency key stays, so an endpoint that did get an
    earlier try dedupes it."""
    now = clock.now()

    def work(conn: Connection) -> int:
        return int(conn.execute(
            sa.update(d)
            .where(d.c.id.in_(list(ids)), d.c.state.in_(("dead", "discarded")))
            .values(state="pending", retry_base=d.c.attempts, cycle_started_at=now,
                    next_attempt_at=now, updated_at=now, lease_owner=None, lease_until=None)
        ).rowcount or 0)  # fmt: skip

    return store.write(work)


def discard(store: Store, ids: Sequence[int]) -> int:
    """Dead deliveries set aside for good (kept for the record)."""
    now = clock.now()
    return store.write(lambda conn: int(conn.execute(
        sa.update(d).where(d.c.id.in_(list(ids)), d.c.state == "dead")
        .values(state="discarded", updated_at=now)
    ).rowcount or 0))  # fmt: skip


def _rows(store: Store, query: Any) -> list[dict[str, Any]]:
    with store.read() as conn:
        return [dict(r._mapping) for r in conn.execute(query).all()]


def get(store: Store, delivery_id: int) -> dict[str, Any] | None:
    """One delivery row with its attempts (``attempts_log``), or None."""
    found = _rows(store, sa.select(d).where(d.c.id == delivery_id))
    if not found:
        return None
    row = found[0]
    row["attempts_log"] = _rows(
        store,
        sa.select(attempt).where(attempt.c.delivery_id == delivery_id).order_by(attempt.c.number),
    )
    return row


def list_dead(store: Store, callout: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    q = sa.select(d).where(d.c.state == "dead")
    if callout is not None:
        q = q.where(d.c.callout == callout)
    return _rows(store, q.order_by(d.c.id).limit(limit))


def recent(store: Store, callout: str, limit: int = 50) -> list[dict[str, Any]]:
    return _rows(
        store, sa.select(d).where(d.c.callout == callout).order_by(d.c.id.desc()).limit(limit)
    )


def counts(store: Store, callout: str | None = None) -> dict[str, int]:
    """Deliveries by state."""
    q = sa.select(d.c.state, sa.func.count()).group_by(d.c.state)
    if callout is not None:
        q = q.where(d.c.callout == callout)
    with store.read() as conn:
        return {state: int(n) for state, n in conn.execute(q).all()}


__all__ = [
    "Delivery", "NewDelivery", "Result", "claim", "claim_ids", "claim_in", "counts", "discard",
    "get", "ids_of", "insert", "leased", "overdue", "states_of", "list_dead", "mark_dead", "mark_delivered", "recent", "record_attempt",
    "record_results", "requeue",
]  # fmt: skip
