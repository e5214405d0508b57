"""Rows to Salesforce records: templates built at compile time, closures per API version.

The compiler describes each record as a :class:`RecordShape` (which column holds what,
nesting included); :func:`record_maker` turns it once into a tight function with one
converter per column picked in advance, so shaping a row does no lookups by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...core.fieldtypes import FieldType
from ..schema.model import FieldDef
from .dialects import Dialect

Converter = Callable[[Any], Any] | None

# entry kinds
FIELD, PARENT, CHILD, POLY, COMPOUND, NULL = range(6)


def _int(v: Any) -> Any:
    return None if v is None else int(v)


def _float(v: Any) -> Any:
    return None if v is None else float(v)


def _bool(v: Any) -> Any:
    return None if v is None else bool(v)


def _time(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, str):  # SQLite keeps "HH:MM:SS.ffffff"
        return f"{v[:8]}.{(v[9:12] or '000').ljust(3, '0')}Z"
    return v.strftime("%H:%M:%S.") + f"{v.microsecond // 1000:03d}Z"


def converter(ftype: FieldType, dialect: Dialect) -> Converter:
    """The function from a driver value to the wire value, or None when they agree."""
    if ftype == FieldType.INT:
        return _int
    if ftype in (FieldType.DOUBLE, FieldType.CURRENCY, FieldType.PERCENT):
        return _float
    if ftype == FieldType.BOOLEAN:
        return _bool
    if ftype == FieldType.DATETIME:
        return dialect.datetime_out()
    if ftype == FieldType.DATE:
        return dialect.date_out()
    if ftype == FieldType.TIME:
        return _time
    return None


def field_converter(f: FieldDef, dialect: Dialect) -> Converter:
    return converter(f.type, dialect)


_KIND_TYPES = {
    "int": FieldType.INT,
    "number": FieldType.DOUBLE,
    "bool": FieldType.BOOLEAN,
    "date": FieldType.DATE,
    "datetime": FieldType.DATETIME,
    "time": FieldType.TIME,
}


def converter_for_kind(kind: str, dialect: Dialect) -> Converter:
    """The converter of a computed column (aggregate, date function) by its SOQL kind."""
    ftype = _KIND_TYPES.get(kind)
    return converter(ftype, dialect) if ftype is not None else None


@dataclass(slots=True)
class RecordShape:
    """One record level: its object, the column of its id, and its entries in order."""

    type_name: str
    id_index: int | None
    entries: list[tuple[Any, ...]] = field(default_factory=list)
    parents: dict[str, RecordShape] = field(default_factory=dict)

    def parent(self, key: str, type_name: str, id_index: int) -> RecordShape:
        found = self.parents.get(key.lower())
        if found is None:
            found = RecordShape(type_name, id_index)
            self.parents[key.lower()] = found
            self.entries.append((PARENT, key, found))
        return found

    def add(self, *entry: Any) -> None:
        key = entry[1]
        if any(e[1] == key for e in self.entries):
            return  # a field selected twice appears once
        self.entries.append(entry)


def record_maker(
    shape: RecordShape, prefix: str, *, aggregate: bool = False
) -> Callable[[Any, Any], dict[str, Any]]:
    """``make(row, extras)``: extras[i] maps ids to the values of child/poly entry i."""
    base = f"{prefix}{shape.type_name}/"
    type_name = shape.type_name
    id_index = shape.id_index
    steps: list[tuple[int, str, Any, Any]] = []
    for entry in shape.entries:
        kind, key = entry[0], entry[1]
        if kind == FIELD:
            steps.append((FIELD, key, entry[2], entry[3]))
        elif kind == PARENT:
            sub = entry[2]
            steps.append((PARENT, key, sub.id_index, record_maker(sub, prefix)))
        elif kind in (CHILD, POLY):
            steps.append((kind, key, entry[2], entry[3]))
        elif kind == COMPOUND:
            steps.append((COMPOUND, key, entry[2], None))
        else:
            steps.append((NULL, key, None, None))

    def make(row: Any, extras: Any) -> dict[str, Any]:
        if aggregate:
            out: dict[str, Any] = {"attributes": {"type": "AggregateResult"}}
        else:
            out = {"attributes": {"type": type_name, "url": base + row[id_index]}}
        for kind, key, a, b in steps:
            if kind == FIELD:
                v = row[a]
                out[key] = v if b is None or v is None else b(v)
            elif kind == PARENT:
                out[key] = None if row[a] is None else b(row, extras)
            elif kind == CHILD:
                out[key] = extras[a].get(row[b])
            elif kind == POLY:
                ref = row[b]
                out[key] = None if ref is None else extras[a].get(ref)
            elif kind == COMPOUND:
                parts = {k: (row[i] if c is None or row[i] is None else c(row[i])) for k, i, c in a}
                out[key] = None if all(v is None for v in parts.values()) else parts
            else:
                out[key] = None
        return out

    return make


__all__ = [
    "CHILD",
    "COMPOUND",
    "FIELD",
    "NULL",
    "PARENT",
    "POLY",
    "RecordShape",
    "converter",
    "converter_for_kind",
    "field_converter",
    "record_maker",
]
