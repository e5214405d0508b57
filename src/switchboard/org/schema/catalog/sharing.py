"""Record sharing's own objects: UserRole, the nodes of the role hierarchy.

A user's role (``User.UserRoleId``) decides whose records the user sees beyond their
own under Private sharing: managers see the records of users in roles below theirs
(``org.security.sharing``). Roles are deployed from SFDX ``roles/*.role-meta.xml``.
"""

from __future__ import annotations

from ..model import ObjectDef
from ._builders import lookup, name, sobject, text


def user_role() -> ObjectDef:
    return sobject(
        "UserRole",
        "Role",
        "Roles",
        "00E",
        [
            name(80),
            text("DeveloperName", 80, label="Role Name", unique=True, id_lookup=True),
            lookup("ParentRoleId", "UserRole", "ParentRole", "ChildRoles", label="Parent Role ID"),
            text("RollupDescription", 80, label="Description"),
        ],
        owner=False,
    )


OBJECTS = (user_role,)
