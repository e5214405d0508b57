"""A source row as the record a sync writes: org field names and the values the API
accepts for them.

The DML path coerces values as REST and Bulk send them (text, numbers, booleans), so a
driver's types are turned into those forms first: dates and times into ISO text (a
naive timestamp is taken as UTC, the org's stored form), ``Decimal`` into its exact
text, bytes into base64, and a number bound for a text field (an integer key as
``ERP_Id__c``) into its digits. Everything else, a bad value included, is left to the
DML path to accept or refuse with Salesforce's error.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from ...core.fieldtypes import TEXT_TYPES
from ...org.schema.model import FieldDef


def api_value(f: FieldDef, value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.isoformat(timespec="milliseconds") + "Z"
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int | float) and f.type in TEXT_TYPES:
        return str(value)
    return value


def record_of(targets: Mapping[str, FieldDef], fields: Mapping[str, str],
              row: Mapping[str, Any]) -> dict[str, Any]:  # fmt: skip
    """The record of ``row``: for each org field of ``fields``, its column's value."""
    return {targets[name].name: api_value(targets[name], row[column])
            for name, column in fields.items()}  # fmt: skip


__all__ = ["api_value", "record_of"]
