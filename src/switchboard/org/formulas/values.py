"""What the other stages share: formula types, field bindings, the evaluation
environment, and conversions from stored values into formula values.

Inside the engine a Number is a ``Decimal`` (so ROUND and currency math are exact), a
Date a ``date``, a DateTime an aware ``datetime`` in UTC, a Time a ``time``, Text a
``str`` and a Checkbox a ``bool``. ``None`` is blank; blank Text and ``""`` are the same
value, as in Salesforce, where text is never null.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from ...core.fieldtypes import FieldType


class FType(Enum):
    """A formula type; ``value`` is the name Salesforce's messages use."""

    NUMBER = "Number"
    TEXT = "Text"
    BOOLEAN = "Boolean"
    DATE = "Date"
    DATETIME = "DateTime"
    TIME = "Time"
    PICKLIST = "Picklist"
    MULTIPICKLIST = "Multi-Select Picklist"
    NULL = "Null"  # the NULL literal: fits anywhere


_BY_FIELD_TYPE = {
    FieldType.INT: FType.NUMBER,
    FieldType.DOUBLE: FType.NUMBER,
    FieldType.CURRENCY: FType.NUMBER,
    FieldType.PERCENT: FType.NUMBER,
    FieldType.BOOLEAN: FType.BOOLEAN,
    FieldType.DATE: FType.DATE,
    FieldType.DATETIME: FType.DATETIME,
    FieldType.TIME: FType.TIME,
    FieldType.PICKLIST: FType.PICKLIST,
    FieldType.MULTIPICKLIST: FType.MULTIPICKLIST,
}
# returnType / <type> of a formula field in SFDX metadata.
_BY_METADATA = {
    "Number": FType.NUMBER,
    "Currency": FType.NUMBER,
    "Percent": FType.NUMBER,
    "Text": FType.TEXT,
    "Checkbox": FType.BOOLEAN,
    "Date": FType.DATE,
    "DateTime": FType.DATETIME,
    "Time": FType.TIME,
}


def ftype_of(field_type: FieldType) -> FType:
    """The formula type of a field of describe type ``field_type``."""
    return _BY_FIELD_TYPE.get(field_type, FType.TEXT)


def ftype_of_metadata(name: str) -> FType | None:
    return _BY_METADATA.get(name)


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """What a scope knows about one reference: its type and where its value lives.

    ``key`` is the lower-cased path the environment looks up (``("account", "name")``);
    ``root`` says which mapping: ``"record"``, ``"user"`` or ``"organization"``.
    """

    name: str
    ftype: FType
    key: tuple[str, ...]
    root: str = "record"


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def to_number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def to_date(value: Any) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return _utc(value).date()
    return date.fromisoformat(str(value)[:10])


def to_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    text = str(value).strip().replace(" ", "T")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]  # +0000 → +00:00
    return _utc(datetime.fromisoformat(text))


def to_time(value: Any) -> time | None:
    if value is None or isinstance(value, time):
        return value
    if isinstance(value, datetime):
        return _utc(value).time().replace(tzinfo=None)
    return time.fromisoformat(str(value).rstrip("Z"))


def to_text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def to_bool(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)


CONVERTERS: dict[FType, Callable[[Any], Any]] = {
    FType.NUMBER: to_number,
    FType.TEXT: to_text,
    FType.PICKLIST: to_text,
    FType.MULTIPICKLIST: to_text,
    FType.BOOLEAN: to_bool,
    FType.DATE: to_date,
    FType.DATETIME: to_datetime,
    FType.TIME: to_time,
    FType.NULL: lambda v: v,
}


@dataclass(slots=True)
class Env:
    """One evaluation: the record (lower-cased keys; a parent under its relationship
    name, itself a mapping), the record before the change, who and when."""

    record: Mapping[str, Any]
    prior: Mapping[str, Any] | None = None
    is_new: bool = False
    user: Mapping[str, Any] = field(default_factory=dict)
    organization: Mapping[str, Any] = field(default_factory=dict)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def today(self) -> date:
        return self.now.date()


def lookup(mapping: Mapping[str, Any] | None, key: tuple[str, ...]) -> Any:
    """The value at a lower-cased path through nested mappings (None when a parent is)."""
    value: Any = mapping
    for part in key:
        if value is None:
            return None
        value = value.get(part)
    return value


Closure = Callable[[Env], Any]


def is_blank(value: Any) -> bool:
    return value is None or value == ""


__all__ = [
    "CONVERTERS",
    "Closure",
    "Env",
    "FType",
    "FieldInfo",
    "ftype_of",
    "ftype_of_metadata",
    "is_blank",
    "lookup",
    "to_bool",
    "to_date",
    "to_datetime",
    "to_number",
    "to_text",
    "to_time",
]
