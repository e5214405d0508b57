"""REST create and retrieve throughput of the org against its ceiling.

Starts two servers in turn as subprocesses, plain HTTP: the ceiling (bench/ceiling_server.py:
the same uvicorn + Starlette stack doing one bare INSERT or SELECT per request on SQLite)
and ``switchboard up`` on a fresh SQLite data directory. Against each, 16 concurrent
aiohttp clients create Accounts for a fixed time, then retrieve random ones of them.
Prints requests per second, the ratio to the ceiling and the error count.

    .venv/bin/python bench/rest_crud.py [--seconds 10] [--clients 16] [--db URL]

Target: at least 0.5 of the ceiling on SQLite with zero errors.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PATH = "/services/data/v59.0/sobjects/Account"


@dataclass
class Phase:
    done: int = 0
    errors: int = 0
    seconds: float = 0.0
    samples: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    ready = threading.Event()
    lines: list[str] = []

    def pump() -> None:
        assert proc.stdout
        for line in proc.stdout:
            lines.append(line)
            if line.strip() == "ready":
                ready.set()

    threading.Thread(target=pump, daemon=True).start()
    if not ready.wait(60):
        proc.kill()
        raise RuntimeError("server did not start:\n" + "".join(lines))
    time.sleep(0.3)  # "ready" is printed as the socket opens; let it settle
    return proc


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


async def _run(
    base: str, headers: dict[str, str], clients: int, seconds: float
) -> tuple[Phase, Phase]:
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(base, connector=connector, headers=headers) as http:
        ids: list[str] = []

        async def phase(one) -> Phase:  # type: ignore[no-untyped-def]
            out = Phase()
            stop = time.perf_counter() + seconds

            async def client(n: int) -> None:
                i = 0
                while time.perf_counter() < stop:
                    i += 1
                    try:
                        ok = await one(n, i)
                    except Exception as exc:  # every failure is an error, never a crash
                        ok = False
                        if len(out.samples) < 3:
                            out.samples.append(repr(exc))
                    if ok:
                        out.done += 1
                    else:
                        out.errors += 1

            t0 = time.perf_counter()
            await asyncio.gather(*(client(n) for n in range(clients)))
            out.seconds = time.perf_counter() - t0
            return out

        async def create(n: int, i: int) -> bool:
            body = {"Name": f"Bench {n}-{i}", "Industry": "Energy", "NumberOfEmployees": i}
            async with http.post(PATH, json=body) as resp:
                data = await resp.json(content_type=None)
                if resp.status != 201:
                    return False
                ids.append(data["id"])
                return True

        async def retrieve(n: int, i: int) -> bool:
            async with http.get(f"{PATH}/{random.choice(ids)}") as resp:
                data = await resp.json(content_type=None)
                return resp.status == 200 and "Id" in data

        # Warm up connections, the thread pool and caches before measuring.
        for _ in range(50):
            await create(0, 0)
        created = await phase(create)
        retrieved = await phase(retrieve)
        return created, retrieved


def _measure(
    base: str, headers: dict[str, str], clients: int, seconds: float
) -> tuple[Phase, Phase]:
    return asyncio.run(_run(base, headers, clients, seconds))


def _ceiling(tmp: Path, clients: int, seconds: float) -> tuple[Phase, Phase]:
    port = _port()
    proc = _start(
        [
            sys.executable,
            str(HERE / "ceiling_server.py"),
            "--port",
            str(port),
            "--db",
            str(tmp / "ceiling.db"),
        ],
        dict(os.environ),
    )
    try:
        return _measure(f"http://127.0.0.1:{port}", {}, clients, seconds)
    finally:
        _stop(proc)


def _org(tmp: Path, db: str | None, clients: int, seconds: float) -> tuple[Phase, Phase]:
    port = _port()
    data_dir = tmp / "org"
    common = ["--data-dir", str(data_dir)] + (["--db", db] if db else [])
    env = dict(os.environ, SWITCHBOARD_LOG_LEVEL="warning")
    proc = _start([str(BIN / "switchboard"), "up", "--port", str(port), *common], env)
    try:
        token = subprocess.run(
            [str(BIN / "switchboard"), "token", *common],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        headers = {"Authorization": f"Bearer {token}"}
        return _measure(f"http://127.0.0.1:{port}", headers, clients, seconds)
    finally:
        _stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--clients", type=int, default=16, help="concurrent HTTP clients")
    parser.add_argument("--db", default=None, help="org database URL (default: SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sb-bench-") as tmp:
        ceil_c, ceil_r = _ceiling(Path(tmp), args.clients, args.seconds)
        org_c, org_r = _org(Path(tmp), args.db, args.clients, args.seconds)
    print(
        f"REST CRUD, {args.clients} concurrent clients, {args.seconds:g} s per phase, "
        f"org on {args.db or 'SQLite'}, {os.cpu_count()} CPUs"
    )
    print(f"{'':10} {'org/s':>9} {'ceiling/s':>10} {'ratio':>6} {'errors':>7}")
    worst = 1.0
    errors = 0
    for name, org, ceil in (("create", org_c, ceil_c), ("retrieve", org_r, ceil_r)):
        ratio = org.rate / ceil.rate if ceil.rate else 0.0
        worst = min(worst, ratio)
        errors += org.errors + ceil.errors
        print(f"{name:10} {org.rate:9.0f} {ceil.rate:10.0f} {ratio:6.2f} {org.errors:7d}")
        for sample in org.samples + ceil.samples:
            print(f"  error sample: {sample}")
    verdict = "meets" if worst >= 0.5 and errors == 0 else "misses"
    print(
        f"{verdict} the target (>= 0.5 of the ceiling, zero errors): worst ratio {worst:.2f}, "
        f"{errors} errors"
    )


if __name__ == "__main__":
    main()
