"""jsforce (Node, unmodified, from .tools/jsforce) logs in over SOAP, queries, creates,
runs a Bulk API 2.0 load and receives a change event over CometD."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from support.databases import services_required
from support.server import Server, free_port

ROOT = Path(__file__).resolve().parents[2]
MODULES = ROOT / ".tools" / "jsforce" / "node_modules"
FLOW = Path(__file__).with_name("jsforce_flow.js")


def _jsforce() -> Path:
    """node_modules holding jsforce, installed now (as .ci/run does) if missing."""
    if not (MODULES / "jsforce").is_dir() and shutil.which("npm"):
        target = MODULES.parent
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "tools" / "jsforce" / "package.json", target / "package.json")
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=target, capture_output=True, timeout=300)  # fmt: skip
    if not (MODULES / "jsforce").is_dir() or not shutil.which("node"):
        if services_required():
            pytest.fail(f"jsforce is not installed in {MODULES} (npm/node missing or offline)")
        pytest.skip(f"jsforce is not installed in {MODULES}; .ci/run installs it")
    return MODULES


def test_jsforce_end_to_end(tmp_path: Path, local_ca: Path) -> None:
    modules = _jsforce()
    server = Server(data_dir=tmp_path / "org", db="", port=free_port(), ca_dir=local_ca).start()
    try:
        done = subprocess.run(
            ["node", str(FLOW), server.instance_url, server.username, server.password],
            capture_output=True, text=True, timeout=180,
            env={**os.environ, "NODE_PATH": str(modules), "NODE_EXTRA_CA_CERTS": server.ca},
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        out = json.loads(done.stdout.strip().splitlines()[-1])
        assert out["login"]["instanceUrl"] == server.instance_url
        assert out["create"]["success"] is True
        assert out["query"] == {"totalSize": 1, "name": out["event"]["name"]}
        assert out["bulk"] == {"successful": 50, "failed": 0, "unprocessed": 0}
        assert out["bulkCount"] == 50
        assert out["event"]["changeType"] == "CREATE"
        assert out["event"]["recordIds"] == [out["create"]["id"]]
    finally:
        server.stop()
