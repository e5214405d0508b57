"""Files: upload and download MB/s through the org's REST API against copying the same
bytes straight to the same store, and the server's peak RSS, in one run.

The API path is the whole of it: a multipart/form-data POST of a ContentVersion
(streamed, chunked, by requests), parsed as it arrives, hashed (SHA-256 and MD5),
staged, committed and verified in the store, the record written; and a GET of its
VersionData streamed back. The baseline writes the same bytes with the store's own
``put`` (under another key, so the API's upload is not deduplicated away; durable like
the API's commit, fsynced before its rename) and reads them back with its ``open``;
both downloads are consumed alike (counted and MD5-hashed, as a client checking the
Checksum does). Bar: the API at least 0.5 of the baseline; peak RSS of
the server under 200 MB with a 1 GB file.

    .venv/bin/python bench/files.py [--mb 1024]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from support.server import Server, free_port  # noqa: E402
from switchboard.connectors.files import open_store  # noqa: E402
from switchboard.connectors.files.configuration import FsspecStoreConfiguration  # noqa: E402

BLOCK = 1 << 20
BOUNDARY = "switchboard-bench-boundary"


def blocks(mb: int, seed: bytes) -> Iterator[bytes]:
    """``mb`` MB of bytes, unlike any other run's (a random block, varied per MB)."""
    base = bytearray(os.urandom(BLOCK))
    for i in range(mb):
        base[:16] = hashlib.md5(seed + i.to_bytes(8, "big")).digest()  # noqa: S324
        yield bytes(base)


def multipart_body(mb: int, seed: bytes) -> Iterator[bytes]:
    entity = {"Title": "bench", "PathOnClient": "bench.bin"}
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="entity_content"\r\n'
        f"Content-Type: application/json\r\n\r\n{json.dumps(entity)}\r\n"
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="VersionData"; '
        f'filename="bench.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    yield from blocks(mb, seed)
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=1024, help="file size in MB (default 1024)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-files-"))
    server = Server(data_dir=tmp, db=f"sqlite:///{tmp / 'org.db'}", port=free_port(), tls=False)
    server.start()
    try:
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {server.token()}"
        base = f"{server.instance_url}/services/data/v59.0/sobjects/ContentVersion"
        assert server.proc is not None
        rss_start = peak_rss_mb(server.proc.pid)
        seed = secrets.token_bytes(8)
        size = args.mb * BLOCK

        cpu0, client0 = cpu_seconds(server.proc.pid), time.process_time()
        t0 = time.perf_counter()
        r = http.post(
            base,
            data=multipart_body(args.mb, seed),
            headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
            timeout=3600,
        )
        api_up = time.perf_counter() - t0
        up_cpu = cpu_seconds(server.proc.pid) - cpu0, time.process_time() - client0
        assert r.status_code == 201, r.text
        vid = r.json()["id"]

        t0 = time.perf_counter()
        got, md5 = 0, hashlib.md5()  # noqa: S324
        with http.get(f"{base}/{vid}/VersionData", stream=True, timeout=3600) as resp:
            resp.raise_for_status()
            for chunk in resp.iter_content(BLOCK):
                got += len(chunk)
                md5.update(chunk)
        api_down = time.perf_counter() - t0
        assert got == size, (got, size)
        checksum = http.get(f"{base}/{vid}", timeout=60).json()["Checksum"]
        assert checksum == md5.hexdigest(), "downloaded bytes differ from the upload"
        rss_peak = peak_rss_mb(server.proc.pid)

        store = open_store(FsspecStoreConfiguration((tmp / "files").resolve().as_uri()))
        key = secrets.token_hex(32)
        t0 = time.perf_counter()
        store.put(key, blocks(args.mb, seed + b"direct"))
        direct_up = time.perf_counter() - t0
        t0 = time.perf_counter()
        read, direct_md5 = 0, hashlib.md5()  # noqa: S324
        for chunk in store.open(key):
            read += len(chunk)
            direct_md5.update(chunk)
        direct_down = time.perf_counter() - t0
        assert read == size
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    def rate(seconds: float) -> float:
        return args.mb / seconds

    print(f"file: {args.mb} MB, store: local directory (file://), server on SQLite")
    print(
        f"upload   API {rate(api_up):8.1f} MB/s   direct {rate(direct_up):8.1f} MB/s   "
        f"ratio {direct_up / api_up:.2f}"
    )
    print(
        f"download API {rate(api_down):8.1f} MB/s   direct {rate(direct_down):8.1f} MB/s   "
        f"ratio {direct_down / api_down:.2f}"
    )
    print(f"upload CPU seconds: server {up_cpu[0]:.1f}, client {up_cpu[1]:.1f} "
          f"(wall {api_up:.1f})")
    print(f"server peak RSS {rss_peak:.0f} MB (at start {rss_start:.0f} MB)")


if __name__ == "__main__":
    main()
