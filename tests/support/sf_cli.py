"""The official Salesforce CLI (``sf``) against a real server, for the tests that drive it.

``SF`` is the CLI to run: SWITCHBOARD_SF_CLI, else ``sf`` on PATH, else None (the tests
skip). To install it on Node 20: a package.json with
``"dependencies": {"@salesforce/cli": "*"}`` and ``"overrides": {"undici": "<7"}``, then
``npm install`` (about a minute, 719 packages). Each call gets a clean environment: the
given HOME (where sf keeps its auth files), NODE_EXTRA_CA_CERTS for the local CA, and no
telemetry or update checks.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce

from support.rest import deploy
from support.server import Server, free_port

SF = os.environ.get("SWITCHBOARD_SF_CLI") or shutil.which("sf")
REQUIRES_SF = pytest.mark.skipif(
    not SF,
    reason="the Salesforce CLI (sf) is not installed: set SWITCHBOARD_SF_CLI or put sf on PATH",
)


@dataclass
class SfRun:
    returncode: int
    json: dict[str, Any]
    stdout: str
    stderr: str


def sf_run(
    home: Path,
    ca: str,
    *args: str,
    token: str | None = None,
    as_json: bool = True,
    cwd: Path | None = None,
) -> SfRun:
    """``sf <args> --json`` (or without ``--json`` when not ``as_json``, leaving ``json``
    empty) with a clean environment, in ``cwd`` (where sf writes result files) when
    given; the exit code is left to the caller."""
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
    argv = [SF, *args, "--json"] if as_json else [SF, *args]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=180, cwd=cwd)
    parsed = json.loads(done.stdout or "{}") if as_json else {}
    return SfRun(done.returncode, parsed, done.stdout, done.stderr)


def sf(home: Path, ca: str, *args: str, token: str | None = None) -> dict[str, Any]:
    """``sf <args> --json``, which must succeed; its JSON output."""
    run = sf_run(home, ca, *args, token=token)
    assert run.returncode == 0, run.stdout + run.stderr
    return run.json


def sf_login(home: Path, ca: str, instance_url: str, token: str) -> dict[str, Any]:
    """``sf org login access-token`` with SF_ACCESS_TOKEN; the login's JSON result."""
    out = sf(
        home,
        ca,
        "org",
        "login",
        "access-token",
        "--instance-url",
        instance_url,
        "--no-prompt",
        token=token,
    )
    result: dict[str, Any] = out["result"]
    return result


@dataclass
class SfSession:
    """sf logged in to one org as ``username``: each command gets ``--target-org`` and
    runs in ``cwd``, where sf writes the files it is not given a path for."""

    home: Path
    ca: str
    username: str
    cwd: Path

    def run(self, *args: str, target_org: bool = True) -> SfRun:
        """``sf <args> --target-org <user> --json`` (without ``--target-org`` for the
        commands that take none, such as ``data export resume``); the exit code is left
        to the caller."""
        org = ("--target-org", self.username) if target_org else ()
        return sf_run(self.home, self.ca, *args, *org, cwd=self.cwd)

    def ok(self, *args: str, target_org: bool = True) -> Any:
        """``sf <args>``, which must succeed; the ``result`` of its JSON output."""
        run = self.run(*args, target_org=target_org)
        assert run.returncode == 0, run.stdout + run.stderr
        assert run.json["status"] == 0, run.json
        return run.json["result"]


def sf_session(server: Server, tmp_path_factory: pytest.TempPathFactory) -> SfSession:
    """A fresh HOME where sf is logged in to ``server`` as its admin, trusting the
    session's local CA (SSL_CERT_FILE), and an empty work directory."""
    home = tmp_path_factory.mktemp("sf-home")
    ca = os.environ["SSL_CERT_FILE"]
    login = sf_login(home, ca, server.instance_url, server.token())
    assert login["username"] == server.username
    return SfSession(home, ca, server.username, tmp_path_factory.mktemp("sf-work"))


def sqlite_server(
    tmp_path_factory: pytest.TempPathFactory, local_ca: Path, name: str, *, fixture: str = ""
) -> Server:
    """A started ``switchboard up --tls`` on SQLite: one backend is enough for the CLI's
    own behaviour; ``fixture`` names an SFDX project to deploy into it first."""
    tmp = tmp_path_factory.mktemp(name)
    server = Server(
        data_dir=tmp, db=f"sqlite:///{tmp / 'org.db'}", port=free_port(), ca_dir=local_ca
    ).start()
    if fixture:
        deploy(server, fixture)
    return server


def simple_salesforce(server: Server) -> Salesforce:
    """The unmodified simple-salesforce client, as the admin, beside the CLI."""
    return Salesforce(
        instance_url=server.instance_url,
        session_id=server.token(),
        session=requests.Session(),
        version="59.0",
    )


__all__ = [
    "simple_salesforce",
    "REQUIRES_SF",
    "SF",
    "SfRun",
    "SfSession",
    "sf",
    "sf_login",
    "sf_run",
    "sf_session",
    "sqlite_server",
]
