"""``switchboard up`` in a real subprocess stops cleanly on SIGTERM and on SIGINT: exit
0, promptly, with what it committed intact (a bulk job finished by its worker)."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
import requests

from support.server import Server, free_port
from switchboard.core.settings import load
from switchboard.org.runtime import Org


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_cleanly_and_keeps_data(tmp_path: Path, sig: signal.Signals) -> None:
    db = f"sqlite:///{tmp_path / 'org.db'}"
    srv = Server(data_dir=tmp_path, db=db, port=free_port(), tls=False).start()
    try:
        auth = {"Authorization": f"Bearer {srv.token()}"}
        base = f"{srv.instance_url}/services/data/v59.0"
        job = requests.post(
            base + "/jobs/ingest",
            json={"object": "Account", "operation": "insert", "lineEnding": "LF"},
            headers=auth,
            timeout=10,
        ).json()
        csv = "Name\n" + "".join(f"Signal {i}\n" for i in range(50))
        put = requests.put(
            f"{base}/jobs/ingest/{job['id']}/batches",
            data=csv,
            headers={**auth, "Content-Type": "text/csv"},
            timeout=10,
        )
        assert put.status_code == 201, put.text
        requests.patch(
            f"{base}/jobs/ingest/{job['id']}",
            json={"state": "UploadComplete"},
            headers=auth,
            timeout=10,
        ).raise_for_status()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            info = requests.get(f"{base}/jobs/ingest/{job['id']}", headers=auth, timeout=10)
            if info.json()["state"] == "JobComplete":
                break
            time.sleep(0.1)
        assert info.json()["state"] == "JobComplete", info.text
        assert srv.proc is not None
        started = time.monotonic()
        srv.proc.send_signal(sig)
        code = srv.proc.wait(15)
        took = time.monotonic() - started
    finally:
        srv.stop()
    assert code == 0, "".join(srv.output)
    assert took < 8, f"stopping took {took:.1f}s"
    assert not (tmp_path / "server.json").exists()
    assert "Traceback" not in "".join(srv.output), "".join(srv.output)
    org = Org.open(load(data_dir=tmp_path, db=db))
    try:
        with org.store.read() as conn:
            n = conn.exec_driver_sql(
                "SELECT count(*) FROM o_account WHERE name LIKE 'Signal %'"
            ).scalar()
        assert n == 50
    finally:
        org.close()
