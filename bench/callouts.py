"""Call-out delivery against the raw aiohttp client, in the same run, on SQLite.

1. **Throughput.** The raw baseline: one aiohttp ``ClientSession`` POSTs N JSON bodies
   with distinct Idempotency-Keys to the local ERP endpoint (its own process), the
   same concurrency as the engine. Then the engine: N Accounts committed by a producer
   process (``callout_producer.py bulk``: transactions of 500 through the org's DML on
   the same SQLite file) and delivered by the embedded Runtime in this process (event
   log -> durable consumer -> delivery rows -> HTTP connector -> endpoint -> results
   recorded), timed from the producer's first commit to the endpoint's arrival time of
   the last request (``time.time()`` of one host in both processes). Raw and engine
   rounds alternate (the machine is shared and its speed drifts) and the median of the
   per-round ratios is the figure. Target: at least 0.5. (With the commits in a thread
   of this process, as before, deliveries started only once all the commits were done:
   the bulk inserts held the interpreter lock.)
2. **Latency.** A ``switchboard up --project`` process on SQLite is the org under test;
   a producer process (``callout_producer.py rest``) creates one Account per REST call,
   each sent at its place on a fixed schedule at 500/s, and takes its commit time when
   the reply (sent after the commit returned) arrives; the endpoint takes the arrival
   time on the same clock. Printed: the rate achieved, how late the producer sent,
   p50/p95/p99 commit -> request, and the server's CPU per change. Target: p99 at most
   100 ms.
3. ``--flaky``: N deliveries against 30% 503 and 10% timeouts; each one effect.

    .venv/bin/python bench/callouts.py [--count 5000] [--rounds 5] [--rate 500 250] [--seconds 10]
        [--profile FILE] [--no-throughput] [--no-latency] [--flaky]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import aiohttp
import httpx

from switchboard.core.settings import Settings
from switchboard.org.dml.context import WriteContext
from switchboard.patterns.callout import deliveries
from switchboard.runtime import Runtime
from switchboard.runtime.heap import freeze_startup_heap

ROOT = Path(__file__).resolve().parents[1]
ERP = ROOT / "tests" / "callout" / "erp.py"
PRODUCER = ROOT / "bench" / "callout_producer.py"
BIN = Path(sys.executable).parent


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Endpoint:
    def __init__(self, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, str(ERP), "--port", str(self.port), *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.client = httpx.Client(
            timeout=30
        )  # one client: a new one per poll costs an SSL context
        for _ in range(200):
            try:
                self.stats()
                return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("endpoint did not start")

    def stats(self, **query: str) -> dict[str, Any]:
        return self.client.get(f"{self.url}/stats", params=query).json()  # type: ignore[no-any-return]

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


async def raw_baseline(url: str, count: int, concurrency: int) -> float:
    """Requests per second of plain aiohttp making the same calls."""
    gate = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(i: int) -> None:
            async with gate:
                body = f'{{"name": "Raw {i}", "sfid": "001RAW{i:012d}"}}'.encode()
                headers = {"Content-Type": "application/json", "Idempotency-Key": f"raw:{i}"}
                async with session.post(f"{url}/customers", data=body, headers=headers) as r:
                    await r.read()
                    assert r.status < 300

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(count)))
        return count / (time.perf_counter() - started)


CALLOUT = """\
credentials:
  erp:
    url: {url}
    auth: {{type: none}}
    max_in_flight: 256
callouts:
  bench:
    on: {{change: Account, types: [CREATE], when: "Type = 'Customer'"}}
    request:
      credential: erp
      method: POST
      path: /customers
      body: {{name: "{{{{ record.Name }}}}", sfid: "{{{{ record.Id }}}}"}}
    timeout: {timeout}
    retry: {{attempts: 40, backoff: 20ms, max_backoff: 300ms}}
"""


def open_runtime(tmp: Path, url: str, timeout: str = "5s") -> Runtime:
    folder = tmp / "project"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "switchboard.yaml").write_text(
        textwrap.dedent(CALLOUT.format(url=url, timeout=timeout))
    )
    return Runtime(Settings(data_dir=tmp / "data"), project_dir=folder).open()


def insert_accounts(runtime: Runtime, count: int, prefix: str) -> None:
    org = runtime.org
    obj = org.schema.object("Account")
    assert org.boot is not None
    ctx = WriteContext(org.boot.admin_user_id)
    for start in range(0, count, 500):
        rows = [
            {"Name": f"{prefix} {i}", "Type": "Customer"}
            for i in range(start, min(count, start + 500))
        ]
        org.store.write(lambda c, r=rows, x=ctx.fresh(): org.dml.insert(c, x, obj, r))


async def wait_effects(endpoint: Endpoint, count: int, timeout: float, runtime: Any = None) -> None:
    deadline = time.monotonic() + timeout
    while (await asyncio.to_thread(endpoint.stats))["effects"] < count:
        if time.monotonic() > deadline:
            rows = deliveries.counts(runtime.org.store) if runtime is not None else "?"
            raise RuntimeError(f"deliveries did not all arrive in time: {rows}")
        await asyncio.sleep(0.05)


class Producer:
    """``bench/callout_producer.py bulk`` on the org's data directory: its own process."""

    def __init__(self, data_dir: Path, count: int, prefix: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(PRODUCER), "bulk", "--data-dir", str(data_dir),
             "--count", str(count), "--prefix", prefix],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None and self.proc.stdin is not None
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the producer did not open the org")

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def result(self) -> dict[str, float]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        self.proc.wait()
        return json.loads(line)  # type: ignore[no-any-return]


