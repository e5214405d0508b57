"""Roll-up summary fields (COUNT, SUM, MIN, MAX over master-detail children, with the
field's filter criteria), computed for a batch of parent rows in one grouped query
per field, so they are current on every read without being stored.

Filter items compare a child field with the item's value: ``equals`` and ``notEqual``
take a comma-separated list (any of them), the ordering operations one value.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...core.errors import SwitchboardError
from ..schema.model import FieldDef, ObjectDef

if TYPE_CHECKING:
    from ..schema.registry import Schema

_CHUNK = 500
_ORDERING = {
    "lessThan": "__lt__",
    "greaterThan": "__gt__",
    "lessOrEqual": "__le__",
    "greaterOrEqual": "__ge__",
}


def rollup_fields(obj: ObjectDef) -> list[FieldDef]:
    return [f for f in obj.fields.values() if f.summary_operation and f.summary_foreign_key]


def _filters(child: ObjectDef, table: Any, f: FieldDef) -> list[Any]:
    from ..dml.coerce import coerce  # the child's own coercion reads the filter values

    out = []
    for name, operation, raw in json.loads(f.summary_filters or "[]"):
        cf = child.field(name.split(".")[-1])
        if cf is None or not cf.stored:
            raise ValueError(f"roll-up filter on unknown field {name}")
        col = table.c[cf.column]
        if operation in ("equals", "notEqual"):
            values = [v.strip() for v in raw.split(",")] if raw else [None]
            typed = [None if v in (None, "") else coerce(cf, v) for v in values]
            cond = sa.or_(*(col.is_(None) if v is None else col == v for v in typed))
            out.append(sa.not_(cond) if operation == "notEqual" else cond)
        elif operation in _ORDERING:
            out.append(getattr(col, _ORDERING[operation])(coerce(cf, raw)))
        else:
            raise ValueError(f"roll-up filter operation {operation} is not supported")
    return out


def compute_rollups(
    conn: Connection, schema: Schema, obj: ObjectDef, rows: list[dict[str, Any]]
) -> None:
    """Put each roll-up summary's value under its column in ``rows``."""
    fields = rollup_fields(obj)
    ids = sorted({r["id"] for r in rows if r.get("id")})
    if not fields or not ids:
        return
    for f in fields:
        values = _aggregate(conn, schema, f, ids)
        empty: Any = 0 if f.summary_operation in ("count", "sum") else None
        for r in rows:
            r[f.column] = values.get(r.get("id") or "", empty)


def _aggregate(conn: Connection, schema: Schema, f: FieldDef, ids: list[str]) -> dict[str, Any]:
    assert f.summary_foreign_key is not None
    child_name, fk_name = f.summary_foreign_key.split(".", 1)
    child = schema.get(child_name)
    fk = child.field(fk_name) if child is not None else None
    if child is None or fk is None:
        return {}
    table = schema.table(child)
    if f.summary_operation == "count":
        agg: Any = sa.func.count(table.c.id)
    else:
        target = child.field((f.summarized_field or "").split(".")[-1])
        if target is None or not target.stored:
            return {}
        agg = getattr(sa.func, f.summary_operation or "sum")(table.c[target.column])
    try:
        filters = _filters(child, table, f)
    except (ValueError, SwitchboardError):
        return {}  # a filter the org cannot apply: no value rather than a wrong one
    out: dict[str, Any] = {}
    fk_col = table.c[fk.column]
    for i in range(0, len(ids), _CHUNK):
        stmt = (
            sa.select(fk_col, agg)
            .where(fk_col.in_(ids[i : i + _CHUNK]), table.c.isdeleted.is_(False), *filters)
            .group_by(fk_col)
        )
        for parent, value in conn.execute(stmt):
            out[parent] = value
    return out


__all__ = ["compute_rollups", "rollup_fields"]
