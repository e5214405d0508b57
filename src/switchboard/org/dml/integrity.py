"""Checks that look at other rows: lookups point at live records, unique values stay unique.

Each check runs one query per target table for a whole batch, so a bulk chunk of ten
thousand rows costs a handful of queries, not ten thousand.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...store.match import one_of
from ..errors import (
    DuplicateValue,
    EntityIsDeleted,
    FieldIntegrityException,
    InvalidCrossReferenceKey,
)
from ..schema.model import FieldType, ObjectDef
from ..schema.registry import Schema
from .per_object import per_object
from .prepare import Prepared

_CHUNK = 500


def check_references(
    conn: Connection, schema: Schema, obj: ObjectDef, rows: list[Prepared]
) -> None:
    """Record an error on each row whose lookup names a missing, deleted or wrong-typed record."""
    wanted: dict[str, list[tuple[Prepared, Any, str]]] = defaultdict(list)
    lookups = _reference_columns(obj)
    for row in rows:
        if row.errors or lookups.isdisjoint(row.values):  # most bulk rows set no lookup
            continue
        for f in row.given:
            if f.type != FieldType.REFERENCE:
                continue
            value = row.values.get(f.column)
            if value is None:
                continue
            target = schema.by_id(value)
            allowed = {t.lower() for t in f.reference_to}
            if target is None or target.name.lower() not in allowed:
                row.errors.append(
                    FieldIntegrityException(
                        f"{f.label or f.name}: id value of incorrect type: {value}",
                        fields=[f.name],
                    )
                )
                continue
            wanted[target.name].append((row, f, value))
    for target_name, refs in wanted.items():
        target = schema.object(target_name)
        table = schema.table(target)
        values = sorted({v for _, _, v in refs})
        state: dict[str, bool] = {}
        for i in range(0, len(values), _CHUNK):
            chunk = values[i : i + _CHUNK]
            for rid, deleted in conn.execute(
                sa.select(table.c.id, table.c.isdeleted).where(one_of(conn, table.c.id, chunk))
            ):
                state[rid] = bool(deleted)
        for row, f, value in refs:
            if value not in state:
                row.errors.append(
                    InvalidCrossReferenceKey(
                        f"invalid cross reference id: {value}", fields=[f.name]
                    )
                )
            elif state[value]:
                row.errors.append(EntityIsDeleted("entity is deleted", fields=[f.name]))


@per_object
def _reference_columns(obj: ObjectDef) -> frozenset[str]:
    return frozenset(f.column for f in obj.fields.values() if f.type == FieldType.REFERENCE)


def _key(value: Any, folded: bool) -> Any:
    return value.lower() if folded and isinstance(value, str) else value


def check_unique(
    conn: Connection,
    schema: Schema,
    obj: ObjectDef,
    rows: list[Prepared],
    own_ids: list[str | None],
    *,
    free: frozenset[str] = frozenset(),
) -> None:
    """Record DUPLICATE_VALUE on rows whose unique field value another live record holds.

    ``free``: columns the caller has already looked up in this transaction, under the
    lock that serializes writers of the object, and found held by no live record and by
    no two rows (an upsert's new keys); looking them up again would change nothing.
    """
    table = schema.table(obj)
    for f in obj.fields.values():
        if not f.unique or not f.stored or f.column in free:
            continue
        col = table.c[f.column]
        seen: dict[Any, str | None] = {}
        pending: list[tuple[Prepared, Any, str | None]] = []
        for row, own in zip(rows, own_ids, strict=True):
            if row.errors or f.column not in row.values or row.values[f.column] is None:
                continue
            k = _key(row.values[f.column], f.folded)
            if k in seen:
                row.errors.append(
                    DuplicateValue(
                        f"duplicate value found: {f.name} duplicates value on record with id: "
                        f"{seen[k] or 'in this batch'}",
                        fields=[f.name],
                    )
                )
                continue
            seen[k] = own
            pending.append((row, k, own))
        if not pending:
            continue
        # Matched as KeyMatcher matches keys, and by the index the field has for it.
        probe = sa.func.lower(col) if f.folded else col
        keys = [k for _, k, _ in pending]
        holders: dict[Any, str] = {}
        for i in range(0, len(keys), _CHUNK):
            for rid, value in conn.execute(
                sa.select(table.c.id, col).where(
                    one_of(conn, probe, keys[i : i + _CHUNK]), table.c.isdeleted.is_(False)
                )
            ).all():
                holders[_key(value, f.folded)] = rid
        for row, k, own in pending:
            holder = holders.get(k)
            if holder is not None and holder != own:
                row.errors.append(
                    DuplicateValue(
                        f"duplicate value found: {f.name} duplicates value on record with id: "
                        f"{holder}",
                        fields=[f.name],
                    )
                )


__all__ = ["check_references", "check_unique"]
