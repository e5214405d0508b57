"""Appending to the event log inside the writer's own transaction (transactional outbox).

An event row commits or rolls back with the record change that caused it, so no
committed change is without its event and no event describes a change that never
committed. Reading, replay and the visibility rules live in :mod:`events.replay`.

On PostgreSQL two things happen before the insert: the transaction takes its xid
(``pg_current_xact_id()``), so that any transaction holding an event id already has an
xid when a reader sees the gap it leaves (the reader's proof that the gap is final
rests on it); and ``pg_notify`` queues a wake-up that PostgreSQL delivers to every
listening process only when the transaction commits. On SQLite the connection is
marked, and the commit hook in :mod:`events.hub` wakes this process's subscribers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy.engine import Connection

from ..core.clock import format_datetime
from ..store import dialects
from ..store.batch_writes import insert_rows
from . import tables as event_tables

NOTIFY_CHANNEL = "sb_event"
_COLUMNS = ("channel", "payload", "created_at")
APPENDED = "sb_event_appended"


# A batch stamps every event with the transaction's few datetimes.
_format_datetime = lru_cache(maxsize=256)(format_datetime)


def _default(value: Any) -> Any:
    """What JSON lacks: datetimes in Salesforce's form (orjson hands them over, see
    ``_json``), dates and times in ISO form, anything else as its text."""
    if isinstance(value, datetime):
        return _format_datetime(value)
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def append(
    conn: Connection,
    events: Sequence[tuple[str, dict[str, Any]]],
    at: datetime,
    *,
    returning: bool = False,
) -> list[int]:
    """Append ``(channel, payload)`` events in one statement, within ``conn``'s transaction.

    With ``returning`` the new event ids come back in the order of ``events``.
    """
    if not events:
        return []
    dialects.of(conn).take_xid_and_notify(conn, NOTIFY_CHANNEL)
    conn.info[APPENDED] = True
    if returning:
        rows = [
            {"channel": channel, "payload": _json(payload), "created_at": at}
            for channel, payload in events
        ]
        stmt = event_tables.event.insert().returning(event_tables.event.c.id, sort_by_parameter_order=True)
        return list(conn.execute(stmt, rows).scalars())
    insert_rows(
        conn, event_tables.event, _COLUMNS, [(ch, _json(payload), at) for ch, payload in events]
    )
    return []


def _json(payload: dict[str, Any]) -> str:
    # Passing datetimes through to _default: orjson's own form is not Salesforce's, and
    # change events carry a record's datetimes as they are stored.
    return orjson.dumps(payload, default=_default, option=orjson.OPT_PASSTHROUGH_DATETIME).decode()


__all__ = ["APPENDED", "NOTIFY_CHANNEL", "append"]
