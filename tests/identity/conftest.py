"""Identity fixtures: a second user, a second connected app with a callback, refresh
token rotation and a JWT certificate, on the shared per-backend server; and helpers
that speak OAuth as clients do (form posts, HTTP Basic, RS256 assertions)."""

from __future__ import annotations

import secrets

import pytest

from support.identity import CALLBACK, Idp, _kv, make_key_and_cert
from support.server import Server


@pytest.fixture(scope="module")
def idp(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Idp:
    tmp = tmp_path_factory.mktemp("idp")
    user = f"alice.{secrets.token_hex(3)}@switchboard.test"
    password = "Pw-" + secrets.token_urlsafe(12)
    added = _kv(
        server.cli(
            "user",
            "add",
            user,
            "--last-name",
            "Liddell",
            "--first-name",
            "Alice",
            "--password",
            password,
        ).stdout
    )
    app = _kv(
        server.cli(
            "app",
            "add",
            "Integration",
            "--callback-url",
            CALLBACK,
            "--run-as",
            user,
            "--rotate-refresh-tokens",
        ).stdout
    )
    key, cert = make_key_and_cert(tmp)
    server.cli("app", "add-cert", app["client_id"], str(cert))
    return Idp(
        server,
        user,
        password,
        added["security_token"],
        added["user_id"],
        app["client_id"],
        app["client_secret"],
        key,
    )
