"""Change Data Capture events for the changes DML makes.

CREATE events carry every non-null field, UPDATE events only the fields that changed
(with ``changedFields`` and ``nulledFields`` naming them), DELETE and UNDELETE only the
header, as Salesforce's do. Every event of one transaction shares its transactionKey and
is numbered by sequenceNumber in the order the changes were made.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from ...core.clock import epoch_ms, format_datetime
from ..schema.model import ObjectDef
from .context import WriteContext


def channel_for(obj: ObjectDef) -> str:
    """``/data/AccountChangeEvent``; custom ``Foo__c`` becomes ``/data/Foo__ChangeEvent``."""
    base = obj.name[:-3] + "__" if obj.name.endswith("__c") else obj.name
    return f"/data/{base}ChangeEvent"


def _wire(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def change_event(
    obj: ObjectDef,
    ctx: WriteContext,
    change_type: str,
    record_id: str,
    values: dict[str, Any],
    *,
    changed: list[str] | None = None,
    nulled: list[str] | None = None,
) -> tuple[str, dict[str, Any]]:
    header = {
        "entityName": obj.name,
        "recordIds": [record_id],
        "changeType": change_type,
        "changeOrigin": ctx.change_origin,
        "transactionKey": ctx.transaction_key,
        "sequenceNumber": ctx.next_sequence(),
        "commitTimestamp": epoch_ms(ctx.at),
        "commitNumber": 0,  # assigned by the log on read; stable per event id
        "commitUser": ctx.user_id,
        "changedFields": changed or [],
        "nulledFields": nulled or [],
        "diffFields": [],
    }
    payload: dict[str, Any] = {"ChangeEventHeader": header}
    for name, value in values.items():
        payload[name] = _wire(value)
    return channel_for(obj), payload


__all__ = ["change_event", "channel_for"]
