"""Rows to Salesforce records: templates built at compile time, closures per API version.

The compiler describes each record as a :class:`RecordShape` (which column holds what,
nesting included); :func:`record_maker` (and :func:`grouped_maker` for child rows)
turns it once per plan and API version into a generated function over a whole page of
rows, with one converter per column picked in advance, so shaping a row does no lookups
by name and no call but its converters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...core.fieldtypes import FieldType
from ..schema.model import FieldDef
from .dialects import Dialect

Converter = Callable[[Any], Any] | None

# entry kinds
FIELD, PARENT, CHILD, POLY, COMPOUND, NULL, BLOB = range(7)


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


Maker = Callable[[Iterable[Any], Sequence[Any]], list[dict[str, Any]]]
Grouper = Callable[[Iterable[Any]], dict[Any, list[dict[str, Any]]]]


def _generate(shape: RecordShape, prefix: str, width: int, aggregate: bool, body: str) -> Any:
    """``body`` as the function ``make``, with ``{record}`` replaced by one dict display
    per record level over the columns ``c0 .. c{width-1}`` of a row (which ``{unpack}``
    names). Shaping a row is then a single expression: no per-field dispatch, no
    lookups by name, no function call but the converters picked here. Keys enter the
    source through ``repr`` and values only through the namespace, never as text."""
    names: dict[str, Any] = {}

    def bind(value: Any) -> str:
        name = f"_v{len(names)}"
        names[name] = value
        return name

    def column(index: int, conv: Converter = None) -> str:
        if not 0 <= index < width:
            raise AssertionError(f"record shape reads column {index} of {width}")
        return f"c{index}" if conv is None else f"{bind(conv)}(c{index})"

    def level(sh: RecordShape, agg: bool) -> str:
        if agg:
            items = ["'attributes': {'type': 'AggregateResult'}"]
        else:
            assert sh.id_index is not None, "a record level without its id column"
            url = f"{bind(f'{prefix}{sh.type_name}/')} + {column(sh.id_index)}"
            items = [f"'attributes': {{'type': {sh.type_name!r}, 'url': {url}}}"]
        for entry in sh.entries:
            kind, key = entry[0], entry[1]
            if kind == FIELD:
                value = column(entry[2], entry[3])
            elif kind == PARENT:
                sub = entry[2]
                value = f"(None if {column(sub.id_index)} is None else {{{level(sub, False)}}})"
            elif kind == CHILD:
                value = f"extras[{int(entry[2])}].get({column(entry[3])})"
            elif kind == POLY:
                ref = column(entry[3])
                value = f"(None if {ref} is None else extras[{int(entry[2])}].get({ref}))"
            elif kind == COMPOUND:  # null when every part is
                parts = entry[2]
                nulls = " and ".join(f"{column(i)} is None" for _, i, _ in parts) or "True"
                inner = ", ".join(f"{k!r}: {column(i, c)}" for k, i, c in parts)
                value = f"(None if {nulls} else {{{inner}}})"
            elif kind == BLOB:  # VersionData, Body: the URL their bytes are served at
                assert sh.id_index is not None, "a blob field on a level without its id"
                url = bind(f"{prefix}{sh.type_name}/")
                value = f"{url} + {column(sh.id_index)} + {bind('/' + key)}"
            else:
                value = "None"
            items.append(f"{key!r}: {value}")
        return ", ".join(items)

    unpack = "(" + "".join(f"c{i}, " for i in range(width)) + ")"
    source = body.replace("{unpack}", unpack).replace(
        "{record}", "{" + level(shape, aggregate) + "}"
    )
    exec(compile(source, "<soql record shape>", "exec"), names)  # noqa: S102
    return names["make"]


def record_maker(shape: RecordShape, prefix: str, width: int, *, aggregate: bool = False) -> Maker:
    """``make(rows, extras)``: the records of a page of rows (``width`` columns each), in
    order; extras[i] maps ids to the values of child/poly entry i.

    One list comprehension over the rows, no function call per row: that is what keeps
    the engine close to hand-written SQL on wide pages.
    """
    body = "def make(rows, extras):\n    return [{record} for {unpack} in rows]\n"
    make: Maker = _generate(shape, prefix, width, aggregate, body)
    return make


def grouped_maker(shape: RecordShape, prefix: str, width: int, key_index: int) -> Grouper:
    """``make(rows)``: the records of child rows in lists by the value of column
    ``key_index`` (the parent id), each list in row order; one pass over the rows."""
    body = (
        "def make(rows):\n"
        "    out = {}\n"
        "    get = out.get\n"
        "    for {unpack} in rows:\n"
        "        record = {record}\n"
        f"        key = c{int(key_index)}\n"
        "        found = get(key)\n"
        "        if found is None:\n"
        "            out[key] = [record]\n"
        "        else:\n"
        "            found.append(record)\n"
        "    return out\n"
    )
    if not 0 <= key_index < width:
        raise AssertionError(f"child rows grouped by column {key_index} of {width}")
    make: Grouper = _generate(shape, prefix, width, False, body)
    return make


__all__ = [
    "CHILD",
    "COMPOUND",
    "FIELD",
    "Grouper",
    "Maker",
    "BLOB",
    "NULL",
    "PARENT",
    "POLY",
    "RecordShape",
    "converter",
    "converter_for_kind",
    "field_converter",
    "grouped_maker",
    "record_maker",
]
