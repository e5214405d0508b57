"""Access tokens: minted as Salesforce session ids, stored only as hashes.

A token looks like ``<15-character org id>!<random>``, the shape the Salesforce CLI
insists on. The server keeps sha256 of it; validation is one primary-key lookup joined
to the user, so revoking a token or disabling a user takes effect on the next request.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...core import clock
from ...core.errors import InvalidSession
from . import tables as identity_tables
from .secrets import token_hash


@dataclass(frozen=True, slots=True)
class Session:
    user_id: str
    org_id: str
    client_id: str | None
    expires_at: datetime | None


def mint(
    conn: Connection,
    org_id: str,
    user_id: str,
    *,
    client_id: str | None,
    lifetime_seconds: int | None,
    kind: str = "access",
) -> str:
    body = secrets.token_urlsafe(48).replace("-", "A").replace("_", "b")
    token = f"{org_id[:15]}!{body}" if kind == "access" else body
    now = clock.now()
    conn.execute(
        identity_tables.token.insert().values(
            token_hash=token_hash(token),
            kind=kind,
            user_id=user_id,
            client_id=client_id,
            issued_at=now,
            expires_at=now + timedelta(seconds=lifetime_seconds) if lifetime_seconds else None,
            revoked=False,
        )
    )
    return token


# Built once per User table (its Table object changes only when the schema is reloaded):
# constructing the statement on every request cost more than running it.
_LOOKUPS: dict[int, tuple[sa.Table, sa.Select[Any]]] = {}


def _lookup(users: sa.Table) -> sa.Select[Any]:
    hit = _LOOKUPS.get(id(users))
    if hit is not None and hit[0] is users:
        return hit[1]
    t = identity_tables.token
    stmt = (
        sa.select(t.c.user_id, t.c.client_id, t.c.expires_at, t.c.revoked, users.c.isactive)
        .join(users, users.c.id == t.c.user_id)
        .where(t.c.token_hash == sa.bindparam("h"), t.c.kind == "access")
    )
    if len(_LOOKUPS) > 64:
        _LOOKUPS.clear()
    _LOOKUPS[id(users)] = (users, stmt)
    return stmt


def validate(conn: Connection, users: sa.Table, org_id: str, token: str) -> Session:
    """The session of an access token, or INVALID_SESSION_ID."""
    row = conn.execute(_lookup(users), {"h": token_hash(token)}).first()
    if row is None or row.revoked or not row.isactive:
        raise InvalidSession()
    if row.expires_at is not None and row.expires_at <= clock.now():
        raise InvalidSession()
    return Session(row.user_id, org_id, row.client_id, row.expires_at)


__all__ = ["Session", "mint", "validate"]
