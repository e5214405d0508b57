"""The OAuth grants: each turns a request's parameters into an issued access token.

The API layer parses the form and renders the reply; everything that decides who gets
a token lives here. Salesforce's rules followed: the username-password, client
credentials and JWT bearer flows issue no refresh token; the web server flow
(authorization code) does, when the app's scope includes ``refresh_token``; a refresh
token is valid until revoked, and is replaced on use when the app asks for rotation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...core import clock
from . import apps, jwt, users
from . import tables as identity_tables
from .errors import OAuthError, invalid_grant
from .secrets import token_hash
from .sessions import mark_changed
from .tokens import mint

if TYPE_CHECKING:
    from ..runtime import Org

CODE_LIFETIME_SECONDS = 15 * 60
GRANT_JWT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@dataclass(frozen=True, slots=True)
class Issued:
    access_token: str
    refresh_token: str | None
    user_id: str
    client_id: str
    scope: str
    issued_at: datetime
    # The client secret as presented, to sign the reply with; None when none was sent.
    signing_key: str | None

    @property
    def issued_at_ms(self) -> str:
        return str(int(self.issued_at.replace(tzinfo=UTC).timestamp() * 1000))

    def signature(self, identity_url: str) -> str | None:
        """Salesforce's ``signature``: base64 HMAC-SHA256 of id + issued_at, keyed by
        the client secret; absent when the client proved itself without one (JWT)."""
        if self.signing_key is None:
            return None
        mac = hmac.new(
            self.signing_key.encode(), (identity_url + self.issued_at_ms).encode(), hashlib.sha256
        )
        return base64.b64encode(mac.digest()).decode()


def _param(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise OAuthError("invalid_request", f"missing required parameter: {name}")
    return value


def _client(org: Org, params: dict[str, str], *, secret_required: bool | None) -> apps.App:
    """The app named by client_id, its secret checked when required or presented
    (``None``: as the app's ``require_secret`` policy says, true by default)."""
    with org.store.read() as conn:
        app = apps.require(conn, params.get("client_id"))
    if secret_required is None:
        secret_required = bool(app.settings.get("require_secret", True))
    secret = params.get("client_secret")
    if secret_required or secret:
        apps.check_secret(app, secret)
    return app


def _active(org: Org, user_id: str | None) -> users.User:
    with org.store.read() as conn:
        user = users.find(conn, org.schema, user_id=user_id) if user_id else None
    if user is None or not user.is_active:
        raise invalid_grant()
    return user


def issue(
    org: Org,
    user_id: str,
    app: apps.App,
    *,
    with_refresh: bool = False,
    parent_refresh: str | None = None,
    signing_key: str | None = None,
) -> Issued:
    """Mint an access token (and a refresh token when asked) in one transaction."""
    lifetime = org.settings.session_timeout

    def work(conn: Connection) -> tuple[str, str | None]:
        access = mint(conn, org.org_id, user_id, client_id=app.client_id, lifetime_seconds=lifetime)
        refresh = parent_refresh
        if with_refresh:
            refresh = mint(
                conn,
                org.org_id,
                user_id,
                client_id=app.client_id,
                lifetime_seconds=None,
                kind="refresh",
            )
        if refresh is not None:
            conn.execute(
                identity_tables.token_link.insert().values(
                    token_hash=token_hash(access), parent_hash=token_hash(refresh)
                )
            )
        return access, refresh if with_refresh else None

    access, refresh = org.store.write(work)
    return Issued(access, refresh, user_id, app.client_id, app.scope, clock.now(), signing_key)


def password(org: Org, params: dict[str, str]) -> Issued:
    app = _client(org, params, secret_required=True)
    user = users.check_password(
        org.store, org.schema, org.settings, _param(params, "username"), params.get("password", "")
    )
    return issue(org, user.id, app, signing_key=params["client_secret"])


def client_credentials(org: Org, params: dict[str, str]) -> Issued:
    app = _client(org, params, secret_required=True)
    if not app.run_as_user_id:
        raise invalid_grant("no client credentials user enabled")
    user = _active(org, app.run_as_user_id)
    return issue(org, user.id, app, signing_key=params["client_secret"])


def jwt_bearer(org: Org, params: dict[str, str], audience: str) -> Issued:
    assertion = _param(params, "assertion")
    _, claims, _, _ = jwt.parse(assertion)
    with org.store.read() as conn:
        app = apps.require(conn, claims.iss)
    if not app.certificates:
        raise invalid_grant("invalid assertion")
    jwt.verify(assertion, app.certificates, audience, app.client_id)
    with org.store.read() as conn:
        user = users.find(conn, org.schema, username=claims.sub)
    if user is None or not user.is_active:
        raise invalid_grant("user hasn't approved this consumer")
    return issue(org, user.id, app)


def refresh_token(org: Org, params: dict[str, str]) -> Issued:
    app = _client(org, params, secret_required=None)
    old = _param(params, "refresh_token")
    t = identity_tables.token
    with org.store.read() as conn:
        row = conn.execute(
            sa.select(t.c.user_id, t.c.client_id, t.c.revoked).where(
                t.c.token_hash == token_hash(old), t.c.kind == "refresh"
            )
        ).first()
    if row is None or row.revoked or row.client_id != app.client_id:
        raise invalid_grant("expired access/refresh token")
    _active(org, row.user_id)
    if not app.rotate_refresh_tokens:
        return issue(
            org, row.user_id, app, parent_refresh=old, signing_key=params.get("client_secret")
        )
    org.store.write(
        lambda c: c.execute(
            t.update().where(t.c.token_hash == token_hash(old)).values(revoked=True)
        )
    )
    return issue(org, row.user_id, app, with_refresh=True, signing_key=params.get("client_secret"))


# -- the web server flow -----------------------------------------------------------------
def check_redirect(app: apps.App, redirect_uri: str | None) -> str:
    if not redirect_uri or redirect_uri not in app.callback_urls:
        raise OAuthError("redirect_uri_mismatch", "redirect_uri must match configuration")
    return redirect_uri


def new_code(
    org: Org,
    app: apps.App,
    user_id: str,
    redirect_uri: str,
    code_challenge: str | None,
    challenge_method: str | None,
) -> str:
    code = secrets.token_urlsafe(32)
    method = (challenge_method or "S256") if code_challenge else None
    if method not in (None, "S256", "plain"):
        raise OAuthError("invalid_request", "unsupported code_challenge_method")
    org.store.write(
        lambda c: c.execute(
            identity_tables.auth_code.insert().values(
                code_hash=token_hash(code),
                client_id=app.client_id,
                user_id=user_id,
                redirect_uri=redirect_uri,
                code_challenge=code_challenge,
                challenge_method=method,
                scope=app.scope,
                expires_at=clock.now() + timedelta(seconds=CODE_LIFETIME_SECONDS),
            )
        )
    )
    return code


def _pkce_ok(verifier: str | None, challenge: str | None, method: str | None) -> bool:
    if challenge is None:
        return True
    if not verifier:
        return False
    if method == "plain":
        return hmac.compare_digest(verifier, challenge)
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return hmac.compare_digest(digest.decode(), challenge)


def authorization_code(org: Org, params: dict[str, str]) -> Issued:
    app = _client(org, params, secret_required=None)
    code = _param(params, "code")
    ac = identity_tables.auth_code

    def take(conn: Connection):  # type: ignore[no-untyped-def]
        row = conn.execute(sa.select(ac).where(ac.c.code_hash == token_hash(code))).first()
        if row is not None:  # single use, whatever happens next
            conn.execute(ac.delete().where(ac.c.code_hash == row.code_hash))
        return row

    row = org.store.write(take)
    if row is None or row.client_id != app.client_id or row.expires_at <= clock.now():
        raise invalid_grant("invalid authorization code")
    if params.get("redirect_uri") != row.redirect_uri:
        raise OAuthError("redirect_uri_mismatch", "redirect_uri must match configuration")
    if not _pkce_ok(params.get("code_verifier"), row.code_challenge, row.challenge_method):
        raise invalid_grant("invalid code verifier")
    _active(org, row.user_id)
    with_refresh = "refresh_token" in app.scope.split() or "offline_access" in app.scope.split()
    return issue(
        org, row.user_id, app, with_refresh=with_refresh, signing_key=params.get("client_secret")
    )


GRANTS = {
    "password": password,
    "client_credentials": client_credentials,
    "refresh_token": refresh_token,
    "authorization_code": authorization_code,
}


def token(org: Org, params: dict[str, str], audience: str) -> Issued:
    """Dispatch on ``grant_type``; ``unsupported_grant_type`` for anything else."""
    grant = params.get("grant_type", "")
    if grant == GRANT_JWT:
        return jwt_bearer(org, params, audience)
    handler = GRANTS.get(grant)
    if handler is None:
        raise OAuthError("unsupported_grant_type", "grant type not supported")
    return handler(org, params)


# -- revocation and introspection --------------------------------------------------------
def revoke(org: Org, token_value: str) -> bool:
    """Revoke an access or refresh token (a refresh token takes its access tokens along)."""
    t, link = identity_tables.token, identity_tables.token_link
    h = token_hash(token_value)

    def work(conn: Connection) -> bool:
        kind = conn.execute(sa.select(t.c.kind).where(t.c.token_hash == h)).scalar()
        if kind is None:
            return False
        conn.execute(t.update().where(t.c.token_hash == h).values(revoked=True))
        mark_changed(conn)
        if kind == "refresh":
            children = sa.select(link.c.token_hash).where(link.c.parent_hash == h)
            conn.execute(t.update().where(t.c.token_hash.in_(children)).values(revoked=True))
        return True

    return bool(org.store.write(work))


def introspect(org: Org, token_value: str, caller: apps.App) -> dict[str, object]:
    """RFC 7662 for ``caller``: as in Salesforce, an app sees only tokens issued to it
    unless its ``introspect_all`` policy is set; any other token reads as inactive."""
    t = identity_tables.token
    u = users.users_table(org.schema)
    with org.store.read() as conn:
        row = conn.execute(
            sa.select(t, u.c.username, u.c.isactive)
            .join(u, u.c.id == t.c.user_id)
            .where(t.c.token_hash == token_hash(token_value))
        ).first()
    now = clock.now()
    if (
        row is None
        or row.revoked
        or not row.isactive
        or (row.expires_at is not None and row.expires_at <= now)
        or (row.client_id != caller.client_id and not caller.settings.get("introspect_all"))
    ):
        return {"active": False}

    def epoch(d: datetime) -> int:
        return int(d.replace(tzinfo=UTC).timestamp())

    out: dict[str, object] = {
        "active": True,
        "scope": apps.DEFAULT_SCOPE,
        "client_id": row.client_id,
        "username": row.username,
        "sub": row.user_id,
        "token_type": "access_token" if row.kind == "access" else "refresh_token",
        "iat": epoch(row.issued_at),
        "nbf": epoch(row.issued_at),
    }
    if row.expires_at is not None:
        out["exp"] = epoch(row.expires_at)
    return out


__all__ = [
    "GRANT_JWT",
    "GRANTS",
    "Issued",
    "check_redirect",
    "introspect",
    "issue",
    "new_code",
    "revoke",
    "token",
]
