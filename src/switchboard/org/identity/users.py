"""Users: lookup by username, password checks with lockout, and management.

A password check costs one scrypt (about 50 ms) and is done outside any write
transaction, so logins never hold SQLite's single writer while hashing. Failed checks
are counted per user; ``login_max_attempts`` failures in a row lock the username for
``login_lockout_seconds``, during which even the right password fails the same way.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...core import clock, ids
from ...core.settings import Settings
from ...store.engine import Store
from ..schema.registry import Schema
from ..security.trail import setup
from . import tables as identity_tables
from .errors import LoginFailed
from .secrets import hash_secret, token_hash, verify_secret
from .sessions import mark_changed

# Salesforce security tokens are appended to the password; ours are this long.
SECURITY_TOKEN_LENGTH = 24


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the username is unknown, so that the reply takes as long."""
    return hash_secret(secrets.token_hex(16))


@dataclass(frozen=True, slots=True)
class User:
    id: str
    username: str
    first_name: str | None
    last_name: str
    email: str
    is_active: bool
    profile_id: str | None
    time_zone: str | None
    locale: str | None
    language: str | None
    user_type: str | None
    last_modified: datetime | None

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


def users_table(schema: Schema) -> sa.Table:
    return schema.table(schema.object("User"))


def _user(row: Any) -> User:
    return User(
        row.id,
        row.username,
        row.firstname,
        row.lastname,
        row.email,
        bool(row.isactive),
        row.profileid,
        row.timezonesidkey,
        row.localesidkey,
        row.languagelocalekey,
        row.usertype,
        row.lastmodifieddate,
    )


def find(
    conn: Connection, schema: Schema, *, username: str | None = None, user_id: str | None = None
) -> User | None:
    """A user by username (case-insensitive, as Salesforce) or by id."""
    u = users_table(schema)
    q = sa.select(u).where(u.c.isdeleted.is_(False))
    if username is not None:
        q = q.where(sa.func.lower(u.c.username) == username.strip().lower())
    elif user_id is not None:
        q = q.where(u.c.id == ids.to18(user_id[:15]) if ids.looks_like_id(user_id) else sa.false())
    else:
        return None
    row = conn.execute(q).first()
    return _user(row) if row is not None else None


def check_password(
    store: Store, schema: Schema, settings: Settings, username: str, password: str
) -> User:
    """The active user with this username and password (security token appended or not),
    or :class:`LoginFailed`; failures count towards the lockout."""
    c, st = identity_tables.credential, identity_tables.security_token
    with store.read() as conn:
        user = find(conn, schema, username=username)
        cred = None
        tok = None
        if user is not None:
            cred = conn.execute(sa.select(c).where(c.c.user_id == user.id)).first()
            tok = conn.execute(sa.select(st.c.token_hash).where(st.c.user_id == user.id)).scalar()
    if user is None or cred is None:
        verify_secret(password, _dummy_hash())
        raise LoginFailed()
    now = clock.now()
    if cred.locked_until is not None and cred.locked_until > now:
        raise LoginFailed(locked=True)
    candidate = password
    if tok is not None and len(password) > SECURITY_TOKEN_LENGTH:
        tail = password[-SECURITY_TOKEN_LENGTH:]
        if hmac.compare_digest(token_hash(tail), tok):
            candidate = password[:-SECURITY_TOKEN_LENGTH]
    ok = verify_secret(candidate, cred.password_hash)
    if ok and user.is_active:
        if cred.failed_logins:
            store.write(
                lambda w: w.execute(
                    c.update()
                    .where(c.c.user_id == user.id)
                    .values(failed_logins=0, locked_until=None)
                )
            )
        return user
    if not ok:
        _count_failure(store, settings, user.id)
    raise LoginFailed()


def _count_failure(store: Store, settings: Settings, user_id: str) -> None:
    c = identity_tables.credential
    limit = settings.login_max_attempts

    def work(conn: Connection) -> None:
        conn.execute(
            c.update().where(c.c.user_id == user_id).values(failed_logins=c.c.failed_logins + 1)
        )
        failed = conn.execute(sa.select(c.c.failed_logins).where(c.c.user_id == user_id)).scalar()
        if limit > 0 and (failed or 0) >= limit:
            until = clock.now() + timedelta(seconds=settings.login_lockout_seconds)
            conn.execute(
                c.update().where(c.c.user_id == user_id).values(failed_logins=0, locked_until=until)
            )

    store.write(work)


def add(
    conn: Connection,
    schema: Schema,
    username: str,
    password: str,
    *,
    last_name: str,
    first_name: str | None = None,
    email: str | None = None,
    created_by: str,
) -> tuple[str, str]:
    """Create an active user with a password; returns (user id, security token)."""
    from .bootstrap import _system_row

    u = users_table(schema)
    profile = conn.execute(sa.select(u.c.profileid).where(u.c.id == created_by)).scalar()
    alias = (first_name or "")[:1] + last_name[:4]
    user_id = _system_row(
        schema,
        conn,
        "User",
        {
            "Username": username,
            "LastName": last_name,
            "FirstName": first_name,
            "Name": " ".join(p for p in (first_name, last_name) if p),
            "Email": email or username,
            "Alias": alias.lower() or "user",
            "IsActive": True,
            "ProfileId": profile,
            "TimeZoneSidKey": "GMT",
            "LocaleSidKey": "en_US",
            "EmailEncodingKey": "UTF-8",
            "LanguageLocaleKey": "en_US",
            "UserType": "Standard",
            "CommunityNickname": username.split("@")[0][:40],
        },
        created_by,
    )
    conn.execute(
        identity_tables.credential.insert().values(
            user_id=user_id, password_hash=hash_secret(password), failed_logins=0, locked_until=None
        )
    )
    setup.write_setup(
        conn, setup.USER_CREATED, setup.MANAGE_USERS, f"Created new user {username}", created_by
    )
    return user_id, reset_security_token(conn, user_id)


def reset_security_token(conn: Connection, user_id: str) -> str:
    """A new security token for the user (the old one stops working); returned once."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    token = "".join(secrets.choice(alphabet) for _ in range(SECURITY_TOKEN_LENGTH))
    st = identity_tables.security_token
    conn.execute(st.delete().where(st.c.user_id == user_id))
    conn.execute(st.insert().values(user_id=user_id, token_hash=token_hash(token)))
    return token


def set_active(
    conn: Connection, schema: Schema, user_id: str, active: bool, *, by: str | None = None
) -> None:
    """Activate or deactivate a user; a deactivated user's tokens stop working at once.
    ``by``: who did it (default: the org's admin), for the SetupAuditTrail."""
    u = users_table(schema)
    conn.execute(
        u.update()
        .where(u.c.id == user_id)
        .values(isactive=active, lastmodifieddate=clock.now(), systemmodstamp=clock.now())
    )
    mark_changed(conn)
    username = conn.execute(sa.select(u.c.username).where(u.c.id == user_id)).scalar()
    if active:
        action, display = setup.USER_ACTIVATED, f"Activated user {username}"
    else:
        action, display = setup.USER_DEACTIVATED, f"Deactivated user {username}"
    setup.write_setup(conn, action, setup.MANAGE_USERS, display, by)


def list_all(conn: Connection, schema: Schema) -> list[User]:
    u = users_table(schema)
    rows = conn.execute(sa.select(u).where(u.c.isdeleted.is_(False)).order_by(u.c.username))
    return [_user(r) for r in rows]


__all__ = [
    "SECURITY_TOKEN_LENGTH",
    "User",
    "add",
    "check_password",
    "find",
    "list_all",
    "reset_security_token",
    "set_active",
    "users_table",
]
