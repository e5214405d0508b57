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


def _compound(parts: Any, row: Any) -> Any:
    out = {k: (row[i] if c is None or row[i] is None else c(row[i])) for k, i, c in parts}
    return None if all(v is None for v in out.values()) else out


def record_maker(
    shape: RecordShape, prefix: str, *, aggregate: bool = False
) -> Callable[[Any, Any], dict[str, Any]]:
    """``make(row, extras)``: extras[i] maps ids to the values of child/poly entry i.

    The function is generated as one dict display per record level: shaping a row is
    then a single expression with no per-field dispatch, which is what keeps the engine
    close to hand-written SQL on wide pages. Keys enter the source through ``repr`` and
    values only through the namespace, never as text.
    """
    names: dict[str, Any] = {"_compound": _compound}

    def bind(value: Any) -> str:
        name = f"_v{len(names)}"
        names[name] = value
        return name

    def level(sh: RecordShape, agg: bool) -> str:
        if agg:
            items = ["'attributes': {'type': 'AggregateResult'}"]
        else:
            base = bind(f"{prefix}{sh.type_name}/")
            items = [
                f"'attributes': {{'type': {sh.type_name!r}, 'url': {base} + row[{sh.id_index}]}}"
            ]
        for entry in sh.entries:
            kind, key = entry[0], entry[1]
            if kind == FIELD:
                idx, conv = entry[2], entry[3]
                value = f"row[{idx}]" if conv is None else f"{bind(conv)}(row[{idx}])"
            elif kind == PARENT:
                sub = entry[2]
                value = f"(None if row[{sub.id_index}] is None else {{{level(sub, False)}}})"
            elif kind == CHILD:
                value = f"extras[{entry[2]}].get(row[{entry[3]}])"
            elif kind == POLY:
                value = f"(None if row[{entry[3]}] is None else extras[{entry[2]}].get(row[{entry[3]}]))"
            elif kind == COMPOUND:
                value = f"_compound({bind(tuple(entry[2]))}, row)"
            else:
                value = "None"
            items.append(f"{key!r}: {value}")
        return ", ".join(items)

    source = f"def make(row, extras):\n    return {{{level(shape, aggregate)}}}\n"
    exec(compile(source, "<soql record shape>", "exec"), names)  # noqa: S102
    make: Callable[[Any, Any], dict[str, Any]] = names["make"]
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
