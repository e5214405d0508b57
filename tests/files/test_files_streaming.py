"""Uploads and downloads stream: a file many times the server's buffers goes through
with the server's peak memory about flat, and comes back byte-identical."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from files.filehelp import API, session_for
from support.server import Server, free_port

MB = 1 << 20
SIZE_MB = 96
BOUNDARY = "stream-boundary"


def _vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def _blocks(seed: int) -> Iterator[bytes]:
    block = bytearray(random.Random(seed).randbytes(MB))
    for i in range(SIZE_MB):
        block[:8] = (seed * 1000 + i).to_bytes(8, "big")
        yield bytes(block)


def _body(seed: int) -> Iterator[bytes]:
    entity = json.dumps({"Title": "big", "PathOnClient": "big.bin"})
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="entity_content"\r\n'
        f"Content-Type: application/json\r\n\r\n{entity}\r\n--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="VersionData"; filename="big.bin"\r\n\r\n'
    ).encode()
    yield from _blocks(seed)
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc for VmHWM")
def test_large_upload_and_download_stream(tmp_path: Path) -> None:
    srv = Server(
        data_dir=tmp_path, db=f"sqlite:///{tmp_path / 'org.db'}", port=free_port(), tls=False
    )
    srv.start()
    try:
        http = session_for(srv.token())
        base = f"{srv.instance_url}{API}/sobjects/ContentVersion"
        assert srv.proc is not None
        # Warm the paths once with a small file so first-use allocations are not counted.
        http.post(
            base,
            files={
                "entity_content": (
                    None,
                    json.dumps({"Title": "s", "PathOnClient": "s.bin"}),
                    "application/json",
                ),
                "VersionData": ("s.bin", b"x" * 100_000),
            },
            timeout=60,
        ).raise_for_status()
        before = _vm_hwm_mb(srv.proc.pid)
        r = http.post(
            base,
            data=_body(1),  # a generator: sent chunked, never whole in memory here either
            headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
            timeout=600,
        )
        assert r.status_code == 201, r.text
        vid = r.json()["id"]
        expected = hashlib.sha256()
        for block in _blocks(1):
            expected.update(block)
        got = hashlib.sha256()
        size = 0
        with http.get(f"{base}/{vid}/VersionData", stream=True, timeout=600) as resp:
            assert resp.status_code == 200
            assert resp.headers["Content-Length"] == str(SIZE_MB * MB)
            for chunk in resp.iter_content(MB):
                size += len(chunk)
                got.update(chunk)
        assert size == SIZE_MB * MB and got.hexdigest() == expected.hexdigest()
        grew = _vm_hwm_mb(srv.proc.pid) - before
        # Buffering the file would cost at least its 96 MB; streaming costs a few blocks.
        assert grew < 40, f"server peak memory grew by {grew:.0f} MB for a {SIZE_MB} MB file"
    finally:
        srv.stop()
