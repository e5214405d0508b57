"""Who holds what: a user's profile and their permission set (group) assignments.

The functions run inside a write transaction and mark it as changing access, so every
process drops its cached principals when it commits (:mod:`.permissions`). Names are
matched as Salesforce's setup matches them: a permission set by ``Name``, a group by
``DeveloperName``, a profile by ``Name``; case-insensitively.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...core import clock
from ..identity.sessions import mark_changed
from ..schema.registry import Schema
from .errors import UnknownGrant


@dataclass(frozen=True, slots=True)
class Assignment:
    id: str
    name: str
    kind: str  # PermissionSet or PermissionSetGroup


def _table(schema: Schema, name: str) -> sa.Table:
    return schema.table(schema.object(name))


def profile_id(conn: Connection, schema: Schema, name: str) -> str:
    t = _table(schema, "Profile")
    found = conn.execute(
        sa.select(t.c.id).where(sa.func.lower(t.c.name) == name.lower(), t.c.isdeleted.is_(False))
    ).scalar()
    if found is None:
        raise UnknownGrant(f"No profile named {name!r}", fields=["ProfileId"])
    return str(found)


def set_profile(conn: Connection, schema: Schema, user_id: str, name: str) -> str:
    """Give a user another profile; returns its id."""
    pid = profile_id(conn, schema, name)
    u = _table(schema, "User")
    now = clock.now()
    conn.execute(
        u.update()
        .where(u.c.id == user_id)
        .values(profileid=pid, lastmodifieddate=now, systemmodstamp=now)
    )
    mark_changed(conn)
    return pid


def _grant(conn: Connection, schema: Schema, name: str) -> tuple[str, str]:
    """(kind, id) of a permission set (not a profile's) or group by name."""
    ps = _table(schema, "PermissionSet")
    found = conn.execute(
        sa.select(ps.c.id).where(
            sa.func.lower(ps.c.name) == name.lower(),
            ps.c.isownedbyprofile.is_(False),
            ps.c.isdeleted.is_(False),
        )
    ).scalar()
    if found is not None:
        return "PermissionSet", str(found)
    g = _table(schema, "PermissionSetGroup")
    found = conn.execute(
        sa.select(g.c.id).where(
            sa.func.lower(g.c.developername) == name.lower(), g.c.isdeleted.is_(False)
        )
    ).scalar()
    if found is not None:
        return "PermissionSetGroup", str(found)
    raise UnknownGrant(f"No permission set or permission set group named {name!r}",
                       fields=["PermissionSetId"])  # fmt: skip


def _group_set(conn: Connection, schema: Schema, group_id: str, by: str) -> str:
    """The permission set standing for a group in its assignments (Salesforce keeps one
    per group, ``PermissionSet.PermissionSetGroupId``)."""
    from .profiles import _row

    ps = _table(schema, "PermissionSet")
    found = conn.execute(sa.select(ps.c.id).where(ps.c.permissionsetgroupid == group_id)).scalar()
    if found is not None:
        return str(found)
    g = _table(schema, "PermissionSetGroup")
    dev = conn.execute(sa.select(g.c.developername).where(g.c.id == group_id)).scalar()
    return _row(schema, conn, "PermissionSet", {
        "Name": f"{dev}_group", "Label": str(dev), "IsOwnedByProfile": False,
        "PermissionSetGroupId": group_id, "PermissionsViewAllData": False,
        "PermissionsModifyAllData": False, "PermissionsApiEnabled": False,
        "PermissionsApiUserOnly": False,
    }, by)  # fmt: skip


def assign(conn: Connection, schema: Schema, user_id: str, name: str, by: str) -> str:
    """Assign a permission set or group to a user (idempotent); returns the
    PermissionSetAssignment id."""
    from .profiles import _row

    kind, grant_id = _grant(conn, schema, name)
    psa = _table(schema, "PermissionSetAssignment")
    column = psa.c.permissionsetid if kind == "PermissionSet" else psa.c.permissionsetgroupid
    existing = conn.execute(
        sa.select(psa.c.id).where(
            psa.c.assigneeid == user_id, column == grant_id, psa.c.isdeleted.is_(False)
        )
    ).scalar()
    if existing is not None:
        return str(existing)
    values = {"AssigneeId": user_id, "IsActive": True}
    if kind == "PermissionSet":
        values["PermissionSetId"] = grant_id
    else:
        values["PermissionSetGroupId"] = grant_id
        values["PermissionSetId"] = _group_set(conn, schema, grant_id, by)
    assignment = _row(schema, conn, "PermissionSetAssignment", values, by)
    group = grant_id if kind == "PermissionSetGroup" else None
    _trail(conn, schema, [(user_id, str(values["PermissionSetId"]), group)], by, assigned=True)
    mark_changed(conn)
    return assignment


def _trail(conn: Connection, schema: Schema, rows: list[tuple[str, str | None, str | None]],
           by: str | None, *, assigned: bool) -> None:  # fmt: skip
    """The SetupAuditTrail rows of assignments made or removed here (the DML path's
    own hook, :class:`.trail.assignment_rules.AssignmentTrail`, covers the APIs)."""
    from .trail.assignment_rules import grant_names
    from .trail.setup import record_assignment

    for uid, username, grant in grant_names(conn, schema, rows):
        record_assignment(conn, permission_set=grant, user_id=uid, username=username,
                          assigned_by=by, assigned=assigned)  # fmt: skip


def unassign(
    conn: Connection, schema: Schema, user_id: str, name: str, by: str | None = None
) -> bool:
    """Remove an assignment; False when the user did not hold it."""
    kind, grant_id = _grant(conn, schema, name)
    psa = _table(schema, "PermissionSetAssignment")
    column = psa.c.permissionsetid if kind == "PermissionSet" else psa.c.permissionsetgroupid
    held = conn.execute(
        sa.select(psa.c.assigneeid, psa.c.permissionsetid, psa.c.permissionsetgroupid)
        .where(psa.c.assigneeid == user_id, column == grant_id, psa.c.isdeleted.is_(False))
    ).all()  # fmt: skip
    done = conn.execute(
        psa.delete().where(psa.c.assigneeid == user_id, column == grant_id)
    ).rowcount
    _trail(conn, schema, [tuple(r) for r in held], by, assigned=False)  # type: ignore[misc]
    mark_changed(conn)
    return bool(done)


def assignments(conn: Connection, schema: Schema, user_id: str) -> list[Assignment]:
    psa = _table(schema, "PermissionSetAssignment")
    ps = _table(schema, "PermissionSet")
    g = _table(schema, "PermissionSetGroup")
    out = []
    rows = conn.execute(
        sa.select(psa.c.id, psa.c.permissionsetgroupid, ps.c.name, g.c.developername)
        .select_from(psa.join(ps, ps.c.id == psa.c.permissionsetid).outerjoin(
            g, g.c.id == psa.c.permissionsetgroupid))
        .where(psa.c.assigneeid == user_id, psa.c.isdeleted.is_(False))
        .order_by(ps.c.name)
    )  # fmt: skip
    for r in rows:
        if r.permissionsetgroupid:
            out.append(Assignment(r.id, r.developername, "PermissionSetGroup"))
        else:
            out.append(Assignment(r.id, r.name, "PermissionSet"))
    return out


__all__ = ["Assignment", "UnknownGrant", "assign", "assignments", "profile_id", "set_profile",
           "unassign"]  # fmt: skip
