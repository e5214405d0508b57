"""One caller's effective access, computed once and read by every enforcement point.

A :class:`Principal` is immutable and cheap to consult: object and field lookups are
dictionary reads keyed by lower-cased API names (names are case-insensitive on input,
as everywhere in the org). Whoever builds it (``permissions``) has already folded the
profile, the permission sets and the groups together, so enforcement code never walks
assignments itself.

``fingerprint`` identifies the access a principal grants, not the user: two users with
the same profile and permission sets share it, which is what lets compiled SOQL plans
(whose shape depends on field-level security) be cached per access rather than per user.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class ObjectAccess:
    """ObjectPermissions of one object: PermissionsRead, Create, Edit, Delete,
    ViewAllRecords and ModifyAllRecords."""

    read: bool = False
    create: bool = False
    edit: bool = False
    delete: bool = False
    view_all: bool = False
    modify_all: bool = False


@dataclass(frozen=True, slots=True)
class FieldAccess:
    """FieldPermissions of one field: PermissionsRead and PermissionsEdit."""

    read: bool = False
    edit: bool = False


FULL_OBJECT = ObjectAccess(True, True, True, True, True, True)
NO_OBJECT = ObjectAccess()
FULL_FIELD = FieldAccess(True, True)
READ_FIELD = FieldAccess(True, False)
NO_FIELD = FieldAccess()


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str
    profile_id: str | None = None
    role_id: str | None = None
    # System permissions: View All Data, Modify All Data.
    view_all_data: bool = False
    modify_all_data: bool = False
    # API Enabled: without it no API call is accepted (API_DISABLED_FOR_ORG).
    api_enabled: bool = True
    # Lower-cased object API name -> its access; objects absent here are not accessible.
    objects: Mapping[str, ObjectAccess] = field(default_factory=lambda: MappingProxyType({}))
    # Lower-cased "object.field" -> its access, for permissionable fields only; a field
    # absent here follows its object (Id, Name, required and system fields are not
    # permissionable in Salesforce: readable whenever the object is).
    fields: Mapping[str, FieldAccess] = field(default_factory=lambda: MappingProxyType({}))
    # Lower-cased names of the permissionable fields of each object the fields map
    # covers: a permissionable field without an entry is neither readable nor editable.
    permissionable: Mapping[str, frozenset[str]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    fingerprint: str = "system"
    system: bool = False

    @classmethod
    def system_user(cls, user_id: str) -> Principal:
        """The org acting as itself (bootstrap, migrations): no check applies."""
        return cls(user_id, view_all_data=True, modify_all_data=True, system=True)

    def object(self, name: str) -> ObjectAccess:
        if self.system or self.modify_all_data:
            return FULL_OBJECT
        found = self.objects.get(name.lower(), NO_OBJECT)
        if self.view_all_data and not found.view_all:
            return ObjectAccess(True, found.create, found.edit, found.delete, True,
                                found.modify_all)  # fmt: skip
        return found

    def field(self, object_name: str, field_name: str) -> FieldAccess:
        if self.system:
            return FULL_FIELD
        obj = object_name.lower()
        access = self.object(obj)
        if not access.read:
            return NO_FIELD
        name = field_name.lower()
        found = self.fields.get(f"{obj}.{name}")
        if found is not None:
            return found
        if name in self.permissionable.get(obj, frozenset()):
            return NO_FIELD
        return FULL_FIELD if access.edit else READ_FIELD

    def sees_all(self, object_name: str) -> bool:
        """Whether sharing is bypassed for reading this object."""
        return self.system or self.view_all_data or self.object(object_name).view_all

    def edits_all(self, object_name: str) -> bool:
        """Whether sharing is bypassed for changing this object."""
        return self.system or self.modify_all_data or self.object(object_name).modify_all


__all__ = [
    "FULL_FIELD",
    "FULL_OBJECT",
    "NO_FIELD",
    "NO_OBJECT",
    "READ_FIELD",
    "FieldAccess",
    "ObjectAccess",
    "Principal",
]
