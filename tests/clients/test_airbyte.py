"""airbyte-source-salesforce, unmodified (its own venv in .tools/airbyte: it pins older
dependencies than ours), runs check, discover and an incremental read over Bulk API 2.0
(force_use_bulk_api) against the org, twice, and misses no record. Its hard-coded token
URL (login.salesforce.com) is redirected to the org at the transport by
airbyte_redirect/sitecustomize.py; everything after the token call follows the
instance_url the org returns."""

from __future__ import annotations

import json
import os
import re
import ssl
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.databases import services_required
from support.server import Server, free_port

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".tools" / "airbyte"
SOURCE = VENV / "bin" / "source-salesforce"
REDIRECT = Path(__file__).with_name("airbyte_redirect")


def _source() -> Path:
    """The connector's entry point, installed now (as .ci/run does) if missing."""
    if not SOURCE.exists():
        subprocess.run(["python3", "-m", "venv", str(VENV)], capture_output=True, timeout=120)
        reqs = ROOT / "tools" / "airbyte" / "requirements.txt"
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "-r", str(reqs)],
                       capture_output=True, timeout=600)  # fmt: skip
    if not SOURCE.exists():
        if services_required():
            pytest.fail(f"airbyte-source-salesforce is not installed in {VENV}")
        pytest.skip(f"airbyte-source-salesforce is not installed in {VENV}; .ci/run installs it")
    return SOURCE


def _messages(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


class Airbyte:
    def __init__(self, server: Server, tmp: Path, refresh_token: str) -> None:
        self.tmp = tmp
        self.env = {**os.environ, "PYTHONPATH": str(REDIRECT),
                    "SWITCHBOARD_LOGIN_REDIRECT": server.instance_url,
                    "REQUESTS_CA_BUNDLE": server.ca,
                    "SWITCHBOARD_REQUEST_LOG": str(tmp / "requests.log")}  # fmt: skip
        start = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.config = tmp / "config.json"
        self.config.write_text(json.dumps({
            "client_id": server.client_id, "client_secret": server.client_secret,
            "refresh_token": refresh_token, "start_date": start, "is_sandbox": False,
            "force_use_bulk_api": True, "stream_slice_step": "P30D",
            "streams_criteria": [{"criteria": "exacts", "value": "Account"}],
        }))  # fmt: skip

    def __call__(self, *args: str) -> list[dict[str, Any]]:
        done = subprocess.run([str(SOURCE), *args, "--config", str(self.config)],
                              capture_output=True, text=True, timeout=300, env=self.env)  # fmt: skip
        msgs = _messages(done.stdout)
        errors = [m for m in msgs if m["type"] == "TRACE" and m["trace"].get("type") == "ERROR"]
        assert done.returncode == 0 and not errors, done.stdout[-4000:] + done.stderr[-4000:]
        return msgs


def _create_accounts(server: Server, token: str, names: list[str]) -> set[str]:
    ids: set[str] = set()
    with httpx.Client(base_url=server.instance_url, verify=ssl.create_default_context(cafile=server.ca),
                      headers={"Authorization": f"Bearer {token}"}) as http:  # fmt: skip
        for i in range(0, len(names), 200):
            body = {"allOrNone": True, "records": [
                {"attributes": {"type": "Account"}, "Name": n} for n in names[i : i + 200]]}  # fmt: skip
            got = http.post("/services/data/v59.0/composite/sobjects", json=body)
            assert got.status_code == 200, got.text
            ids |= {r["id"] for r in got.json()}
    return ids


def test_airbyte_check_discover_and_incremental_bulk_read(tmp_path: Path, local_ca: Path) -> None:
    _source()
    server = Server(data_dir=tmp_path / "org", db="", port=free_port(), ca_dir=local_ca).start()
    try:
        refresh = server.cli(
            "app", "refresh-token", server.client_id, server.username
        ).stdout.strip()
        airbyte = Airbyte(server, tmp_path, refresh)
        token = server.token()
        first = _create_accounts(server, token, [f"Airbyte {i}" for i in range(450)])

        status = [m for m in airbyte("check") if m["type"] == "CONNECTION_STATUS"]
        assert status and status[0]["connectionStatus"]["status"] == "SUCCEEDED", status

        [catalog] = [m["catalog"] for m in airbyte("discover") if m["type"] == "CATALOG"]
        [account] = [s for s in catalog["streams"] if s["name"] == "Account"]
        assert "incremental" in account["supported_sync_modes"]
        configured = tmp_path / "catalog.json"
        configured.write_text(json.dumps({"streams": [{
            "stream": account, "sync_mode": "incremental", "cursor_field": ["SystemModstamp"],
            "destination_sync_mode": "append"}]}))  # fmt: skip

        msgs = airbyte("read", "--catalog", str(configured))
        got = {m["record"]["data"]["Id"] for m in msgs if m["type"] == "RECORD"}
        assert got == first  # all of them, none missed, nothing invented
        states = [m["state"] for m in msgs if m["type"] == "STATE"]
        assert states
        state_file = tmp_path / "state.json"
        state_file.write_text(json.dumps([states[-1]]))

        second = _create_accounts(server, token, [f"Airbyte later {i}" for i in range(30)])
        msgs = airbyte("read", "--catalog", str(configured), "--state", str(state_file))
        again = {m["record"]["data"]["Id"] for m in msgs if m["type"] == "RECORD"}
        assert second <= again  # the incremental read picks up every later record
        assert again - second <= first  # and re-reads at most the cursor's boundary
        requests = (tmp_path / "requests.log").read_text().splitlines()
        created = [r for r in requests if re.search(r"^POST \S+/jobs/query$", r)]
        results = [r for r in requests if re.search(r"^GET \S+/jobs/query/\w+/results", r)]
        assert len(created) >= 2 and results, requests  # both reads went through Bulk 2.0
    finally:
        server.stop()
