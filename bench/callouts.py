"""Call-out delivery against the raw aiohttp client, in the same run, on SQLite.

1. **Throughput.** The raw baseline: one aiohttp ``ClientSession`` POSTs N JSON bodies
   with distinct Idempotency-Keys to the local ERP endpoint (its own process), the
   same concurrency as the engine. Then the engine: N Accounts committed (transactions
   of 500 through the org's DML) and delivered by the embedded Runtime (event log →
   durable consumer → delivery rows → HTTP connector → endpoint → results recorded),
   timed from the first commit until the endpoint has seen all N. Raw and engine
   rounds alternate (the machine is shared and its speed drifts) and the median of the
   per-round ratios is the figure. Target: at least 0.5.
2. **Latency.** Accounts created one per transaction at a steady rate (500/s) for a
   few seconds; for each, the time from its commit returning to the endpoint receiving
   its request. Target: p99 at most 100 ms.
3. ``--flaky``: N deliveries against 30% 503 and 10% timeouts; each one effect.

    .venv/bin/python bench/callouts.py [--count 5000] [--rounds 5] [--rate 500] [--seconds 10]
        [--profile FILE] [--flaky]
"""

from __future__ import annotations

import argparse
import asyncio
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

ROOT = Path(__file__).resolve().parents[1]
ERP = ROOT / "tests" / "callout" / "erp.py"


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


async def engine_rate(count: int, profile: Path | None = None) -> tuple[float, float, float]:
    """Deliveries per second of the embedded engine, from the first commit until the
    endpoint has seen all ``count``; the seconds the commits took; this process's CPU
    milliseconds per delivery (every thread: commits, consumer, sends, results)."""
    endpoint = Endpoint()
    with tempfile.TemporaryDirectory() as tmp:
        runtime = open_runtime(Path(tmp), endpoint.url)
        await runtime.start()
        profiler = None
        if profile is not None:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        try:
            started, cpu = time.perf_counter(), time.process_time()
            await asyncio.to_thread(insert_accounts, runtime, count, "Bench")
            committed = time.perf_counter() - started
            await wait_effects(endpoint, count, 300, runtime)
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu
        finally:
            if profiler is not None and profile is not None:
                profiler.disable()
                profiler.dump_stats(str(profile))
            await runtime.stop()
            endpoint.close()
    return count / elapsed, committed, cpu * 1000 / count


async def raw_rate(count: int, concurrency: int) -> tuple[float, float]:
    """Requests per second of the raw client, and its CPU milliseconds per request."""
    endpoint = Endpoint()
    try:
        cpu = time.process_time()
        rate = await raw_baseline(endpoint.url, count, concurrency)
        return rate, (time.process_time() - cpu) * 1000 / count
    finally:
        endpoint.close()


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


async def latency(rate: int, seconds: float) -> None:
    endpoint = Endpoint()
    with tempfile.TemporaryDirectory() as tmp:
        runtime = open_runtime(Path(tmp), endpoint.url)
        await runtime.start()
        commits: dict[str, float] = {}
        try:
            org = runtime.org
            assert org.boot is not None
            ctx = WriteContext(org.boot.admin_user_id)
            total = int(rate * seconds)

            def produce() -> None:
                start = time.perf_counter()
                for i in range(total):
                    due = start + i / rate
                    pause = due - time.perf_counter()
                    if pause > 0:
                        time.sleep(pause)
                    rid = org.create(ctx, "Account", {"Name": f"L{i}", "Type": "Customer"})
                    commits[rid] = time.time()

            thread = threading.Thread(target=produce)
            begun = time.perf_counter()
            thread.start()
            await asyncio.to_thread(thread.join)
            produced = time.perf_counter() - begun
            await wait_effects(endpoint, total, 120, runtime)
            seen = endpoint.stats(times="1")["first_seen"]
            counts = deliveries.counts(org.store)
        finally:
            await runtime.stop()
            endpoint.close()
    lat = sorted((seen[k] - commits[k.rsplit(":", 1)[1]]) * 1000 for k in seen)
    p = statistics.quantiles(lat, n=100)
    print(f"commit -> request at {total / produced:.0f} changes/s ({total} changes, {produced:.1f}s): "
          f"p50 {p[49]:.1f} ms  p99 {p[98]:.1f} ms  max {lat[-1]:.1f} ms  (target p99 <= 100 ms)")  # fmt: skip
    print(f"delivery rows: {counts}")


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
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=5, help="raw/engine rounds, interleaved")
    parser.add_argument("--profile", type=Path, help="cProfile the last engine round into FILE")
    parser.add_argument("--no-latency", action="store_true", help="skip the latency run")
    parser.add_argument("--flaky", action="store_true", help="also 10,000 flaky deliveries")
    args = parser.parse_args()
    asyncio.run(throughput(args.count, args.concurrency, args.rounds, args.profile))
    if not args.no_latency:
        asyncio.run(latency(args.rate, args.seconds))
    if args.flaky:
        asyncio.run(flaky(10_000))


if __name__ == "__main__":
    main()
