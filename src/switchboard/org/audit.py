"""Write lineage of one record, field by field, read from the org's change event log.

Every write path appends its change event in the writer's own transaction, with who
committed it (commitUser), through which API and client (changeOrigin) and the values
it set, so the log already says who wrote each field when. The trail covers what the
log retains (``event_retention_hours``); objects whose change events are turned off
(the cdc_objects setting) have none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..events.tables import event as event_table
from .dml.changes import channel_for
from .schema.model import ObjectDef

_HEADER = "ChangeEventHeader"


@dataclass(slots=True)
class AuditEntry:
    """One change of the record: when, what kind, who, through what, which values."""

    at: datetime
    change_type: str
    user_id: str
    origin: str
    transaction_key: str
    fields: dict[str, Any] = field(default_factory=dict)


def audit_trail(conn: Connection, obj: ObjectDef, record_id: str) -> list[AuditEntry]:
    """The record's changes, oldest first."""
    ev = event_table
    stmt = (
        sa.select(ev.c.payload)
        .where(ev.c.channel == channel_for(obj), ev.c.payload.contains(record_id, autoescape=True))
        .order_by(ev.c.id)
    )
    out = []
    for (payload,) in conn.execute(stmt):
        body = orjson.loads(payload)
        header = body.pop(_HEADER, {})
        if record_id not in (header.get("recordIds") or []):
            continue
        changed = header.get("changedFields") or []
        values = {k: v for k, v in body.items() if not changed or k in changed}
        for name in header.get("nulledFields") or []:
            values[name] = None
        values.pop("LastModifiedDate", None)
        out.append(
            AuditEntry(
                datetime.fromtimestamp(header.get("commitTimestamp", 0) / 1000, UTC),
                header.get("changeType", ""),
                header.get("commitUser", ""),
                header.get("changeOrigin", ""),
                header.get("transactionKey", ""),
                values,
            )
        )
    return out


def by_field(entries: list[AuditEntry]) -> dict[str, AuditEntry]:
    """For each field, the change that last wrote it."""
    last: dict[str, AuditEntry] = {}
    for e in entries:
        for name in e.fields:
            last[name] = e
    return last


__all__ = ["AuditEntry", "audit_trail", "by_field"]
