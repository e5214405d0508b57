"""Record-level access on the one DML path: what sharing lets the caller change.

Object permissions (may this user edit Accounts at all) are checked elsewhere; this
module asks, record by record, whether sharing reaches the record:

- update: the caller needs Edit access to the record (owner, above the owner in the
  role hierarchy, a sharing rule granting Edit, or Public Read/Write); otherwise
  ``INSUFFICIENT_ACCESS_OR_READONLY: insufficient access rights on object id``, the
  entry Salesforce gives whether the record is read-only to the caller or not visible
  at all (a record the caller cannot see is not revealed as such);
- delete, and an update that changes OwnerId (ownership transfer): full access, i.e.
  owner or above the owner in the hierarchy, or Modify All (a share never grants it).
  A simplification, documented: Salesforce's separate Transfer Record permission is
  not modelled, and on Public Read/Write objects any editor may delete or transfer;
- a lookup (insert or update) to a record the caller cannot see:
  ``INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY``.

A write without a principal (``WriteContext.principal`` None: the org's own writers) and
a caller with View All / Modify All skip every check. After each batch the share rows
and the role closure are brought up to date (``security.sharing.maintain``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...core.fieldtypes import FieldType
from ..schema.model import ObjectDef
from ..schema.registry import Schema
from ..security.errors import InsufficientAccess, InsufficientAccessOnCrossReference
from ..security.principal import Principal
from ..security.sharing import maintain
from ..security.sharing.predicate import (
    EDIT_ACCESS,
    FULL_ACCESS,
    READ_ACCESS,
    access_predicate,
)
from .context import WriteContext
from .prepare import Prepared

_CHUNK = 500


def reachable(
    conn: Connection,
    schema: Schema,
    obj: ObjectDef,
    principal: Principal | None,
    level: str,
    ids: Iterable[str],
) -> set[str] | None:
    """Which of ``ids`` the principal reaches at ``level``; None when it reaches all."""
    table = schema.table(obj)
    if principal is None:
        return None
    pred = access_predicate(
        schema,
        obj,
        table,
        principal,
        level,
        user=sa.literal(principal.user_id, sa.String),
        role=sa.literal(principal.role_id, sa.String),
    )
    if pred is None:
        return None
    wanted = sorted(set(ids))
    found: set[str] = set()
    for i in range(0, len(wanted), _CHUNK):
        stmt = sa.select(table.c.id).where(table.c.id.in_(wanted[i : i + _CHUNK]), pred)
        found.update(conn.execute(stmt).scalars())
    return found


def _denied() -> InsufficientAccess:
    return InsufficientAccess("insufficient access rights on object id", fields=[])


def check_update(
    conn: Connection,
    schema: Schema,
    obj: ObjectDef,
    ctx: WriteContext,
    prepared: list[Prepared],
    ids_: list[str | None],
    current: dict[str, dict[str, Any]],
) -> None:
    """An error on each update the caller's sharing does not allow."""
    principal = ctx.principal
    if principal is None:
        return
    live = [(p, rid) for p, rid in zip(prepared, ids_, strict=True) if not p.errors and rid]
    if not live:
        return
    editable = reachable(conn, schema, obj, principal, EDIT_ACCESS, (r for _, r in live))
    transfers = [
        (p, rid)
        for p, rid in live
        if "ownerid" in p.values and p.values["ownerid"] != current[rid].get("ownerid")
    ]
    full = (
        reachable(conn, schema, obj, principal, FULL_ACCESS, (r for _, r in transfers))
        if transfers
        else None
    )
    moving = {id(p) for p, _ in transfers}
    for p, rid in live:
        if editable is not None and rid not in editable:
            p.errors.append(_denied())
        elif id(p) in moving and full is not None and rid not in full:
            p.errors.append(_denied())


def check_delete(
    conn: Connection, schema: Schema, obj: ObjectDef, ctx: WriteContext, ids: list[str]
) -> dict[str, InsufficientAccess]:
    """The records of ``ids`` the caller may not delete, with their errors."""
    full = reachable(conn, schema, obj, ctx.principal, FULL_ACCESS, ids)
    if full is None:
        return {}
    return {rid: _denied() for rid in ids if rid not in full}


def check_lookups(
    conn: Connection, schema: Schema, obj: ObjectDef, ctx: WriteContext, prepared: list[Prepared]
) -> None:
    """An error on each record whose lookup names a record the caller cannot see."""
    principal = ctx.principal
    if principal is None:
        return
    wanted: dict[str, list[tuple[Prepared, str]]] = {}
    for p in prepared:
        if p.errors:
            continue
        for f in p.given:
            if f.type != FieldType.REFERENCE:
                continue
            value = p.values.get(f.column)
            if not isinstance(value, str):
                continue
            target = schema.by_id(value)
            if target is not None:
                wanted.setdefault(target.name, []).append((p, value))
    for target_name, refs in wanted.items():
        target = schema.object(target_name)
        seen = reachable(conn, schema, target, principal, READ_ACCESS, (v for _, v in refs))
        if seen is None:
            continue
        for p, value in refs:
            if value not in seen and not p.errors:
                p.errors.append(
                    InsufficientAccessOnCrossReference(
                        f"insufficient access rights on cross-reference id: {value}", fields=[]
                    )
                )


def after_write(conn: Connection, schema: Schema, obj: ObjectDef, ids: list[str]) -> None:
    """Share rows and the role closure after a batch of ``obj`` changed."""
    maintain.after_write(conn, schema, obj, ids)


__all__ = ["after_write", "check_delete", "check_lookups", "check_update", "reachable"]
