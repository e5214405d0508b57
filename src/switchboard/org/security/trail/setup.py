"""SetupAuditTrail: one row for each change to the org's setup, in the changer's
transaction (a deploy, a user, a connected app, a secret, a permission set assignment).

Actions carry the names Salesforce's Setup Audit Trail gives them where we know them
(``createduser``, ``PermSetAssign``, ...); Display is the sentence a person reads.
Writers that only hold a connection (connected apps, secrets) use :func:`write_setup`;
``created_by`` defaults to the org's bootstrapped admin, on whose behalf the
``switchboard`` command acts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ....core import clock, ids
from ....store import internal
from .tables import object_table

if TYPE_CHECKING:
    from ...runtime import Org

# Actions, as the Setup Audit Trail names them.
USER_CREATED = "createduser"
USER_CHANGED = "changedUser"
USER_ACTIVATED = "activateduser"
USER_DEACTIVATED = "deactivateduser"
PERMSET_ASSIGN = "PermSetAssign"
PERMSET_UNASSIGN = "PermSetUnassign"
APP_CREATED = "insertConnectedApplication"
APP_CHANGED = "updateConnectedApplication"
APP_SECRET_ROTATED = "changedConnectedAppConsumerSecret"
DEPLOYED = "deploymentDeploy"
SECRET_SET = "changedNamedCredential"
PERSONAL_DATA_ERASED = "personalDataErased"
# Salesforce's Key Management page logs tenant secret changes; the action's API name is
# not in the docs we have, so this one is ours, in the same style.
KEY_ROTATED = "rotatedTenantSecret"

# Sections of the Setup menu these happen in.
MANAGE_USERS = "Manage Users"
CONNECTED_APPS = "Connected Apps"
DEPLOYMENT = "Deployment"
NAMED_CREDENTIALS = "Named Credentials"
DATA_MANAGEMENT = "Data Management"
PLATFORM_ENCRYPTION = "Platform Encryption"

_DISPLAY_MAX = 1000


def _admin(conn: Connection) -> str:
    m = internal.meta
    value = conn.execute(sa.select(m.c.value).where(m.c.key == "admin_user_id")).scalar()
    return str(value or "")


def write_setup(
    conn: Connection,
    action: str,
    section: str,
    display: str,
    created_by: str | None = None,
    *,
    context: str | None = None,
    delegate_user: str | None = None,
    namespace: str | None = None,
) -> str:
    """Append one SetupAuditTrail row in the caller's transaction; its id."""
    now = clock.now()
    by = created_by or _admin(conn)
    row: dict[str, Any] = {
        "id": ids.new_id("0Ym"),
        "isdeleted": False,
        "createddate": now,
        "createdbyid": by,
        "lastmodifieddate": now,
        "lastmodifiedbyid": by,
        "systemmodstamp": now,
        "action": action,
        "section": section,
        "display": display[:_DISPLAY_MAX],
        "createdbycontext": context,
        "delegateuser": delegate_user,
        "responsiblenamespaceprefix": namespace,
    }
    conn.execute(object_table("SetupAuditTrail").insert().values(**row))
    return str(row["id"])


def record_setup(
    org: Org,
    action: str,
    section: str,
    display: str,
    created_by: str | None = None,
    **kw: Any,
) -> str:
    """:func:`write_setup` in a transaction of its own."""
    return org.store.write(lambda c: write_setup(c, action, section, display, created_by, **kw))


def record_assignment(
    conn: Connection,
    *,
    permission_set: str,
    user_id: str,
    username: str,
    assigned_by: str | None = None,
    assigned: bool = True,
) -> str:
    """The SetupAuditTrail row of a permission set (or group) assigned to or removed from
    a user, in the transaction that writes the PermissionSetAssignment."""
    if assigned:
        action = PERMSET_ASSIGN
        display = (
            f"Permission set {permission_set}: assigned to user {username} (UserId: {user_id})"
        )
    else:
        action = PERMSET_UNASSIGN
        display = (
            f"Permission set {permission_set}: unassigned from user {username} (UserId: {user_id})"
        )
    return write_setup(conn, action, MANAGE_USERS, display, assigned_by)


__all__ = [
    "APP_CHANGED",
    "APP_CREATED",
    "APP_SECRET_ROTATED",
    "CONNECTED_APPS",
    "DATA_MANAGEMENT",
    "DEPLOYED",
    "DEPLOYMENT",
    "KEY_ROTATED",
    "MANAGE_USERS",
    "NAMED_CREDENTIALS",
    "PERMSET_ASSIGN",
    "PERMSET_UNASSIGN",
    "PERSONAL_DATA_ERASED",
    "PLATFORM_ENCRYPTION",
    "SECRET_SET",
    "USER_ACTIVATED",
    "USER_CHANGED",
    "USER_CREATED",
    "USER_DEACTIVATED",
    "record_assignment",
    "record_setup",
    "write_setup",
]
