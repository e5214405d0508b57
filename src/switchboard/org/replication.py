"""Data replication: the records of an object updated, or deleted, within a timespan
(REST ``sobjects/{type}/updated`` and ``deleted``, SOAP's getUpdated and getDeleted).

As Salesforce answers them:

- ``start`` and ``end`` are UTC datetimes whose seconds are ignored (12:30:15 reads as
  12:30:00); ``start`` must come before ``end``, and updates are kept for 30 days.
  Both bounds are read as a half-open span, so the next call can start where this one
  ended and see each change once.
- Updated records are found by SystemModstamp, live records only (deletions are the
  other resource's); deleted ones come from the delete log, which has hard deletes too
  and keeps 15 days (``earliestDateAvailable``).
- ``latestDateCovered`` is where the next call should start. A write stamps its records
  when its transaction begins, and one still open may commit records stamped a moment
  ago, so a span is covered only up to a minute before now.
- More than 600,000 ids is EXCEEDED_ID_LIMIT.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..core import clock
from ..store import internal
from .dml import tables as dml_tables
from .dml.coerce import parse_datetime
from .dml.deletion import DELETE_LOG_DAYS
from .errors import CannotReplicate, ExceededIdLimit, InvalidReplicationDate
from .migrations import DELETE_LOG

if TYPE_CHECKING:
    from .runtime import Org
    from .schema.model import ObjectDef

ID_LIMIT = 600_000
UPDATED_DAYS = 30
_SETTLING = timedelta(minutes=1)


def _minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


def span(start: str | None, end: str | None) -> tuple[datetime, datetime]:
    """The (start, end) a request names, to the minute, naive UTC."""
    bounds = []
    for name, text in (("start", start), ("end", end)):
        # An unencoded "+" of the offset arrives as a space.
        value = parse_datetime(text.replace(" ", "+")) if text else None
        if value is None:
            raise InvalidReplicationDate(
                f"{name} must be a dateTime in ISO 8601 form (YYYY-MM-DDThh:mm:ss+hh:mm)"
            )
        bounds.append(_minute(value))
    first, last = bounds
    if first >= last:
        raise InvalidReplicationDate("start date must chronologically precede end date")
    return first, last


def _covered(end: datetime) -> datetime:
    return min(end, _minute(clock.now() - _SETTLING))


def _replicateable(obj: ObjectDef) -> None:
    if obj.kind == "platform_event":  # events are not records: nothing to replicate
        raise CannotReplicate(f"{obj.name} is not replicateable")


def updated(org: Org, obj: ObjectDef, start: str | None, end: str | None) -> dict[str, Any]:
    _replicateable(obj)
    first, last = span(start, end)
    if first < _minute(clock.now() - timedelta(days=UPDATED_DAYS)):
        raise InvalidReplicationDate(
            f"start date cannot be more than {UPDATED_DAYS} days before the current date"
        )
    table = org.schema.table(obj)
    stamp = table.c.systemmodstamp
    stmt = (
        sa.select(table.c.id)
        .where(stamp >= first, stamp < last, table.c.isdeleted.is_(False))
        .order_by(stamp, table.c.id)
        .limit(ID_LIMIT + 1)
    )
    with org.store.read() as conn:
        ids = list(conn.execute(stmt).scalars())
    _within_limit(ids)
    return {"ids": ids, "latestDateCovered": clock.format_datetime(_covered(last))}


def deleted(org: Org, obj: ObjectDef, start: str | None, end: str | None) -> dict[str, Any]:
    _replicateable(obj)
    first, last = span(start, end)
    dl, mig = dml_tables.delete_log, internal.migration
    stmt = (
        sa.select(dl.c.record_id, dl.c.deleted_at)
        .where(dl.c.object_name == obj.name, dl.c.deleted_at >= first, dl.c.deleted_at < last)
        .order_by(dl.c.deleted_at, dl.c.record_id)
        .limit(ID_LIMIT + 1)
    )
    with org.store.read() as conn:
        rows = conn.execute(stmt).all()
        # The log holds no deletion from before it existed, nor any older than it keeps.
        began = conn.execute(
            sa.select(mig.c.applied_at).where(
                mig.c.chain == DELETE_LOG[0], mig.c.version == DELETE_LOG[1]
            )
        ).scalar()
    _within_limit(rows)
    kept_from = _minute(clock.now() - timedelta(days=DELETE_LOG_DAYS))
    earliest = max(kept_from, _minute(began)) if began is not None else kept_from
    return {
        "deletedRecords": [
            {"id": rid, "deletedDate": clock.format_datetime(at)} for rid, at in rows
        ],
        "earliestDateAvailable": clock.format_datetime(earliest),
        "latestDateCovered": clock.format_datetime(_covered(last)),
    }


def _within_limit(found: Sequence[Any]) -> None:
    if len(found) > ID_LIMIT:
        raise ExceededIdLimit(
            f"More than {ID_LIMIT:,} ids found: choose start and end dates closer together"
        )


__all__ = ["ID_LIMIT", "deleted", "span", "updated"]
