"""Deploying an SFDX project's permission metadata into the org.

A permission set, muting permission set or group deploys by name: created when new,
otherwise its grants are replaced by the source's (a deploy states the whole set, as
the Metadata API treats it). A profile's source changes only the objects and fields it
names, in the profile's own permission set (profiles in source are usually partial);
a profile the org does not have is created with no other access. Grants naming an
object or field the org does not have fail the deploy, naming the file's entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..identity.sessions import mark_changed
from ..schema.model import FieldType, ObjectDef
from ..schema.registry import Schema
from ..schema.sfdx.permissions import PermissionSetSource, PermissionSource
from .errors import InvalidPermissionSource
from .profiles import _row, profile_set_name

_ADDRESS_PARTS = ("Street", "City", "State", "PostalCode", "Country", "Latitude", "Longitude",
                  "GeocodeAccuracy")  # fmt: skip



@dataclass(slots=True)
class PermissionsDeployed:
    permission_sets: int = 0
    muting_permission_sets: int = 0
    groups: int = 0
    profiles: int = 0


def _t(schema: Schema, name: str) -> sa.Table:
    return schema.table(schema.object(name))


def _object(schema: Schema, name: str) -> ObjectDef:
    obj = schema.get(name)
    if obj is None:
        raise InvalidPermissionSource(f"no such object: {name}", fields=["object"])
    return obj


def _expanded_fields(schema: Schema, written: str) -> tuple[ObjectDef, list[str]]:
    """The object and the stored fields one fieldPermissions entry stands for."""
    obj_name, _, field_name = written.partition(".")
    obj = _object(schema, obj_name)
    fd = obj.field(field_name)
    if fd is None:
        raise InvalidPermissionSource(f"no such field: {written}", fields=["field"])
    if fd.type == FieldType.ADDRESS:
        prefix = fd.name[: -len("Address")]
        names = [p for p in (prefix + s for s in _ADDRESS_PARTS) if obj.field(p) is not None]
        return obj, [obj.field(n).name for n in names]  # type: ignore[union-attr]
    if fd.type == FieldType.LOCATION:
        return obj, [f.name for f in obj.compound_parts(fd)]
    return obj, [fd.name]


def _write_grants(
    schema: Schema, conn: Connection, set_id: str, src: PermissionSetSource, by: str,
    *, replace: bool,
) -> None:  # fmt: skip
    op, fp = _t(schema, "ObjectPermissions"), _t(schema, "FieldPermissions")
    if replace:
        conn.execute(op.delete().where(op.c.parentid == set_id))
        conn.execute(fp.delete().where(fp.c.parentid == set_id))
    for g in src.objects:
        obj = _object(schema, g.object)
        conn.execute(op.delete().where(op.c.parentid == set_id, op.c.sobjecttype == obj.name))
        _row(schema, conn, "ObjectPermissions", {
            "ParentId": set_id, "SobjectType": obj.name, "PermissionsRead": g.read,
            "PermissionsCreate": g.create, "PermissionsEdit": g.edit,
            "PermissionsDelete": g.delete, "PermissionsViewAllRecords": g.view_all,
            "PermissionsModifyAllRecords": g.modify_all,
        }, by)  # fmt: skip
    for fg in src.fields:
        obj, names = _expanded_fields(schema, fg.field)
        for name in names:
            full = f"{obj.name}.{name}"
            conn.execute(fp.delete().where(fp.c.parentid == set_id, fp.c.field == full))
            _row(schema, conn, "FieldPermissions", {
                "ParentId": set_id, "SobjectType": obj.name, "Field": full,
                "PermissionsRead": fg.read, "PermissionsEdit": fg.edit,
            }, by)  # fmt: skip


def _system_values(src: PermissionSetSource, keep: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for perm in ("ViewAllData", "ModifyAllData", "ApiEnabled", "ApiUserOnly"):
        if perm in src.system:
            out[f"permissions{perm.lower()}"] = src.system[perm]
        elif keep is None:
            out[f"permissions{perm.lower()}"] = False
    return out


def _upsert_set(schema: Schema, conn: Connection, src: PermissionSetSource, by: str) -> str:
    kind = src.kind
    t = _t(schema, kind)
    name_col = t.c.name if kind == "PermissionSet" else t.c.developername
    found = conn.execute(
        sa.select(t.c.id).where(sa.func.lower(name_col) == src.name.lower())
    ).scalar()
    system = _system_values(src)
    if found is None:
        values: dict[str, Any] = {k: v for k, v in system.items()}
        if kind == "PermissionSet":
            values.update(name=src.name, label=src.label, isownedbyprofile=False)
        else:
            values.update(developername=src.name, masterlabel=src.label)
        values["description"] = src.description
        return _row(schema, conn, kind, values, by)
    label = {"label": src.label} if kind == "PermissionSet" else {"masterlabel": src.label}
    conn.execute(t.update().where(t.c.id == found).values(
        description=src.description, **label, **system))  # fmt: skip
    return str(found)


def _profile_set(schema: Schema, conn: Connection, src: PermissionSetSource, by: str) -> str:
    profiles, sets = _t(schema, "Profile"), _t(schema, "PermissionSet")
    pid = conn.execute(
        sa.select(profiles.c.id).where(sa.func.lower(profiles.c.name) == src.name.lower())
    ).scalar()
    if pid is None:
        pid = _row(schema, conn, "Profile", {"Name": src.name, "UserType": "Standard"}, by)
    set_id = conn.execute(sa.select(sets.c.id).where(
        sets.c.profileid == pid, sets.c.isownedbyprofile.is_(True))).scalar()  # fmt: skip
    if set_id is None:
        values = {"Name": profile_set_name(src.name), "Label": src.name,
                  "IsOwnedByProfile": True, "ProfileId": pid}  # fmt: skip
        values.update({k: v for k, v in _system_values(src).items()})
        return _row(schema, conn, "PermissionSet", values, by)
    system = _system_values(src, keep={})
    if system:
        conn.execute(sets.update().where(sets.c.id == set_id).values(**system))
    return str(set_id)


def deploy_permissions(
    schema: Schema, conn: Connection, source: PermissionSource, by: str
) -> PermissionsDeployed:
    """Apply the project's permission metadata in one transaction."""
    out = PermissionsDeployed()
    ids_by_name: dict[tuple[str, str], str] = {}
    for src in source.sets:
        if src.kind == "Profile":
            set_id = _profile_set(schema, conn, src, by)
            _write_grants(schema, conn, set_id, src, by, replace=False)
            out.profiles += 1
            continue
        set_id = _upsert_set(schema, conn, src, by)
        _write_grants(schema, conn, set_id, src, by, replace=True)
        ids_by_name[(src.kind, src.name.lower())] = set_id
        if src.kind == "PermissionSet":
            out.permission_sets += 1
        else:
            out.muting_permission_sets += 1
    groups, comp = _t(schema, "PermissionSetGroup"), _t(schema, "PermissionSetGroupComponent")
    for g in source.groups:
        gid = conn.execute(sa.select(groups.c.id).where(
            sa.func.lower(groups.c.developername) == g.name.lower())).scalar()  # fmt: skip
        if gid is None:
            gid = _row(schema, conn, "PermissionSetGroup", {
                "DeveloperName": g.name, "MasterLabel": g.label, "Description": g.description,
                "Status": "Updated",
            }, by)  # fmt: skip
        conn.execute(comp.delete().where(comp.c.permissionsetgroupid == gid))
        for kind, names in (("PermissionSet", g.permission_sets),
                            ("MutingPermissionSet", g.muting_permission_sets)):  # fmt: skip
            for name in names:
                member = ids_by_name.get((kind, name.lower())) or _existing(
                    schema, conn, kind, name
                )
                _row(schema, conn, "PermissionSetGroupComponent",
                     {"PermissionSetGroupId": gid, "PermissionSetId": member}, by)  # fmt: skip
        out.groups += 1
    if source:
        mark_changed(conn)
    return out


def _existing(schema: Schema, conn: Connection, kind: str, name: str) -> str:
    t = _t(schema, kind)
    col = t.c.name if kind == "PermissionSet" else t.c.developername
    found = conn.execute(sa.select(t.c.id).where(sa.func.lower(col) == name.lower())).scalar()
    if found is None:
        raise InvalidPermissionSource(
            f"permission set group names a {kind} that does not exist: {name}",
            fields=["permissionSets"],
        )
    return str(found)


__all__ = ["InvalidPermissionSource", "PermissionsDeployed", "deploy_permissions"]
