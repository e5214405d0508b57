"""Offloading file bytes to an S3-compatible store (moto's server, started here) while
clients keep downloading them; and a kill -9 mid-offload, then resume.

SQLite only: the offload's moves are the same on both backends, and the DML rules that
differ by backend are covered by test_files_rest.py on both.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from files.filehelp import API, md5, moto_s3, session_for, store_keys
from support.server import BIN, Server, free_port
from switchboard.store import open_store

BUCKET = "switchboard-files"


@pytest.fixture(scope="module")
def s3() -> Iterator[dict[str, Any]]:
    with moto_s3(BUCKET) as (fs, options):
        yield {"fs": fs, "options": options, "url": f"s3://{BUCKET}/org"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, s3: dict[str, Any]) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("files-offload")
    stores = {"archive": {"url": s3["url"], "options": s3["options"]}}
    srv = Server(
        data_dir=tmp,
        db=f"sqlite:///{tmp / 'org.db'}",
        port=free_port(),
        tls=False,
        env={"SWITCHBOARD_FILES_STORES": json.dumps(stores)},
    ).start()
    try:
        yield srv
    finally:
        srv.stop()


def _sizes(n: int, rng: random.Random) -> list[int]:
    """Mostly small files, some tens of KB, a few of a megabyte or more."""
    out = []
    for _ in range(n):
        roll = rng.random()
        out.append(
            rng.randint(1, 2_000)
            if roll < 0.6
            else rng.randint(2_000, 60_000)
            if roll < 0.98
            else rng.randint(1_000_000, 1_500_000)
        )
    return out


def _create(http: requests.Session, server: Server, n: int, seed: int) -> dict[str, bytes]:
    """``n`` versions through sObject Collections (base64), each linked to an Account."""
    rng = random.Random(seed)
    accounts = [
        http.post(
            f"{server.instance_url}{API}/sobjects/Account",
            json={"Name": f"A{seed}-{i}"},
            timeout=30,
        ).json()["id"]
        for i in range(5)
    ]
    made: dict[str, bytes] = {}
    sizes = _sizes(n, rng)
    for start in range(0, n, 200):
        batch = [rng.randbytes(size) for size in sizes[start : start + 200]]
        records = [
            {
                "attributes": {"type": "ContentVersion"},
                "Title": f"f{seed}-{start + i}",
                "PathOnClient": f"f{start + i}.bin",
                "FirstPublishLocationId": accounts[(start + i) % len(accounts)],
                "VersionData": base64.b64encode(data).decode(),
            }
            for i, data in enumerate(batch)
        ]
        r = http.post(
            f"{server.instance_url}{API}/composite/sobjects",
            json={"allOrNone": True, "records": records},
            timeout=300,
        )
        assert r.status_code == 200, r.text[:500]
        for out, data in zip(r.json(), batch, strict=True):
            assert out["success"], out
            made[out["id"]] = data
    return made


class Downloader(threading.Thread):
    """Keeps downloading random versions and checking their bytes against the MD5 the
    record's Checksum holds (and the bytes uploaded)."""

    def __init__(self, server: Server, token: str, files: dict[str, bytes]) -> None:
        super().__init__(daemon=True)
        self.http = session_for(token)
        self.base = f"{server.instance_url}{API}/sobjects/ContentVersion/"
        self.files = list(files.items())
        self.stop = threading.Event()
        self.done = 0
        self.failures: list[str] = []

    def run(self) -> None:
        rng = random.Random(7)
        while not self.stop.is_set():
            vid, data = rng.choice(self.files)
            try:
                r = self.http.get(self.base + vid + "/VersionData", timeout=60)
                if r.status_code != 200 or md5(r.content) != md5(data):
                    self.failures.append(f"{vid}: {r.status_code} {len(r.content)}/{len(data)}")
            except requests.RequestException as exc:
                self.failures.append(f"{vid}: {exc}")
            self.done += 1


def _blob_stores(server: Server) -> dict[str, int]:
    store = open_store(server.db)
    try:
        with store.read() as conn:
            return dict(
                conn.execute(
                    sa.text("SELECT store, count(*) FROM sb_file_blob GROUP BY store")
                ).all()
            )
    finally:
        store.dispose()


def _s3_keys(s3: dict[str, Any]) -> list[str]:
    fs = s3["fs"]
    fs.invalidate_cache()
    return [p.rsplit("/", 1)[-1] for p in fs.find(s3["url"]) if "/.staging/" not in p]


def _check_all(http: requests.Session, server: Server, files: dict[str, bytes]) -> None:
    for vid, data in files.items():
        rec = http.get(
            f"{server.instance_url}{API}/sobjects/ContentVersion/{vid}", timeout=30
        ).json()
        assert rec["Checksum"] == md5(data)
        got = http.get(
            f"{server.instance_url}{API}/sobjects/ContentVersion/{vid}/VersionData", timeout=60
        )
        assert got.status_code == 200 and got.content == data, vid


