"""A bulk ingest job survives kill -9 of the server mid-job.

The server is killed while the job is InProgress and started again on the same data
directory and database; the job must resume (its lease runs out), complete, apply every
row exactly once and account for every row exactly once in its result files.
"""

from __future__ import annotations

import csv
import io
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from support.databases import database_url
from support.server import Server, free_port

# 50,000 rows keep the test near 30 s per backend; the 200,000 are one variable away.
ROWS = int(os.environ.get("SWITCHBOARD_BULK_CRASH_ROWS", "50000"))
REALTY = Path(__file__).parents[1] / "fixtures" / "sfdx-realty"
API = "/services/data/v59.0/jobs/ingest"


def _client(server: Server) -> httpx.Client:
    return httpx.Client(
        base_url=server.instance_url,
        headers={"Authorization": f"Bearer {server.token()}"},
        timeout=60,
    )


def _info(http: httpx.Client, job_id: str) -> dict[str, Any]:
    return dict(http.get(f"{API}/{job_id}").raise_for_status().json())


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _sa_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def test_kill_9_mid_job_then_resume(backend: str, tmp_path: Path) -> None:
    with database_url(backend, tmp_path) as db:
        server = Server(
            data_dir=tmp_path / "org",
            db=db,
            port=free_port(),
            tls=False,
            # Small chunks give the kill many chunk boundaries to land between; a short
            # lease lets the restarted server reclaim the job within seconds.
            env={"SWITCHBOARD_BULK_CHUNK_ROWS": "2000", "SWITCHBOARD_BULK_LEASE_SECONDS": "2"},
        )
        server.cli("org", "init")  # deploy acts on an existing org only
        server.cli("org", "deploy", str(REALTY))
        server.start()
        try:
            _run(server, db, tmp_path)
        finally:
            server.stop()


def _run(server: Server, db: str, tmp_path: Path) -> None:
    keys = [f"CR{i:08d}" for i in range(ROWS)]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Name", "AccountNumber", "NumberOfEmployees"])
    w.writerows([f"Crash {k}", k, i % 100] for i, k in enumerate(keys))
    with _client(server) as http:
        job = http.post(API, json={"object": "Account", "operation": "insert"}).json()
        job_id = job["id"]
        put = http.put(
            f"{API}/{job_id}/batches",
            content=buf.getvalue().encode(),
            headers={"Content-Type": "text/csv"},
        )
        assert put.status_code == 201, put.text
        http.patch(f"{API}/{job_id}", json={"state": "UploadComplete"}).raise_for_status()
        deadline = time.monotonic() + 60
        while True:
            info = _info(http, job_id)
            if info["state"] == "InProgress" and 0 < info["numberRecordsProcessed"]:
                break
            assert info["state"] in ("UploadComplete", "InProgress"), info
            assert time.monotonic() < deadline, info
            time.sleep(0.02)
    assert info["numberRecordsProcessed"] < ROWS, "the job finished before the kill"
    server.stop(kill=True)

    server.start()
    with _client(server) as http:
        deadline = time.monotonic() + 120
        while (info := _info(http, job_id))["state"] not in ("JobComplete", "Failed"):
            assert time.monotonic() < deadline, info
            time.sleep(0.2)
        assert info["state"] == "JobComplete", info
        assert info["numberRecordsProcessed"] == ROWS
        assert info["numberRecordsFailed"] == 0
        assert info["retries"] >= 1  # claimed again after the crash
        ok = _rows(http.get(f"{API}/{job_id}/successfulResults").raise_for_status().text)
        failed = _rows(http.get(f"{API}/{job_id}/failedResults").raise_for_status().text)

    # The result files name every row exactly once.
    assert not failed
    assert Counter(r["AccountNumber"] for r in ok) == Counter(keys)
    assert len({r["sf__Id"] for r in ok}) == ROWS
    assert all(r["sf__Created"] == "true" for r in ok)

    # The database holds every row exactly once, under the ids the results name.
    engine = sa.create_engine(_sa_url(db))
    try:
        with engine.connect() as conn:
            stored = dict(
                conn.execute(
                    sa.text(
                        "SELECT accountnumber, count(*) FROM o_account "
                        "WHERE accountnumber LIKE 'CR%' GROUP BY accountnumber"
                    )
                ).all()
            )
            ids = {
                r[0]
                for r in conn.execute(
                    sa.text("SELECT id FROM o_account WHERE accountnumber LIKE 'CR%'")
                )
            }
    finally:
        engine.dispose()
    assert len(stored) == ROWS and set(stored.values()) == {1}
    assert ids == {r["sf__Id"] for r in ok}
