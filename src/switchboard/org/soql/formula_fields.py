"""Formula fields in SELECT: computed in Python for each page of records.

The compiler gives a formula field no column (it has none); after a page is shaped,
its records' rows are read back by id, once per page and record level, the formulas
computed (parents included) and the values put in place with the field's wire type.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from ..formulas.compute import compute_rows, rows_by_id
from ..records import wire_value
from ..schema.registry import Schema
from .shape import NULL, PARENT, RecordShape


def fill_formulas(
    schema: Schema, conn: Connection, shape: RecordShape, ids: list[Any], records: list[Any]
) -> None:
    """Compute the formula fields ``shape`` selects into ``records`` (rows' ids ``ids``)."""
    obj = schema.get(shape.type_name)
    if obj is None:
        return
    wanted = []
    for entry in shape.entries:
        if entry[0] == NULL:
            f = obj.field(entry[1])
            if f is not None and f.calculated and (f.formula or f.summary_operation):
                wanted.append(f)
    live = [i for i in ids if i]
    if wanted and live and schema.formulas(obj):
        stored = rows_by_id(conn, schema, obj, sorted(set(live)))
        compute_rows(conn, schema, obj, list(stored.values()))
        for rec, rid in zip(records, ids, strict=True):
            row = stored.get(rid) if rec is not None and rid else None
            if row is not None:
                for f in wanted:
                    rec[f.name] = wire_value(f, row.get(f.column))
    for entry in shape.entries:
        if entry[0] == PARENT:
            key, parent = entry[1], entry[2]
            nested = [rec.get(key) if rec is not None else None for rec in records]
            parent_ids = [_id(n) for n in nested]
            fill_formulas(schema, conn, parent, parent_ids, nested)


def _id(record: Any) -> Any:
    if not record:
        return None
    return record["attributes"]["url"].rsplit("/", 1)[-1]


__all__ = ["fill_formulas"]
