"""Cron-scheduled callouts: each slot fires once, across restarts and processes.

The last slot fired is kept per callout (``sb_callout_schedule``). Firing a slot moves
that mark (compare-and-set on its old value) and inserts the slot's delivery, whose
idempotency key names the slot, in one transaction: a restart does not fire a slot
twice, and two processes racing for one slot make one delivery. Slots missed while
nothing ran fire once (the latest), not once each: a schedule says "every five
minutes", not "catch up on the night". A new schedule starts from now.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...core import clock
from .deliveries import NewDelivery, insert
from .tables import schedule_mark


def _croniter(expr: str, start: datetime):  # type: ignore[no-untyped-def]
    from croniter import croniter  # deferred: only projects with schedules need it

    return croniter(expr, start)


def next_slot(expr: str, after: datetime) -> datetime:
    return _croniter(expr, after).get_next(datetime)  # type: ignore[no-any-return]


def fire_due(conn: Connection, callout: str, expr: str, now: datetime) -> datetime | None:
    """In ``conn``'s transaction: fire the latest due slot of ``callout``; returns it, or
    None when nothing was due (a first call only records ``now`` as the start)."""
    m = schedule_mark
    last = conn.execute(sa.select(m.c.last_fired).where(m.c.callout == callout)).scalar()
    if last is None:
        conn.execute(m.insert().values(callout=callout, last_fired=now))
        return None
    if next_slot(expr, last) > now:
        return None
    slot = _croniter(expr, now).get_prev(datetime)
    if slot <= last:
        slot = next_slot(expr, last)
    moved = conn.execute(
        m.update().where(m.c.callout == callout, m.c.last_fired == last).values(last_fired=slot)
    ).rowcount
    if moved != 1:
        return None  # another process fired it
    key = f"{callout}:schedule:{slot.isoformat()}"
    payload = {"record": None, "event": {"scheduledTime": clock.format_datetime(slot)}}
    insert(
        conn,
        [NewDelivery(callout=callout, trigger="schedule", idempotency_key=key, payload=payload)],
    )
    return slot


__all__ = ["fire_due", "next_slot"]
