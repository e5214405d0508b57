"""Change Data Capture events for the changes DML makes.

CREATE events carry every non-null field, UPDATE events only the fields that changed
(with ``changedFields`` and ``nulledFields`` naming them), DELETE and UNDELETE only the
header, as Salesforce's do. Every event of one transaction shares its transactionKey and
is numbered by sequenceNumber in the order the changes were made.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ...core.clock import epoch_ms
from ..schema.model import ObjectDef
from .context import WriteContext


@lru_cache(maxsize=1024)
def _channel(name: str) -> str:
    base = name[:-3] + "__" if name.endswith("__c") else name
    return f"/data/{base}ChangeEvent"


def channel_for(obj: ObjectDef) -> str:
    """``/data/AccountChangeEvent``; custom ``Foo__c`` becomes ``/data/Foo__ChangeEvent``."""
    return _channel(obj.name)


_epoch_ms = lru_cache(maxsize=256)(epoch_ms)  # a batch shares its transaction's time


class ChangeEvents:
    """Events of one change type for one object in one transaction: the header fields
    they share are built once, and each event copies them (a bulk chunk makes thousands
    of events, and building each header afresh was a visible share of a row)."""

    __slots__ = ("channel", "ctx", "header", "seal")

    def __init__(
        self,
        obj: ObjectDef,
        ctx: WriteContext,
        change_type: str,
        seal: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.channel = _channel(obj.name)
        self.ctx = ctx
        # Seals encrypted fields' values in place (security.encryption.events).
        self.seal = seal
        self.header: dict[str, Any] = {
            "entityName": obj.name,
            "recordIds": None,
            "changeType": change_type,
            "changeOrigin": ctx.change_origin,
            "transactionKey": ctx.transaction_key,
            "sequenceNumber": 0,
            "commitTimestamp": _epoch_ms(ctx.at),
            "commitNumber": 0,  # assigned by the log on read; stable per event id
            "commitUser": ctx.user_id,
            "changedFields": None,
            "nulledFields": None,
            "diffFields": None,
        }

    def event(
        self,
        record_id: str,
        values: dict[str, Any],
        changed: list[str] | None = None,
        nulled: list[str] | None = None,
    ) -> tuple[str, dict[str, Any]]:
        header = self.header.copy()  # no list is shared between events
        header["recordIds"] = [record_id]
        header["sequenceNumber"] = self.ctx.next_sequence()
        header["changedFields"] = changed or []
        header["nulledFields"] = nulled or []
        header["diffFields"] = []
        payload: dict[str, Any] = {"ChangeEventHeader": header}
        if self.seal is not None:
            self.seal(values)
        payload.update(values)  # stored values: the log writes datetimes in Salesforce's form
        return self.channel, payload


__all__ = ["ChangeEvents", "channel_for"]
