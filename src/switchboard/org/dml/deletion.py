"""What deleting a parent does to its children: restrict, cascade or clear the lookup.

Master-detail children (and lookups with deleteConstraint Cascade) are deleted with
their parent, Restrict lookups refuse the delete while a live child exists, and SetNull
lookups are cleared, each child change with its own change event. Every deletion is
also written to the delete log that the REST "Get Deleted" resource reads.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...store.batch_writes import insert_rows
from ...store.match import one_of
from ..duplicates import index as match_keys
from ..errors import DeleteFailed
from ..schema.model import ObjectDef
from ..schema.registry import Schema
from . import tables as dml_tables
from .changes import ChangeEvents
from .context import WriteContext

if TYPE_CHECKING:
    from .writer import Dml

_CHUNK = 500


def _cascades(rel_field) -> bool:  # type: ignore[no-untyped-def]
    return rel_field.master_detail or rel_field.delete_constraint == "Cascade"


def _children(  # type: ignore[no-untyped-def]
    conn: Connection,
    schema: Schema,
    child: ObjectDef,
    column: str,
    parents: list[str],
    *,
    deleted: bool = False,
):
    """(id, parent id) of the live children of ``parents`` (or those in the recycle bin)."""
    table = schema.table(child)
    for i in range(0, len(parents), _CHUNK):
        yield from conn.execute(
            sa.select(table.c.id, table.c[column]).where(
                one_of(conn, table.c[column], parents[i : i + _CHUNK]),
                table.c.isdeleted.is_(deleted),
            )
        )


def restricted(
    conn: Connection, schema: Schema, obj: ObjectDef, ids: list[str]
) -> dict[str, DeleteFailed]:
    """Parents that a Restrict lookup keeps from being deleted, with the error for each."""
    blocked: dict[str, DeleteFailed] = {}
    if not ids:
        return blocked
    for rel in schema.children(obj):
        if rel.field.delete_constraint != "Restrict" or rel.field.master_detail:
            continue
        if rel.child.kind == "external":
            continue
        for child_id, parent_id in _children(conn, schema, rel.child, rel.field.column, ids):
            blocked.setdefault(
                parent_id,
                DeleteFailed(
                    f"Your attempt to delete {parent_id} could not be completed because it is "
                    f"associated with the following {rel.child.label_plural}.: {child_id}",
                    fields=[],
                ),
            )
    return blocked


def soft_delete(
    conn: Connection,
    dml: Dml,
    ctx: WriteContext,
    obj: ObjectDef,
    ids: list[str],
    *,
    hard: bool = False,
) -> None:
    """Mark ``ids`` deleted, cascading to detail children and clearing SetNull lookups.

    ``hard`` (Bulk API hardDelete) removes the rows instead of leaving them in the
    recycle bin, so queryAll no longer finds them; cascaded children go the same way.
    The DELETE change events are the same either way."""
    if not ids:
        return
    schema = dml.schema
    if hard:
        _purge_binned_details(conn, schema, obj, ids)
    for rel in schema.children(obj):
        if rel.child.kind == "external":
            continue
        kids = list(_children(conn, schema, rel.child, rel.field.column, ids))
        if not kids:
            continue
        kid_ids = [k[0] for k in kids]
        if _cascades(rel.field):
            soft_delete(conn, dml, ctx, rel.child, kid_ids, hard=hard)
        elif rel.field.delete_constraint != "Restrict":
            # Clearing a lookup to a deleted parent is the org's doing, not the caller's:
            # the caller's sharing on the children does not apply (as in Salesforce).
            system = dataclasses.replace(ctx, principal=None)
            dml.update(conn, system, rel.child, [(k, {rel.field.name: None}) for k in kid_ids])
    table = schema.table(obj)
    from ...events import log

    for i in range(0, len(ids), _CHUNK):
        if hard:
            conn.execute(table.delete().where(one_of(conn, table.c.id, ids[i : i + _CHUNK])))
            continue
        conn.execute(
            table.update()
            .where(one_of(conn, table.c.id, ids[i : i + _CHUNK]))
            .values(
                isdeleted=True,
                lastmodifieddate=ctx.at,
                lastmodifiedbyid=ctx.user_id,
                systemmodstamp=ctx.at,
            )
        )
    if obj.duplicate_rules:
        match_keys.remove(conn, obj, ids)
    if obj.track_changes:
        made = ChangeEvents(obj, ctx, "DELETE")
        log.append(conn, [made.event(i, {}) for i in ids], ctx.at)
    _log_deletions(conn, obj, ids, ctx.at)


# How long the delete log keeps a deletion, as Salesforce's "Get Deleted" reaches back.
DELETE_LOG_DAYS = 15


def _log_deletions(conn: Connection, obj: ObjectDef, ids: list[str], at: datetime) -> None:
    """Record the deletions for replication clients, in the deleting transaction, and
    drop the entries that have aged out."""
    dl = dml_tables.delete_log
    conn.execute(dl.delete().where(dl.c.deleted_at < at - timedelta(days=DELETE_LOG_DAYS)))
    insert_rows(
        conn, dl, ["object_name", "record_id", "deleted_at"], [(obj.name, i, at) for i in ids]
    )


def _purge_binned_details(conn: Connection, schema: Schema, obj: ObjectDef, ids: list[str]) -> None:
    """Remove the detail children of ``ids`` that are already in the recycle bin.

    A hard-deleted master takes its details with it. Those deleted earlier (and their own
    details) would otherwise stay behind, pointing at a master that no longer exists, and
    queryAll would still list them. Their DELETE events were published when they went to
    the recycle bin, so removing them publishes nothing."""
    for rel in schema.children(obj):
        if rel.child.kind == "external" or not _cascades(rel.field):
            continue
        binned = [
            k[0] for k in _children(conn, schema, rel.child, rel.field.column, ids, deleted=True)
        ]
        if not binned:
            continue
        _purge_binned_details(conn, schema, rel.child, binned)
        table = schema.table(rel.child)
        for i in range(0, len(binned), _CHUNK):
            conn.execute(table.delete().where(one_of(conn, table.c.id, binned[i : i + _CHUNK])))


__all__ = ["restricted", "soft_delete"]
