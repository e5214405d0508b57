"""The profiles every org starts with, each owning its profile permission set.

In Salesforce a profile's grants live in a permission set the profile owns
(``PermissionSet.IsOwnedByProfile``); the org keeps that shape, so a user's access is
always the union of permission sets (:mod:`.permissions`). The four profiles:

    System Administrator                     View All Data, Modify All Data, API Enabled
    Standard User                            create, read, edit and delete on the standard
                                             sales and service objects (read only on the
                                             catalog objects) and their fields, API Enabled
    Salesforce API Only System Integrations  API Enabled and API Only, nothing else: an
                                             integration user gets its access from sets
    Minimum Access - Salesforce              nothing at all

:func:`ensure_profiles` runs at every open and adds what is missing, so orgs created
before the profiles existed keep their admin (already on System Administrator) and gain
the others. It writes rows directly: these are the org's own records, made before any
user exists to make them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..identity.sessions import mark_changed
from ..schema.model import FieldDef, ObjectDef
from ..schema.registry import Schema

SYSTEM_ADMINISTRATOR = "System Administrator"
STANDARD_USER = "Standard User"
API_ONLY = "Salesforce API Only System Integrations"
MINIMUM_ACCESS = "Minimum Access - Salesforce"

# What Standard User may change, and what it may only read (price books and products
# are maintained by administrators in a default org).
_STANDARD_EDIT = (
    "Account", "Contact", "Opportunity", "OpportunityLineItem", "Lead", "Case", "Task",
    "Event", "Campaign", "CampaignMember", "Order", "OrderItem", "Contract", "Asset",
    "ContentVersion", "ContentDocument", "ContentDocumentLink", "Note", "Attachment",
)  # fmt: skip
_STANDARD_READ = ("Product2", "Pricebook2", "PricebookEntry", "User", "Profile")


@dataclass(frozen=True, slots=True)
class ProfileSpec:
    name: str
    user_license: str
    system: dict[str, bool] = field(default_factory=dict)
    edit: tuple[str, ...] = ()
    read: tuple[str, ...] = ()


PROFILES = (
    ProfileSpec(
        SYSTEM_ADMINISTRATOR,
        "Salesforce",
        {"ViewAllData": True, "ModifyAllData": True, "ApiEnabled": True},
    ),
    ProfileSpec(STANDARD_USER, "Salesforce", {"ApiEnabled": True}, _STANDARD_EDIT, _STANDARD_READ),
    ProfileSpec(API_ONLY, "Salesforce Integration", {"ApiEnabled": True, "ApiUserOnly": True}),
    ProfileSpec(MINIMUM_ACCESS, "Salesforce"),
)


def permissionable(f: FieldDef) -> bool:
    """Whether field-level security applies to a field. Salesforce leaves out the fields
    the platform needs on every record: Id, Name and its parts, audit fields, the owner,
    required fields; an address or geolocation follows its components."""
    if f.system or f.name_field or not f.stored and not f.calculated:
        return False
    if f.compound_field_name == "Name" or f.name in ("Id", "OwnerId", "IsDeleted"):
        return False
    if f.master_detail:
        return False
    return f.nillable or f.type.value == "boolean"


def _row(schema: Schema, conn: Connection, obj_name: str, values: dict[str, Any], by: str) -> str:
    from ..identity.bootstrap import _system_row

    return _system_row(schema, conn, obj_name, values, by)


def profile_set_name(profile_name: str) -> str:
    """The API name of a profile's own permission set (Salesforce generates an opaque
    one; a readable stand-in keeps queries of ``PermissionSet`` legible)."""
    return "X" + "".join(ch if ch.isalnum() else "_" for ch in profile_name)


def add_object_grants(
    schema: Schema, conn: Connection, set_id: str, obj: ObjectDef, *, edit: bool, by: str
) -> None:
    """Object permission and field permissions over every permissionable field."""
    _row(schema, conn, "ObjectPermissions", {
        "ParentId": set_id, "SobjectType": obj.name, "PermissionsRead": True,
        "PermissionsCreate": edit, "PermissionsEdit": edit, "PermissionsDelete": edit,
        "PermissionsViewAllRecords": False, "PermissionsModifyAllRecords": False,
    }, by)  # fmt: skip
    for f in obj.fields.values():
        if permissionable(f):
            writable = edit and (f.createable or f.updateable) and not f.calculated
            _row(schema, conn, "FieldPermissions", {
                "ParentId": set_id, "SobjectType": obj.name, "Field": f"{obj.name}.{f.name}",
                "PermissionsRead": True, "PermissionsEdit": writable,
            }, by)  # fmt: skip


def ensure_profiles(schema: Schema, conn: Connection, by: str) -> dict[str, str]:
    """Create the missing standard profiles and their permission sets; returns the
    profile ids by name."""
    profiles = schema.table(schema.object("Profile"))
    sets = schema.table(schema.object("PermissionSet"))
    found = {r.name: r.id for r in conn.execute(sa.select(profiles.c.name, profiles.c.id))}
    owned = {
        r.profileid
        for r in conn.execute(sa.select(sets.c.profileid).where(sets.c.isownedbyprofile.is_(True)))
    }
    changed = False
    for spec in PROFILES:
        profile_id = found.get(spec.name)
        if profile_id is None:
            profile_id = found[spec.name] = _row(
                schema, conn, "Profile", {"Name": spec.name, "UserType": "Standard"}, by
            )
        if profile_id in owned:
            continue
        changed = True
        values: dict[str, Any] = {
            "Name": profile_set_name(spec.name), "Label": spec.name, "IsOwnedByProfile": True,
            "ProfileId": profile_id,
        }  # fmt: skip
        for perm in ("ViewAllData", "ModifyAllData", "ApiEnabled", "ApiUserOnly"):
            values[f"Permissions{perm}"] = spec.system.get(perm, False)
        set_id = _row(schema, conn, "PermissionSet", values, by)
        for names, edit in ((spec.edit, True), (spec.read, False)):
            for name in names:
                obj = schema.get(name)
                if obj is not None:
                    add_object_grants(schema, conn, set_id, obj, edit=edit, by=by)
    if changed:
        mark_changed(conn)
    return found


__all__ = [
    "API_ONLY",
    "MINIMUM_ACCESS",
    "PROFILES",
    "STANDARD_USER",
    "SYSTEM_ADMINISTRATOR",
    "ProfileSpec",
    "add_object_grants",
    "ensure_profiles",
    "permissionable",
    "profile_set_name",
]
