"""SFDX permission metadata: permission sets, muting permission sets, permission set
groups and profiles.

    permissionsets/Name.permissionset-meta.xml              label, description,
        objectPermissions (object, allowRead/Create/Edit/Delete, viewAllRecords,
        modifyAllRecords), fieldPermissions (field Object.Field, readable, editable),
        userPermissions (name, enabled)
    mutingpermissionsets/Name.mutingpermissionset-meta.xml  the same elements: what
        they grant is what a group muting them takes away
    permissionsetgroups/Name.permissionsetgroup-meta.xml    label, permissionSets,
        mutingPermissionSets
    profiles/Name.profile-meta.xml                           objectPermissions,
        fieldPermissions, userPermissions for the profile's own permission set;
        ``Admin`` and ``Standard`` are System Administrator and Standard User

A field permission on a compound address (``Account.BillingAddress``) stands for its
components, as the setup pages treat it. Only the user permissions the org enforces are
read (View All Data, Modify All Data, API Enabled, API Only User); others are warned of.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from ..errors import SfdxError
from ._xml import Node, load

KINDS = {
    "permissionsets": ".permissionset-meta.xml",
    "mutingpermissionsets": ".mutingpermissionset-meta.xml",
    "permissionsetgroups": ".permissionsetgroup-meta.xml",
    "profiles": ".profile-meta.xml",
}
USER_PERMISSIONS = {
    "viewalldata": "ViewAllData",
    "modifyalldata": "ModifyAllData",
    "apienabled": "ApiEnabled",
    "apiuseronly": "ApiUserOnly",
}
PROFILE_FILE_NAMES = {"admin": "System Administrator", "standard": "Standard User"}


@dataclass(frozen=True, slots=True)
class ObjectGrant:
    object: str
    read: bool = False
    create: bool = False
    edit: bool = False
    delete: bool = False
    view_all: bool = False
    modify_all: bool = False


@dataclass(frozen=True, slots=True)
class FieldGrant:
    field: str  # Object.Field as written
    read: bool = False
    edit: bool = False


@dataclass
class PermissionSetSource:
    """A permission set, a muting permission set or a profile's grants."""

    name: str
    label: str
    kind: str  # PermissionSet, MutingPermissionSet or Profile
    description: str | None = None
    objects: list[ObjectGrant] = field(default_factory=list)
    fields: list[FieldGrant] = field(default_factory=list)
    system: dict[str, bool] = field(default_factory=dict)


@dataclass
class PermissionSetGroupSource:
    name: str
    label: str
    description: str | None = None
    permission_sets: list[str] = field(default_factory=list)
    muting_permission_sets: list[str] = field(default_factory=list)


@dataclass
class PermissionSource:
    sets: list[PermissionSetSource] = field(default_factory=list)
    groups: list[PermissionSetGroupSource] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sets or self.groups)


def _grants(node: Node, out: PermissionSetSource, shown: str, warnings: list[str]) -> None:
    for op in node.children("objectPermissions"):
        name = op.text("object")
        if not name:
            raise SfdxError(f"{shown}: objectPermissions without an object", path=shown)
        out.objects.append(ObjectGrant(
            name, op.flag("allowRead"), op.flag("allowCreate"), op.flag("allowEdit"),
            op.flag("allowDelete"), op.flag("viewAllRecords"), op.flag("modifyAllRecords"),
        ))  # fmt: skip
    for fp in node.children("fieldPermissions"):
        name = fp.text("field")
        if not name or "." not in name:
            raise SfdxError(
                f"{shown}: fieldPermissions field must be Object.Field, not {name!r}", path=shown
            )
        editable = fp.flag("editable")
        out.fields.append(FieldGrant(name, fp.flag("readable") or editable, editable))
    for up in node.children("userPermissions"):
        name = up.text("name") or ""
        known = USER_PERMISSIONS.get(name.lower())
        if known is None:
            warnings.append(f"{shown}: user permission {name} is not enforced by the org")
            continue
        out.system[known] = up.flag("enabled")


def _read_set(path: Path, shown: str, kind: str, suffix: str, src: PermissionSource) -> None:
    node = load(path, shown)
    name = unquote(path.name[: -len(suffix)])
    if kind == "Profile":
        name = PROFILE_FILE_NAMES.get(name.lower(), name)
    out = PermissionSetSource(name, node.text("label") or name, kind, node.text("description"))
    _grants(node, out, shown, src.warnings)
    src.sets.append(out)


def _read_group(path: Path, shown: str, suffix: str, src: PermissionSource) -> None:
    node = load(path, shown)
    name = path.name[: -len(suffix)]
    sets = [c.elem.text.strip() for c in node.children("permissionSets") if c.elem.text]
    muting = [c.elem.text.strip() for c in node.children("mutingPermissionSets") if c.elem.text]
    src.groups.append(PermissionSetGroupSource(
        name, node.text("label") or name, node.text("description"), sets, muting
    ))  # fmt: skip


def read_permissions(
    folders: Callable[[str], list[Path]], shown: Callable[[Path], str]
) -> PermissionSource:
    """Every permission file in the project's folders of each kind."""
    src = PermissionSource()
    kinds = {"permissionsets": "PermissionSet", "mutingpermissionsets": "MutingPermissionSet",
             "profiles": "Profile"}  # fmt: skip
    for folder_name, suffix in KINDS.items():
        for folder in folders(folder_name):
            for path in sorted(folder.iterdir()):
                if not path.name.endswith(suffix):
                    continue
                if folder_name == "permissionsetgroups":
                    _read_group(path, shown(path), suffix, src)
                else:
                    _read_set(path, shown(path), kinds[folder_name], suffix, src)
    return src


__all__ = [
    "FieldGrant",
    "ObjectGrant",
    "PermissionSetGroupSource",
    "PermissionSetSource",
    "PermissionSource",
    "read_permissions",
]