def test_offload_while_downloading(server: Server, s3: dict[str, Any]) -> None:
    token = server.token()
    http = session_for(token)
    files = _create(http, server, 2000, seed=1)
    local = server.data_dir / "files"
    assert len(store_keys(local)) == 2000
    downloader = Downloader(server, token, files)
    downloader.start()
    time.sleep(0.5)
    result = server.cli("files", "offload", "--to", "archive", "--workers", "8")
    time.sleep(0.5)
    downloader.stop.set()
    downloader.join(60)
    assert "2000 of 2000 files" in result.stdout, result.stdout + result.stderr
    assert downloader.failures == [] and downloader.done > 50
    assert store_keys(local) == []
    assert sorted(_s3_keys(s3)) == sorted(set(_s3_keys(s3))) and len(_s3_keys(s3)) == 2000
    assert _blob_stores(server) == {s3["url"]: 2000}
    # Every record keeps its links and answers; verify re-reads every checksum.
    sample = dict(random.Random(3).sample(sorted(files.items()), 200))
    _check_all(http, server, sample)
    for vid in list(sample)[:20]:
        doc = http.get(
            f"{server.instance_url}{API}/sobjects/ContentVersion/{vid}", timeout=30
        ).json()["ContentDocumentId"]
        q = f"SELECT LinkedEntityId FROM ContentDocumentLink WHERE ContentDocumentId = '{doc}'"  # noqa: S608
        links = http.get(f"{server.instance_url}{API}/query", params={"q": q}, timeout=30).json()
        assert any(x["LinkedEntityId"].startswith("001") for x in links["records"])
    verified = server.cli("files", "verify")
    assert "verified 2000 files" in verified.stdout and "0 problems" in verified.stdout
    report = server.cli("files", "report").stdout
    assert "ContentVersion" in report and s3["url"] in report
    limits = http.get(f"{server.instance_url}{API}/limits", timeout=30).json()
    assert limits["FileStorageMB"]["Remaining"] == limits["FileStorageMB"]["Max"]


def test_kill_mid_offload_then_resume(server: Server, s3: dict[str, Any]) -> None:
    token = server.token()
    http = session_for(token)
    before = len(_s3_keys(s3))
    files = _create(http, server, 600, seed=2)
    store = open_store(server.db)
    with store.read() as conn:
        last_run = conn.execute(sa.text("SELECT max(id) FROM sb_file_offload")).scalar() or 0
    proc = subprocess.Popen(
        [
            str(BIN / "switchboard"),
            "files",
            "offload",
            "--to",
            "archive",
            "--workers",
            "2",
            "--data-dir",
            str(server.data_dir),
            "--db",
            server.db,
        ],
        env=server._env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with store.read() as conn:
                done = conn.execute(
                    sa.text(
                        "SELECT count(*) FROM sb_file_offload_item WHERE state = 'Done' "
                        "AND offload_id > :last"
                    ),
                    {"last": last_run},
                ).scalar()
            if done and done >= 100:
                break
            time.sleep(0.05)
        proc.kill()  # SIGKILL: no cleanup of any kind
        proc.wait(10)
        assert proc.returncode == -9
        with store.read() as conn:
            states = dict(
                conn.execute(
                    sa.text(
                        "SELECT state, count(*) FROM sb_file_offload_item "
                        "WHERE offload_id > :last GROUP BY state"
                    ),
                    {"last": last_run},
                ).all()
            )
        assert 100 <= states.get("Done", 0) < 600, states
        # Mid-way, every file still answers from wherever its row says it is.
        _check_all(http, server, dict(list(files.items())[:100]))
        result = server.cli("files", "offload", "--to", "archive")
        assert "600 of 600 files" in result.stdout, result.stdout + result.stderr
    finally:
        store.dispose()
    assert store_keys(server.data_dir / "files") == []
    keys = _s3_keys(s3)
    assert len(keys) == len(set(keys)) == before + 600
    _check_all(http, server, files)


def test_external_file_read_from_its_store(server: Server, s3: dict[str, Any]) -> None:
    """Files Connect-style: a path in a configured store linked as a version, no copy."""
    http = session_for(server.token())
    data = random.Random(11).randbytes(300_000)
    s3["fs"].pipe(f"{s3['url']}/contracts/msa.pdf", data)
    account = http.post(
        f"{server.instance_url}{API}/sobjects/Account", json={"Name": "External"}, timeout=30
    ).json()["id"]
    base = f"{server.instance_url}{API}/sobjects/ContentVersion"
    entity = {
        "Title": "MSA",
        "ContentLocation": "E",
        "ExternalDocumentInfo1": "archive",
        "ExternalDocumentInfo2": "contracts/msa.pdf",
        "FirstPublishLocationId": account,
    }
    r = http.post(base, json=entity, timeout=30)
    assert r.status_code == 201, r.text
    vid = r.json()["id"]
    rec = http.get(f"{base}/{vid}", timeout=30).json()
    assert (rec["ContentSize"], rec["FileType"], rec["PathOnClient"]) == (300_000, "PDF", "msa.pdf")
    got = http.get(f"{base}/{vid}/VersionData", timeout=30)
    assert got.status_code == 200 and got.content == data
    assert got.headers["Content-Type"].startswith("application/pdf")
    part = http.get(f"{base}/{vid}/VersionData", headers={"Range": "bytes=100-199"}, timeout=30)
    assert part.status_code == 206 and part.content == data[100:200]
    q = f"SELECT LinkedEntityId FROM ContentDocumentLink WHERE ContentDocumentId = '{rec['ContentDocumentId']}'"  # noqa: S608
    links = http.get(f"{server.instance_url}{API}/query", params={"q": q}, timeout=30).json()
    assert account in [x["LinkedEntityId"] for x in links["records"]]
    # The bytes were not copied: the org's blobs do not include them.
    assert hashlib.sha256(data).hexdigest() not in _s3_keys(s3)
    for bad, code in (
        ({"ExternalDocumentInfo2": "../outside.pdf"}, "FIELD_INTEGRITY_EXCEPTION"),
        ({"ExternalDocumentInfo2": "contracts/none.pdf"}, "FIELD_INTEGRITY_EXCEPTION"),
        ({"ExternalDocumentInfo1": "file:///etc"}, "FIELD_INTEGRITY_EXCEPTION"),
        ({"ExternalDocumentInfo2": None}, "REQUIRED_FIELD_MISSING"),
    ):
        r = http.post(base, json={**entity, **bad}, timeout=30)
        assert r.status_code == 400 and r.json()[0]["errorCode"] == code, (bad, r.text)
