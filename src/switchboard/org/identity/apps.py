"""Connected apps: client credentials, callback URLs, JWT certificates, policies.

An app's policies live in the JSON ``settings`` column of ``sb_app``:
``callback_urls`` (list), ``certificates`` (PEM strings for the JWT bearer flow),
``rotate_refresh_tokens`` (bool), ``scope`` (what its tokens are granted) and, when
set, ``daily_api_requests`` (the app's own quota over the rolling 24 hours, overriding
the ``app_daily_api_requests`` setting; 0 means none; see ``org/usage.py``).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from cryptography import x509
from sqlalchemy.engine import Connection

from ...core import clock
from ..security.trail import setup
from . import tables as identity_tables
from .errors import invalid_client, invalid_client_id
from .secrets import hash_secret, verify_secret

DEFAULT_SCOPE = "api refresh_token id"


@dataclass(slots=True)
class App:
    client_id: str
    name: str
    secret_hash: str
    run_as_user_id: str | None
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def callback_urls(self) -> list[str]:
        return list(self.settings.get("callback_urls", []))

    @property
    def certificates(self) -> list[str]:
        return list(self.settings.get("certificates", []))

    @property
    def rotate_refresh_tokens(self) -> bool:
        return bool(self.settings.get("rotate_refresh_tokens", False))

    @property
    def scope(self) -> str:
        return str(self.settings.get("scope", DEFAULT_SCOPE))

    @property
    def daily_api_requests(self) -> int | None:
        """The app's own quota; None when the org-wide default applies."""
        own = self.settings.get("daily_api_requests")
        return None if own is None else int(own)


def get(conn: Connection, client_id: str) -> App | None:
    a = identity_tables.app
    row = conn.execute(sa.select(a).where(a.c.client_id == client_id)).first()
    if row is None:
        return None
    return App(
        row.client_id,
        row.name,
        row.secret_hash,
        row.run_as_user_id,
        json.loads(row.settings or "{}"),
    )


def require(conn: Connection, client_id: str | None) -> App:
    """The app of ``client_id``, or ``invalid_client_id``."""
    app = get(conn, client_id) if client_id else None
    if app is None:
        raise invalid_client_id()
    return app


def check_secret(app: App, client_secret: str | None) -> None:
    """``invalid_client`` unless the secret is the app's (scrypt, constant time)."""
    if not client_secret or not verify_secret(client_secret, app.secret_hash):
        raise invalid_client()


def new_client_id() -> str:
    return "3MVG" + secrets.token_urlsafe(40).replace("-", "x").replace("_", "y")


def new_client_secret() -> str:
    return secrets.token_hex(32)


def add(
    conn: Connection,
    name: str,
    *,
    run_as_user_id: str | None,
    callback_urls: list[str] | None = None,
    rotate_refresh_tokens: bool = False,
    client_id: str | None = None,
    client_secret: str | None = None,
    daily_api_requests: int | None = None,
) -> tuple[str, str]:
    """Register an app; returns (client id, client secret), the secret shown only now."""
    client_id = client_id or new_client_id()
    client_secret = client_secret or new_client_secret()
    settings = {
        "callback_urls": callback_urls or [],
        "certificates": [],
        "rotate_refresh_tokens": rotate_refresh_tokens,
        "scope": DEFAULT_SCOPE,
    }
    if daily_api_requests is not None:
        settings["daily_api_requests"] = daily_api_requests
    conn.execute(
        identity_tables.app.insert().values(
            client_id=client_id,
            name=name,
            secret_hash=hash_secret(client_secret),
            run_as_user_id=run_as_user_id,
            settings=json.dumps(settings),
            created_at=clock.now(),
        )
    )
    setup.write_setup(
        conn, setup.APP_CREATED, setup.CONNECTED_APPS, f"Created connected app {name}"
    )
    return client_id, client_secret


def _save_settings(conn: Connection, app: App) -> None:
    a = identity_tables.app
    conn.execute(
        a.update().where(a.c.client_id == app.client_id).values(settings=json.dumps(app.settings))
    )


def update(conn: Connection, client_id: str, **changes: Any) -> App:
    """Change policies (callback_urls, rotate_refresh_tokens, scope, daily_api_requests)."""
    app = require(conn, client_id)
    given = {k: v for k, v in changes.items() if v is not None}
    app.settings.update(given)
    _save_settings(conn, app)
    setup.write_setup(
        conn,
        setup.APP_CHANGED,
        setup.CONNECTED_APPS,
        f"Changed connected app {app.name}: {', '.join(sorted(given)) or 'nothing'}",
    )
    return app


def rotate_secret(conn: Connection, client_id: str) -> str:
    """A new client secret (the old one stops working); returned once."""
    require(conn, client_id)
    secret = new_client_secret()
    a = identity_tables.app
    conn.execute(
        a.update().where(a.c.client_id == client_id).values(secret_hash=hash_secret(secret))
    )
    setup.write_setup(
        conn,
        setup.APP_SECRET_ROTATED,
        setup.CONNECTED_APPS,
        f"Changed consumer secret of connected app {require(conn, client_id).name}",
    )
    return secret


def add_certificate(conn: Connection, client_id: str, pem: str) -> str:
    """Register a certificate for the JWT bearer flow; returns its subject."""
    cert = x509.load_pem_x509_certificate(pem.encode())  # refuse anything that is not one
    app = require(conn, client_id)
    certs = app.certificates
    if pem not in certs:
        certs.append(pem)
    app.settings["certificates"] = certs
    _save_settings(conn, app)
    setup.write_setup(
        conn,
        setup.APP_CHANGED,
        setup.CONNECTED_APPS,
        f"Added a digital certificate to connected app {app.name}",
    )
    return cert.subject.rfc4514_string()


def list_all(conn: Connection) -> list[App]:
    a = identity_tables.app
    rows = conn.execute(sa.select(a).order_by(a.c.created_at))
    return [
        App(r.client_id, r.name, r.secret_hash, r.run_as_user_id, json.loads(r.settings or "{}"))
        for r in rows
    ]


__all__ = [
    "DEFAULT_SCOPE",
    "App",
    "add",
    "add_certificate",
    "check_secret",
    "get",
    "list_all",
    "require",
    "rotate_secret",
    "update",
]
