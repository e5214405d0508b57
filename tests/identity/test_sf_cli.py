"""The official Salesforce CLI logs in with an access token and displays the org.

Skipped unless ``sf`` is installed (on PATH, or named by SWITCHBOARD_SF_CLI). To install
it on Node 20: a package.json with ``"dependencies": {"@salesforce/cli": "*"}`` and
``"overrides": {"undici": "<7"}``, then ``npm install`` (about a minute, 719 packages).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.identity import Idp
from support.server import Server, free_port

SF = os.environ.get("SWITCHBOARD_SF_CLI") or shutil.which("sf")
pytestmark = pytest.mark.skipif(not SF, reason="the Salesforce CLI (sf) is not installed")


def _sf(home: Path, ca: str, *args: str, token: str | None = None) -> dict:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "NODE_EXTRA_CA_CERTS": ca,
        "SF_DISABLE_TELEMETRY": "true",
        "SF_AUTOUPDATE_DISABLE": "true",
        "SF_SKIP_NEW_VERSION_CHECK": "true",
        "SF_USE_GENERIC_UNIX_KEYCHAIN": "true",
    }
    if token:
        env["SF_ACCESS_TOKEN"] = token
    assert SF is not None
    done = subprocess.run(
        [SF, *args, "--json"], env=env, capture_output=True, text=True, timeout=180
    )
    out = json.loads(done.stdout or "{}")
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, local_ca: Path) -> Iterator[Server]:
    """One backend is enough for the CLI's own behaviour: SQLite only."""
    tmp = tmp_path_factory.mktemp("sf-cli")
    srv = Server(
        data_dir=tmp, db=f"sqlite:///{tmp / 'org.db'}", port=free_port(), ca_dir=local_ca
    ).start()
    yield srv
    srv.stop()


def test_sf_login_access_token_and_display(idp: Idp, tmp_path: Path) -> None:
    body = idp.password_grant().json()
    ca = str(Path(os.environ["SSL_CERT_FILE"]))
    login = _sf(
        tmp_path,
        ca,
        "org",
        "login",
        "access-token",
        "--instance-url",
        idp.url,
        "--no-prompt",
        token=body["access_token"],
    )
    assert login["result"]["username"] == idp.server.username
    shown = _sf(tmp_path, ca, "org", "display", "--target-org", idp.server.username)
    result = shown["result"]
    assert result["instanceUrl"].rstrip("/") == idp.url
    assert result["username"] == idp.server.username
    assert result["id"][:15] == body["id"].rsplit("/", 2)[-2][:15]
    assert result["connectedStatus"] == "Connected"
