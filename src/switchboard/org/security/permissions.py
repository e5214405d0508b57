"""Effective access of a user: the profile's permission set, the sets assigned to the
user and those of assigned groups, minus the groups' muting sets.

Grants are unions (any set granting a permission grants it); a permission set group's
muting permission set takes away what it names, from that group's sets only, as in
Salesforce. Object permissions imply each other the way Salesforce's setup enforces
(Edit needs Read, Delete needs Edit, Modify All needs View All and Delete), so a
hand-made ObjectPermissions row cannot grant an impossible combination.

The result is cached per user and dropped with the session cache: every transaction
that changes a permission object, an assignment or a user calls
:func:`~switchboard.org.identity.sessions.mark_changed`, which clears both in every
process (see :mod:`org.identity.sessions` for how other processes learn of it).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..schema.catalog.permissions import PERMISSION_OBJECTS
from ..schema.registry import Schema
from .principal import FieldAccess, ObjectAccess, Principal
from .profiles import permissionable

if TYPE_CHECKING:
    from ...store.engine import Store
    from ..identity.sessions import SessionCache

_OBJECT_FLAGS = ("read", "create", "edit", "delete", "view_all", "modify_all")
_OBJECT_COLUMNS = (
    "permissionsread", "permissionscreate", "permissionsedit", "permissionsdelete",
    "permissionsviewallrecords", "permissionsmodifyallrecords",
)  # fmt: skip
_SYSTEM = ("viewalldata", "modifyalldata", "apienabled")


@dataclass(slots=True)
class _Grants:
    """Grants of some permission sets, as mutable sets while folding."""

    objects: dict[str, set[str]] = field(default_factory=dict)
    fields: dict[str, set[str]] = field(default_factory=dict)
    system: set[str] = field(default_factory=set)

    def add(self, other: _Grants, minus: _Grants | None = None) -> None:
        for name, flags in other.objects.items():
            keep = flags - (minus.objects.get(name, set()) if minus else set())
            self.objects.setdefault(name, set()).update(keep)
        for name, flags in other.fields.items():
            keep = flags - (minus.fields.get(name, set()) if minus else set())
            self.fields.setdefault(name, set()).update(keep)
        self.system |= other.system - (minus.system if minus else set())


def _implied(flags: set[str]) -> set[str]:
    out = set(flags)
    if "modify_all" in out:
        out |= {"view_all", "delete", "edit", "read"}
    if "view_all" in out:
        out.add("read")
    if "delete" in out:
        out |= {"edit", "read"}
    if "edit" in out or "create" in out:
        out.add("read")
    return out


def _grants_of(schema: Schema, conn: Connection, set_ids: Iterable[str], kind: str) -> _Grants:
    """The grants of permission sets (``kind`` PermissionSet) or muting sets."""
    ids_ = sorted(set(set_ids))
    g = _Grants()
    if not ids_:
        return g
    op = schema.table(schema.object("ObjectPermissions"))
    fp = schema.table(schema.object("FieldPermissions"))
    holder = schema.table(schema.object(kind))
    live_op = op.c.isdeleted.is_(False)
    for r in conn.execute(sa.select(op).where(op.c.parentid.in_(ids_), live_op)):
        flags = {f for f, c in zip(_OBJECT_FLAGS, _OBJECT_COLUMNS, strict=True) if r._mapping[c]}
        g.objects.setdefault(r.sobjecttype.lower(), set()).update(flags)
    for r in conn.execute(
        sa.select(fp.c.field, fp.c.permissionsread, fp.c.permissionsedit).where(
            fp.c.parentid.in_(ids_), fp.c.isdeleted.is_(False)
        )
    ):
        flags = {"read"} if r.permissionsread else set()
        if r.permissionsedit:
            flags |= {"read", "edit"}
        g.fields.setdefault(r.field.lower(), set()).update(flags)
    cols = [holder.c[f"permissions{p}"] for p in _SYSTEM]
    for r in conn.execute(sa.select(*cols).where(holder.c.id.in_(ids_))):
        g.system |= {p for p, v in zip(_SYSTEM, r, strict=True) if v}
    return g


def effective_grants(schema: Schema, conn: Connection, user_id: str) -> tuple[str | None, _Grants]:
    """(profile id, the folded grants) of one user."""
    users = schema.table(schema.object("User"))
    sets = schema.table(schema.object("PermissionSet"))
    psa = schema.table(schema.object("PermissionSetAssignment"))
    comp = schema.table(schema.object("PermissionSetGroupComponent"))
    profile_id = conn.execute(sa.select(users.c.profileid).where(users.c.id == user_id)).scalar()
    direct: set[str] = set()
    if profile_id is not None:
        direct |= set(conn.execute(sa.select(sets.c.id).where(
            sets.c.profileid == profile_id, sets.c.isownedbyprofile.is_(True))).scalars())  # fmt: skip
    groups: set[str] = set()
    for r in conn.execute(
        sa.select(psa.c.permissionsetid, psa.c.permissionsetgroupid).where(
            psa.c.assigneeid == user_id, psa.c.isdeleted.is_(False)
        )
    ):
        if r.permissionsetgroupid:
            groups.add(r.permissionsetgroupid)
        elif r.permissionsetid:
            direct.add(r.permissionsetid)
    total = _grants_of(schema, conn, direct, "PermissionSet")
    for group in sorted(groups):
        members = list(conn.execute(sa.select(comp.c.permissionsetid).where(
            comp.c.permissionsetgroupid == group, comp.c.isdeleted.is_(False))).scalars())  # fmt: skip
        muting = [m for m in members if m.startswith("0QM")]
        plain = [m for m in members if not m.startswith("0QM")]
        total.add(
            _grants_of(schema, conn, plain, "PermissionSet"),
            _grants_of(schema, conn, muting, "MutingPermissionSet"),
        )
    return profile_id, total


def build_principal(schema: Schema, user_id: str, profile_id: str | None, g: _Grants) -> Principal:
    """The Principal of folded grants; its fingerprint hashes exactly those grants."""
    objects = {}
    for name, flags in g.objects.items():
        full = _implied(flags)
        objects[name] = ObjectAccess(*(f in full for f in _OBJECT_FLAGS))
    fields = {}
    for name, flags in g.fields.items():
        fields[name] = FieldAccess("read" in flags or "edit" in flags, "edit" in flags)
    # The permissionable fields of every object the user can reach: those without a
    # FieldPermissions grant are hidden (Principal.field).
    permissionable_by_object = {}
    for name in objects:
        obj = schema.get(name)
        if obj is not None:
            permissionable_by_object[name] = frozenset(
                f.name.lower() for f in obj.fields.values() if permissionable(f)
            )
    digest = hashlib.sha256()
    for name in sorted(objects):
        digest.update(f"o:{name}:{sorted(_implied(g.objects[name]))}".encode())
    for name in sorted(fields):
        digest.update(f"f:{name}:{fields[name].read}{fields[name].edit}".encode())
    digest.update(f"s:{sorted(g.system)}:{schema.version}".encode())
    return Principal(
        user_id,
        profile_id,
        view_all_data="viewalldata" in g.system,
        modify_all_data="modifyalldata" in g.system,
        api_enabled="apienabled" in g.system,
        objects=MappingProxyType(objects),
        fields=MappingProxyType(fields),
        permissionable=MappingProxyType(permissionable_by_object),
        fingerprint=digest.hexdigest()[:24],
    )


class Permissions:
    """Principals of users, cached until a permission or user change commits."""

    def __init__(self, store: Store, schema: Schema, sessions: SessionCache) -> None:
        self.store = store
        self.schema = schema
        self.sessions = sessions
        self._entries: dict[str, tuple[int, int, Principal]] = {}
        self._lock = threading.Lock()

    def principal_for(self, user_id: str) -> Principal:
        generation = self.sessions.generation()
        version = self.schema.version
        hit = self._entries.get(user_id)
        if hit is not None and hit[0] == generation and hit[1] == version and self.sessions.usable:
            return hit[2]
        with self.store.read() as conn:
            profile_id, grants = effective_grants(self.schema, conn, user_id)
        principal = build_principal(self.schema, user_id, profile_id, grants)
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[user_id] = (generation, version, principal)
        return principal


def changes_access(object_name: str) -> bool:
    """Whether writing a record of this object can change some user's access."""
    return object_name in PERMISSION_OBJECTS or object_name == "User"


__all__ = ["Permissions", "build_principal", "changes_access", "effective_grants"]