async def engine_rate(count: int, profile: Path | None = None) -> tuple[float, float, float]:
    """Deliveries per second of the embedded engine, from the first commit (in the
    producer's process) until the endpoint has received the last of ``count``; the
    seconds the commits took; this process's CPU milliseconds per delivery (every
    thread: hub, consumer, sends, results; the commits are the producer's)."""
    endpoint = Endpoint()
    with tempfile.TemporaryDirectory() as tmp:
        runtime = open_runtime(Path(tmp), endpoint.url)
        await runtime.start()
        freeze_startup_heap()  # as ``switchboard up`` does once started (runtime/heap.py)
        producer = await asyncio.to_thread(Producer, Path(tmp) / "data", count, "Bench")
        profiler = None
        if profile is not None:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        try:
            cpu = time.process_time()
            producer.go()
            await wait_effects(endpoint, count, 300, runtime)
            cpu = time.process_time() - cpu
            commits = await asyncio.to_thread(producer.result)
            seen = (await asyncio.to_thread(endpoint.stats, times="1"))["first_seen"]
        finally:
            if profiler is not None and profile is not None:
                profiler.disable()
                profiler.dump_stats(str(profile))
            await runtime.stop()
            endpoint.close()
            gc.unfreeze()  # this round's Runtime is garbage now: the next round starts clean
    # Both ends on time.time() of this host: the producer's and the endpoint's processes.
    elapsed = max(seen.values()) - commits["first"]
    return count / elapsed, commits["done"] - commits["first"], cpu * 1000 / count


async def raw_rate(count: int, concurrency: int) -> tuple[float, float]:
    """Requests per second of the raw client, and its CPU milliseconds per request."""
    endpoint = Endpoint()
    freeze_startup_heap()  # the same collector's state as the engine's rounds
    try:
        cpu = time.process_time()
        rate = await raw_baseline(endpoint.url, count, concurrency)
        return rate, (time.process_time() - cpu) * 1000 / count
    finally:
        endpoint.close()
        gc.unfreeze()


async def throughput(count: int, concurrency: int, rounds: int, profile: Path | None) -> None:
    """Raw and engine rounds interleaved (the machine is shared and drifts): the median
    of the per-round ratios."""
    ratios = []
    for r in range(rounds):
        raw, raw_cpu = await raw_rate(count, concurrency)
        rate, committed, cpu = await engine_rate(count, profile if r == rounds - 1 else None)
        ratios.append(rate / raw)
        print(f"round {r + 1}: raw aiohttp {raw:7.0f} requests/s ({raw_cpu:.2f} ms CPU each), "
              f"engine {rate:7.0f} deliveries/s ({cpu:.2f} ms CPU each, commits "
              f"{committed:.2f}s), ratio {rate / raw:.2f}", flush=True)  # fmt: skip
    print(f"call-out engine / raw aiohttp client ({count} calls, {concurrency} in flight), "
          f"median of {rounds}: {statistics.median(ratios):.2f}  (target >= 0.5)")  # fmt: skip


