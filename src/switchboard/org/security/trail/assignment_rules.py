"""A permission set assignment made or removed through the DML path (REST, composite,
bulk) leaves its SetupAuditTrail row in the same transaction, as the command-line
path in :mod:`..assignments` does: Salesforce records both alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...dml.hooks import ObjectHooks
from ...schema.registry import Schema
from .setup import record_assignment

if TYPE_CHECKING:
    from ...dml.context import WriteContext
    from ...dml.prepare import Prepared
    from ...dml.writer import Dml
    from ...schema.model import ObjectDef


def grant_names(
    conn: Connection, schema: Schema, rows: list[tuple[str, str | None, str | None]]
) -> list[tuple[str, str, str]]:
    """(user id, username, grant name) for (assignee, permission set, group) triples: a
    group's assignment is named by its DeveloperName, a set's by its Name."""
    users = schema.table(schema.object("User"))
    sets = schema.table(schema.object("PermissionSet"))
    groups = schema.table(schema.object("PermissionSetGroup"))
    user_ids = {r[0] for r in rows}
    set_ids = {r[1] for r in rows if r[1]}
    group_ids = {r[2] for r in rows if r[2]}
    names = dict(conn.execute(sa.select(users.c.id, users.c.username)
                              .where(users.c.id.in_(user_ids))).all())  # fmt: skip
    set_names = dict(conn.execute(sa.select(sets.c.id, sets.c.name)
                                  .where(sets.c.id.in_(set_ids))).all()) if set_ids else {}  # fmt: skip
    group_names = dict(conn.execute(sa.select(groups.c.id, groups.c.developername)
                                    .where(groups.c.id.in_(group_ids))).all()) if group_ids else {}  # fmt: skip
    out = []
    for user_id, set_id, group_id in rows:
        grant = group_names.get(group_id) if group_id else set_names.get(set_id)
        out.append((user_id, str(names.get(user_id, user_id)), str(grant or set_id or group_id)))
    return out


class AssignmentTrail(ObjectHooks):
    """SetupAuditTrail rows for PermissionSetAssignment inserts and deletes."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema

    def after_insert(self, dml: Dml, conn: Connection, ctx: WriteContext, obj: ObjectDef,
                     prepared: list[Prepared]) -> None:  # fmt: skip
        rows = [(p.values["assigneeid"], p.values.get("permissionsetid"),
                 p.values.get("permissionsetgroupid")) for p in prepared]  # fmt: skip
        for user_id, username, grant in grant_names(conn, self.schema, rows):
            record_assignment(conn, permission_set=grant, user_id=user_id, username=username,
                              assigned_by=ctx.user_id)  # fmt: skip

    def before_delete(self, dml: Dml, conn: Connection, ctx: WriteContext, obj: ObjectDef,
                      record_ids: list[str]) -> None:  # fmt: skip
        psa = self.schema.table(obj)
        rows = [tuple(r) for r in conn.execute(
            sa.select(psa.c.assigneeid, psa.c.permissionsetid, psa.c.permissionsetgroupid)
            .where(psa.c.id.in_(record_ids)))]  # fmt: skip
        for user_id, username, grant in grant_names(conn, self.schema, rows):  # type: ignore[arg-type]
            record_assignment(conn, permission_set=grant, user_id=user_id, username=username,
                              assigned_by=ctx.user_id, assigned=False)  # fmt: skip


__all__ = ["AssignmentTrail", "grant_names"]
