"""The org's limits as the REST ``limits`` resource reports them, each from what the
org really did.

- DailyApiRequests: the API usage counter (:mod:`.usage`).
- DailyBulkV2QueryJobs: Bulk API 2.0 query jobs created over a rolling 24 hours.
- HourlyPublishedPlatformEvents: platform events published over the last hour, from
  the event log (change events are not platform events and do not count).
- DataStorageMB: 2 KB per record, the size Salesforce gives most records, deleted
  records in the recycle bin included; the capacity is the ``data_storage_mb`` setting.
- DailyAsyncApexExecutions, SingleEmail and FileStorageMB: the org runs no Apex, sends
  no email and stores no files, so nothing is used of them.

Platform event deliveries (DailyDeliveredPlatformEvents and the monthly entitlement)
are not counted by the CometD and Pub/Sub servers, so they are left out rather than
reported as unused.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

from ..core import clock
from ..events import tables as event_tables
from .bulk import tables as bulk_tables

if TYPE_CHECKING:
    from .runtime import Org

_RECORD_KB = 2
_STORED_KINDS = ("standard", "custom")
_QUERY_JOBS = 10_000
_HOURLY_EVENTS = 250_000
_UNION = 100


def _pair(maximum: int, used: int) -> dict[str, int]:
    return {"Max": maximum, "Remaining": max(0, maximum - used)}


def org_limits(org: Org) -> dict[str, dict[str, int]]:
    now = clock.now()
    jobs, ev = bulk_tables.bulk_job, event_tables.event
    tables = [org.schema.table(o) for o in org.schema.objects() if o.kind in _STORED_KINDS]
    with org.store.read() as conn:
        query_jobs = conn.execute(
            sa.select(sa.func.count())
            .select_from(jobs)
            .where(jobs.c.job_type == "V2Query", jobs.c.created_at >= now - timedelta(days=1))
        ).scalar_one()
        published = conn.execute(
            sa.select(sa.func.count())
            .select_from(ev)
            .where(ev.c.channel.like("/event/%"), ev.c.created_at >= now - timedelta(hours=1))
        ).scalar_one()
        records = 0
        for i in range(0, len(tables), _UNION):  # SQLite takes at most 500 in one compound
            counts = [sa.select(sa.func.count()).select_from(t) for t in tables[i : i + _UNION]]
            records += sum(conn.execute(sa.union_all(*counts)).scalars())
    storage_mb = -(-records * _RECORD_KB // 1024)  # whole megabytes, rounded up
    api = org.usage
    return {
        "DailyApiRequests": _pair(api.limit, api.used()),
        "DailyAsyncApexExecutions": _pair(250_000, 0),
        "DailyBulkV2QueryJobs": _pair(_QUERY_JOBS, int(query_jobs)),
        "DataStorageMB": _pair(org.settings.data_storage_mb, storage_mb),
        "FileStorageMB": _pair(10_240, 0),
        "HourlyPublishedPlatformEvents": _pair(_HOURLY_EVENTS, int(published)),
        "SingleEmail": _pair(5_000, 0),
    }


__all__ = ["org_limits"]
