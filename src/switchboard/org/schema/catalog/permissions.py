"""What a user may do: permission sets, their groups, assignments, and the object and
field permissions they hold.

Profiles own a permission set each (``IsOwnedByProfile``), as in Salesforce, so one
set of tables describes every grant; :mod:`org.security.permissions` folds them into a
:class:`~switchboard.org.security.principal.Principal`. The object and field names
in ``ObjectPermissions.SobjectType`` and ``FieldPermissions.Field`` are API names as
written (``Account``, ``Account.Phone``); they are matched case-insensitively.
"""

from __future__ import annotations

from ..model import FieldDef, ObjectDef
from ._builders import boolean, lookup, name, sobject, text

# System permissions a permission set can hold (PermissionsX booleans). API Enabled is
# what lets a user call the APIs at all.
SYSTEM_PERMISSIONS = ("ViewAllData", "ModifyAllData", "ApiEnabled", "ApiUserOnly")


def _system_flags() -> list[FieldDef]:
    return [boolean(f"Permissions{p}") for p in SYSTEM_PERMISSIONS]


def permission_set() -> ObjectDef:
    return sobject(
        "PermissionSet",
        "Permission Set",
        "Permission Sets",
        "0PS",
        [
            name(80),
            text("Label", 80, required=True),
            text("Description", 255),
            boolean("IsOwnedByProfile", read_only=True, label="Is Owned by Profile"),
            lookup("ProfileId", "Profile", read_only=True),
            lookup("PermissionSetGroupId", "PermissionSetGroup", read_only=True),
            text("NamespacePrefix", 15, read_only=True),
            _system_flags(),
        ],
        owner=False,
        track_changes=False,
    )


def permission_set_group() -> ObjectDef:
    return sobject(
        "PermissionSetGroup",
        "Permission Set Group",
        "Permission Set Groups",
        "0PG",
        [
            text("DeveloperName", 80, required=True, label="Developer Name"),
            text("MasterLabel", 80, required=True, label="Label"),
            text("Description", 255),
            text("Status", 40, read_only=True),
        ],
        owner=False,
        track_changes=False,
    )


def muting_permission_set() -> ObjectDef:
    return sobject(
        "MutingPermissionSet",
        "Muting Permission Set",
        "Muting Permission Sets",
        "0QM",
        [
            text("DeveloperName", 80, required=True, label="Developer Name"),
            text("MasterLabel", 80, required=True, label="Label"),
            text("Description", 255),
            _system_flags(),
        ],
        owner=False,
        track_changes=False,
    )


def permission_set_group_component() -> ObjectDef:
    return sobject(
        "PermissionSetGroupComponent",
        "Permission Set Group Component",
        "Permission Set Group Components",
        "0PH",
        [
            lookup("PermissionSetGroupId", "PermissionSetGroup", required=True),
            # A component is either a permission set or a muting permission set; the
            # lookup names both, as Salesforce's PermissionSetId does.
            lookup("PermissionSetId", ("PermissionSet", "MutingPermissionSet"), required=True),
        ],
        owner=False,
        track_changes=False,
    )


def permission_set_assignment() -> ObjectDef:
    return sobject(
        "PermissionSetAssignment",
        "Permission Set Assignment",
        "Permission Set Assignments",
        "0Pa",
        [
            lookup("AssigneeId", "User", required=True),
            lookup("PermissionSetId", "PermissionSet", required=True),
            lookup("PermissionSetGroupId", "PermissionSetGroup"),
            boolean("IsActive", True, read_only=True),
        ],
        owner=False,
        track_changes=False,
    )


def object_permissions() -> ObjectDef:
    return sobject(
        "ObjectPermissions",
        "Object Permissions",
        "Object Permissions",
        "110",
        [
            lookup("ParentId", ("PermissionSet", "MutingPermissionSet"), required=True),
            text("SobjectType", 80, required=True, label="Sobject Type Name"),
            boolean("PermissionsRead", label="Read"),
            boolean("PermissionsCreate", label="Create"),
            boolean("PermissionsEdit", label="Edit"),
            boolean("PermissionsDelete", label="Delete"),
            boolean("PermissionsViewAllRecords", label="View All Records"),
            boolean("PermissionsModifyAllRecords", label="Modify All Records"),
        ],
        owner=False,
        track_changes=False,
    )


def field_permissions() -> ObjectDef:
    return sobject(
        "FieldPermissions",
        "Field Permissions",
        "Field Permissions",
        "01k",
        [
            lookup("ParentId", ("PermissionSet", "MutingPermissionSet"), required=True),
            text("SobjectType", 80, required=True, label="Sobject Type Name"),
            text("Field", 255, required=True, label="Field Name"),
            boolean("PermissionsRead", label="Read"),
            boolean("PermissionsEdit", label="Edit"),
        ],
        owner=False,
        track_changes=False,
    )


# Every object whose rows change what some user may do: a write to any of them makes
# the effective access of users stale (see org.security.permissions).
PERMISSION_OBJECTS = (
    "PermissionSet",
    "PermissionSetGroup",
    "MutingPermissionSet",
    "PermissionSetGroupComponent",
    "PermissionSetAssignment",
    "ObjectPermissions",
    "FieldPermissions",
)

OBJECTS = (
    permission_set_group,
    permission_set,
    muting_permission_set,
    permission_set_group_component,
    permission_set_assignment,
    object_permissions,
    field_permissions,
)
