"""First start: the org's id, its Organization record, an admin user and a connected app.

Credentials come from settings when given, otherwise they are generated and returned so
the caller can print them once; only their scrypt hashes are stored. There is no fixed
default password.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...core import clock, ids
from ...core.settings import Settings
from ...store import internal
from ..schema.registry import Schema
from . import tables as identity_tables
from .secrets import hash_secret, new_password


@dataclass(slots=True)
class Bootstrap:
    org_id: str
    admin_user_id: str
    admin_username: str
    client_id: str
    # Only what was generated on this start, to be shown once.
    generated: dict[str, str] = field(default_factory=dict)


def _meta(conn: Connection, key: str) -> str | None:
    return conn.execute(sa.select(internal.meta.c.value).where(internal.meta.c.key == key)).scalar()


def _set_meta(conn: Connection, key: str, value: str) -> None:
    conn.execute(internal.meta.insert().values(key=key, value=value))


def _system_row(
    schema: Schema, conn: Connection, obj_name: str, values: dict[str, Any], user_id: str
) -> str:
    """Insert an org-owned record directly (these objects are read-only to the API)."""
    obj = schema.object(obj_name)
    table = schema.table(obj)
    now = clock.now()
    row: dict[str, Any] = {c.name: None for c in table.columns}
    row.update(
        id=values.pop("id", None) or ids.new_id(obj.key_prefix),
        isdeleted=False,
        createddate=now,
        lastmodifieddate=now,
        systemmodstamp=now,
        createdbyid=user_id,
        lastmodifiedbyid=user_id,
    )
    if "ownerid" in table.c:
        row["ownerid"] = user_id
    for key, value in values.items():
        row[key.lower()] = value
    conn.execute(table.insert().values(**row))
    return str(row["id"])


def bootstrap(schema: Schema, conn: Connection, settings: Settings) -> Bootstrap:
    org_id = _meta(conn, "org_id")
    if org_id is not None:
        user_id = _meta(conn, "admin_user_id") or ""
        users = schema.table(schema.object("User"))
        username = conn.execute(sa.select(users.c.username).where(users.c.id == user_id)).scalar()
        return Bootstrap(org_id, user_id, username or "", _meta(conn, "client_id") or "")
    generated: dict[str, str] = {}
    org_id = ids.new_id("00D")
    user_id = ids.new_id("005")
    username = settings.admin_username or f"admin@{org_id[:15].lower()}.switchboard.local"
    password = settings.admin_password
    if not password:
        password = generated["admin_password"] = new_password()
    if not settings.admin_username:
        generated["admin_username"] = username
    client_id = settings.client_id or "3MVG" + secrets.token_urlsafe(40).replace("-", "x").replace(
        "_", "y"
    )
    client_secret = settings.client_secret
    if not settings.client_id:
        generated["client_id"] = client_id
    if not client_secret:
        client_secret = generated["client_secret"] = secrets.token_hex(32)
    _system_row(
        schema,
        conn,
        "Organization",
        {
            "id": org_id,
            "Name": "Switchboard",
            "InstanceName": "SB0",
            "IsSandbox": False,
            "OrganizationType": "Developer Edition",
            "NamespacePrefix": None,
            "LanguageLocaleKey": "en_US",
            "TimeZoneSidKey": "GMT",
            "DefaultLocaleSidKey": "en_US",
        },
        user_id,
    )
    profile_id = _system_row(schema, conn, "Profile", {"Name": "System Administrator"}, user_id)
    _system_row(
        schema,
        conn,
        "User",
        {
            "id": user_id,
            "Username": username,
            "LastName": "Admin",
            "FirstName": "Org",
            "Name": "Org Admin",
            "Email": f"admin@{org_id[:15].lower()}.switchboard.local",
            "Alias": "admin",
            "IsActive": True,
            "ProfileId": profile_id,
            "TimeZoneSidKey": "GMT",
            "LocaleSidKey": "en_US",
            "EmailEncodingKey": "UTF-8",
            "LanguageLocaleKey": "en_US",
            "UserType": "Standard",
            "CommunityNickname": "admin",
        },
        user_id,
    )
    conn.execute(
        identity_tables.credential.insert().values(
            user_id=user_id, password_hash=hash_secret(password), failed_logins=0, locked_until=None
        )
    )
    conn.execute(
        identity_tables.app.insert().values(
            client_id=client_id,
            name="Switchboard CLI",
            secret_hash=hash_secret(client_secret),
            run_as_user_id=user_id,
            settings="{}",
            created_at=clock.now(),
        )
    )
    for key, value in (("org_id", org_id), ("admin_user_id", user_id), ("client_id", client_id)):
        _set_meta(conn, key, value)
    return Bootstrap(org_id, user_id, username, client_id, generated)


__all__ = ["Bootstrap", "bootstrap"]
