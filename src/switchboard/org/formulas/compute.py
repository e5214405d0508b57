"""Computing formula fields for stored rows, on every read path.

Rows are the store's mappings (lower-cased column names). A formula that reads
``Account.Owner.Name`` finds the parent row under the key ``account`` and its owner
under ``owner``: :func:`attach_parents` reads each relationship level for the whole
batch in one query per target object (500 ids at a time), then computes the parents'
own formula fields, so that a formula may read a parent's formula.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...core import clock
from ..schema.model import ObjectDef
from .fields import ObjectFormulas
from .rollups import compute_rollups
from .schema_scope import follow
from .values import Env

if TYPE_CHECKING:
    from ..schema.registry import Schema

Row = dict[str, Any]
_CHUNK = 500
# How many lookup levels of parents' own formulas are computed.
_PARENT_DEPTH = 2


def rows_by_id(conn: Connection, schema: Schema, obj: ObjectDef, ids: list[str]) -> dict[str, Row]:
    table = schema.table(obj)
    out: dict[str, Row] = {}
    for i in range(0, len(ids), _CHUNK):
        stmt = sa.select(table).where(table.c.id.in_(ids[i : i + _CHUNK]))
        for row in conn.execute(stmt).mappings():
            out[row["id"]] = dict(row)
    return out


def attach_parents(
    conn: Connection,
    schema: Schema,
    obj: ObjectDef,
    rows: list[Row],
    paths: Iterable[tuple[str, ...]],
    depth: int = _PARENT_DEPTH,
) -> None:
    """Put each row's parents (and theirs, along ``paths``) under their relationship names."""
    by_first: dict[str, set[tuple[str, ...]]] = {}
    for path in paths:
        if path:
            by_first.setdefault(path[0], set()).add(path[1:])
    objects = schema.get
    for rel, rests in by_first.items():
        hop = follow(obj, rel, objects)
        if hop is None:
            continue
        lookup, target = hop
        ids = sorted({r[lookup.column] for r in rows if r.get(lookup.column)})
        parents: dict[str, Row] = {}
        if ids and target.table in _tables(schema):
            parents = rows_by_id(conn, schema, target, ids)
        found = list(parents.values())
        if found:
            deeper = {rest for rest in rests if rest}
            compute_rows(conn, schema, target, found, depth=depth - 1, extra_paths=deeper)
        for r in rows:
            r[rel] = parents.get(r.get(lookup.column) or "")


def _tables(schema: Schema) -> set[str]:
    return {t.name for t in schema.metadata.tables.values()}


def compute_rows(
    conn: Connection,
    schema: Schema,
    obj: ObjectDef,
    rows: list[Row],
    *,
    user: Row | None = None,
    now: datetime | None = None,
    depth: int = _PARENT_DEPTH,
    extra_paths: Iterable[tuple[str, ...]] = (),
) -> None:
    """Fill each row's formula columns in place (all of them: one may read another)."""
    formulas = schema.formulas(obj)
    paths = set(extra_paths)
    if formulas and depth >= 0:
        paths |= formulas.relationship_paths()
    if paths and depth >= 0:
        attach_parents(conn, schema, obj, rows, paths, depth)
    if not formulas or depth < 0:
        return
    if formulas.rollups:
        compute_rollups(conn, schema, obj, rows)
    organization = organization_row(conn, schema) if formulas.needs("organization") else {}
    at = now or clock.now()
    for row in rows:
        env = Env(row, None, False, user or {}, organization, at)
        evaluate_into(formulas, env, row)


def evaluate_into(formulas: ObjectFormulas, env: Env, row: Row) -> None:
    """Evaluate the formula fields in order, each result readable by the next."""
    for f, formula in formulas.fields:
        row[f.column] = formula.evaluate(env)


def organization_row(conn: Connection, schema: Schema) -> Row:
    org = schema.get("Organization")
    if org is None or org.table not in _tables(schema):
        return {}
    table = schema.table(org)
    row = conn.execute(sa.select(table).limit(1)).mappings().first()
    return {} if row is None else dict(row)


def user_row(conn: Connection, schema: Schema, user_id: str | None) -> Row:
    """The running user's row, for ``$User`` (empty when unknown)."""
    user = schema.get("User")
    if user is None or not user_id:
        return {}
    found = rows_by_id(conn, schema, user, [user_id])
    return found.get(user_id, {})


__all__ = [
    "attach_parents",
    "compute_rows",
    "evaluate_into",
    "organization_row",
    "rows_by_id",
    "user_row",
]
