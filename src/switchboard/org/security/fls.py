"""Field-level security and object visibility as the read side asks them: which objects
a user sees, which fields of a record or a describe they may read, and what describe
says they may create and update.

Every function takes the caller's principal, None for the org's own readers (nothing is
checked); an administrator (Modify All Data) is never restricted either.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..schema.model import FieldDef, ObjectDef
from .principal import Principal

# The components an address must have readable for the address itself to be readable.
_ADDRESS_PARTS = ("Street", "City", "State", "PostalCode", "Country")


def enforced(principal: Principal | None) -> Principal | None:
    """The principal whose access applies, or None when nothing is checked."""
    if principal is None or principal.system or principal.modify_all_data:
        return None
    return principal


def can_read_object(principal: Principal | None, obj: ObjectDef) -> bool:
    p = enforced(principal)
    return p is None or p.object(obj.name).read


def _parts(obj: ObjectDef, fd: FieldDef) -> list[FieldDef]:
    if fd.type.value == "address":
        prefix = fd.name[: -len("Address")] if fd.name.endswith("Address") else ""
        return [f for f in (obj.field(prefix + s) for s in _ADDRESS_PARTS) if f is not None]
    return obj.compound_parts(fd)


def can_read(principal: Principal | None, obj: ObjectDef, fd: FieldDef) -> bool:
    """Field-level security of one field; an address is readable when its street, city,
    state, postal code and country are, a geolocation when its components are."""
    p = enforced(principal)
    if p is None:
        return True
    if fd.type.value in ("address", "location"):
        return all(p.field(obj.name, f.name).read for f in _parts(obj, fd))
    return p.field(obj.name, fd.name).read


def can_edit(principal: Principal | None, obj: ObjectDef, fd: FieldDef) -> bool:
    p = enforced(principal)
    if p is None:
        return True
    if fd.type.value in ("address", "location"):
        return all(p.field(obj.name, f.name).edit for f in _parts(obj, fd))
    found = p.fields.get(f"{obj.name.lower()}.{fd.name.lower()}")
    if found is not None:
        return found.edit
    permissionable = p.permissionable.get(obj.name.lower(), frozenset())
    return fd.name.lower() not in permissionable


def readable(
    principal: Principal | None, obj: ObjectDef, fields: Iterable[FieldDef]
) -> list[FieldDef]:
    return [f for f in fields if can_read(principal, obj, f)]


def global_entry(principal: Principal | None, entry: dict[str, Any]) -> dict[str, Any]:
    """A describeGlobal entry (or a describe's head) with the user's object access."""
    p = enforced(principal)
    if p is None:
        return entry
    access = p.object(entry["name"])
    out = dict(entry)
    out["createable"] = entry["createable"] and access.create
    out["updateable"] = entry["updateable"] and access.edit
    out["deletable"] = entry["deletable"] and access.delete
    out["undeletable"] = entry["undeletable"] and access.delete
    return out


def describe_global(principal: Principal | None, reply: dict[str, Any]) -> dict[str, Any]:
    """describeGlobal lists only the objects the user can read."""
    p = enforced(principal)
    if p is None:
        return reply
    out = dict(reply)
    out["sobjects"] = [global_entry(p, e) for e in reply["sobjects"] if p.object(e["name"]).read]
    return out


def describe(principal: Principal | None, obj: ObjectDef, reply: dict[str, Any]) -> dict[str, Any]:
    """An object describe showing only readable fields, createable and updateable as
    the user's field permissions have them."""
    p = enforced(principal)
    if p is None:
        return reply
    out = global_entry(p, reply)
    access = p.object(obj.name)
    fields = []
    for entry in reply["fields"]:
        fd = obj.field(entry["name"])
        if fd is None or not can_read(p, obj, fd):
            continue
        editable = can_edit(p, obj, fd)
        entry = dict(entry)
        entry["createable"] = entry["createable"] and editable and access.create
        entry["updateable"] = entry["updateable"] and editable and access.edit
        fields.append(entry)
    out["fields"] = fields
    out["childRelationships"] = [
        rel for rel in reply.get("childRelationships", [])
        if p.object(rel["childSObject"]).read
    ]  # fmt: skip
    return out


def change_event(
    principal: Principal | None, obj: ObjectDef, payload: dict[str, Any]
) -> dict[str, Any] | None:
    """A change event as a subscriber may see it: None when they cannot read the object,
    else without the fields they cannot read, in the body and in the header's field
    lists alike (a field name in changedFields would tell what changed)."""
    p = enforced(principal)
    if p is None:
        return payload
    if not p.object(obj.name).read:
        return None
    hidden = {f.name for f in obj.fields.values() if f.name in payload and not can_read(p, obj, f)}
    header = payload.get("ChangeEventHeader")
    if isinstance(header, dict):
        hidden |= {
            n for key in ("changedFields", "nulledFields", "diffFields")
            for n in header.get(key) or () if isinstance(n, str)
            and (fd := obj.field(n.split(".")[0])) is not None and not can_read(p, obj, fd)
        }  # fmt: skip
    if not hidden:
        return payload
    out = {k: v for k, v in payload.items() if k not in hidden}
    if isinstance(header, dict):
        header = dict(header)
        for key in ("changedFields", "nulledFields", "diffFields"):
            if isinstance(header.get(key), list):
                header[key] = [n for n in header[key] if n.split(".")[0] not in hidden]
        out["ChangeEventHeader"] = header
    return out


__all__ = [
    "can_edit",
    "change_event",
    "can_read",
    "can_read_object",
    "describe",
    "describe_global",
    "enforced",
    "global_entry",
    "readable",
]
