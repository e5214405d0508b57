"""The official Salesforce CLI logs in with an access token and displays the org.

Skipped unless ``sf`` is installed (on PATH, or named by SWITCHBOARD_SF_CLI); see
tests/support/sf_cli.py for how to install it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.identity import Idp
from support.server import Server
from support.sf_cli import REQUIRES_SF, sf, sf_login, sqlite_server

pytestmark = REQUIRES_SF


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, local_ca: Path) -> Iterator[Server]:
    """One backend is enough for the CLI's own behaviour: SQLite only."""
    srv = sqlite_server(tmp_path_factory, local_ca, "sf-cli")
    yield srv
    srv.stop()


def test_sf_login_access_token_and_display(idp: Idp, tmp_path: Path) -> None:
    body = idp.password_grant().json()
    ca = str(Path(os.environ["SSL_CERT_FILE"]))
    login = sf_login(tmp_path, ca, idp.url, body["access_token"])
    assert login["username"] == idp.server.username
    shown = sf(tmp_path, ca, "org", "display", "--target-org", idp.server.username)
    result = shown["result"]
    assert result["instanceUrl"].rstrip("/") == idp.url
    assert result["username"] == idp.server.username
    assert result["id"][:15] == body["id"].rsplit("/", 2)[-2][:15]
    assert result["connectedStatus"] == "Connected"