class Server:
    """``switchboard up --project`` on SQLite in its own process: the org under test."""

    def __init__(self, tmp: Path, erp_url: str) -> None:
        folder = tmp / "project"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "switchboard.yaml").write_text(
            textwrap.dedent(CALLOUT.format(url=erp_url, timeout="5s"))
        )
        self.data_dir, self.port = tmp / "data", free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "SWITCHBOARD_ADMIN_USERNAME": "admin@bench.test",
                    "SWITCHBOARD_ADMIN_PASSWORD": "bench-" + os.urandom(8).hex()}  # fmt: skip
        self.proc = subprocess.Popen(
            [str(BIN / "switchboard"), "up", "--port", str(self.port), "--grpc-port",
             str(free_port()), "--data-dir", str(self.data_dir), "--project", str(folder)],
            env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        output = []
        for line in self.proc.stdout:
            output.append(line)
            if line.strip() == "ready":
                break
        else:
            raise RuntimeError("the server did not start:\n" + "".join(output))
        # Drained (and dropped) so that its logging never blocks on a full pipe.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def token(self) -> str:
        return subprocess.run(
            [str(BIN / "switchboard"), "token", "--data-dir", str(self.data_dir)],
            env=self.env, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip

    def cpu_seconds(self) -> float:
        """User and system CPU of the server process so far (``/proc``)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


async def latency(rate: int, seconds: float) -> None:
    """Changes committed at ``rate`` a second by a producer process through the REST API
    of a ``switchboard up`` process; for each, commit returned -> endpoint received."""
    endpoint = Endpoint()
    with tempfile.TemporaryDirectory() as tmp:
        server = await asyncio.to_thread(Server, Path(tmp), endpoint.url)
        try:
            out = Path(tmp) / "commits.json"
            cpu = server.cpu_seconds()
            producer = await asyncio.create_subprocess_exec(
                sys.executable, str(PRODUCER), "rest", "--url", server.url, "--rate", str(rate),
                "--seconds", str(seconds), "--out", str(out), stdin=subprocess.PIPE,
            )  # fmt: skip
            await producer.communicate((await asyncio.to_thread(server.token) + "\n").encode())
            made = json.loads(out.read_text())
            total = len(made["commits"])
            await wait_effects(endpoint, total + 1, 120)  # and the producer's warm-up
            cpu = server.cpu_seconds() - cpu
            seen = endpoint.stats(times="1")["first_seen"]
        finally:
            await asyncio.to_thread(server.close)
            endpoint.close()
    commits = made["commits"]
    # Both clocks are time.time() of this host: the producer's and the endpoint's processes.
    pairs = sorted((commits[rid], (t - commits[rid]) * 1000) for k, t in seen.items()
                   if (rid := k.rsplit(":", 1)[1]) in commits)  # fmt: skip
    lat = sorted(ms for _, ms in pairs)
    # p99 per stretch of the run: steady, or a backlog growing (the server out of CPU).
    stretches = [sorted(ms for _, ms in pairs[i : i + len(pairs) // 5])
                 for i in range(0, len(pairs), max(1, len(pairs) // 5))]  # fmt: skip
    trend = " ".join(f"{s[int(len(s) * 0.99)]:.0f}" for s in stretches if s)
    p = statistics.quantiles(lat, n=100)
    achieved = total / (made["last"] - made["first"])
    late = sorted(made["late_ms"])
    print(f"commit -> request at {achieved:.0f} changes/s achieved ({rate}/s asked, {total} "
          f"changes, {made['errors']} failed; sent behind schedule p99 "
          f"{late[int(len(late) * 0.99)]:.1f} ms): p50 {p[49]:.1f} ms  p95 {p[94]:.1f} ms  "
          f"p99 {p[98]:.1f} ms  max {lat[-1]:.1f} ms  (target p99 <= 100 ms); server CPU "
          f"{cpu * 1000 / total:.2f} ms per change (REST create and delivery)")  # fmt: skip
    print(f"  p99 (ms) of each fifth of the run, in commit order: {trend}")


async def flaky(count: int) -> None:
    endpoint = Endpoint("--fail-rate", "0.3", "--timeout-rate", "0.1", "--delay", "1.0")
    with tempfile.TemporaryDirectory() as tmp:
        runtime = open_runtime(Path(tmp), endpoint.url, timeout="500ms")
        await runtime.start()
        try:
            started = time.perf_counter()
            await asyncio.to_thread(insert_accounts, runtime, count, "Flaky")
            while deliveries.counts(runtime.org.store).get("delivered", 0) < count:
                await asyncio.sleep(0.1)
            elapsed = time.perf_counter() - started
            stats = endpoint.stats()
            counts = deliveries.counts(runtime.org.store)
        finally:
            await runtime.stop()
            endpoint.close()
    print(f"flaky endpoint (30% 503, 10% timeouts): {count} deliveries in {elapsed:.1f}s, "
          f"{stats['requests']} requests, {stats['effects']} effects, rows {counts}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=256)
    parser.add_argument("--rate", type=int, nargs="+", default=[500, 250],
                        help="changes/s of each latency run (500 is the target's)")  # fmt: skip
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=5, help="raw/engine rounds, interleaved")
    parser.add_argument("--profile", type=Path, help="cProfile the last engine round into FILE")
    parser.add_argument("--no-latency", action="store_true", help="skip the latency run")
    parser.add_argument("--no-throughput", action="store_true", help="skip the throughput rounds")
    parser.add_argument("--flaky", action="store_true", help="also 10,000 flaky deliveries")
    args = parser.parse_args()
    if not args.no_throughput:
        asyncio.run(throughput(args.count, args.concurrency, args.rounds, args.profile))
    if not args.no_latency:
        for rate in args.rate:
            asyncio.run(latency(rate, args.seconds))
    if args.flaky:
        asyncio.run(flaky(10_000))


if __name__ == "__main__":
    main()
