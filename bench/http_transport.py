"""The outbound transport's overhead: HttpClient.send against the raw aiohttp client.

Both make the same POSTs (a small JSON body, an Idempotency-Key) to the same local
aiohttp endpoint (its own process) with the same number in flight, in the same run. HttpClient adds the
breaker, bulkhead, rate-limit check, auth (a bearer token from a sealed secret, cached)
and the error mapping; the ratio is what those cost. Also printed: httpx doing the same,
as the issue's reason for choosing aiohttp.

    .venv/bin/python bench/http_transport.py [--calls 5000] [--in-flight 100]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import socket
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support.server import free_port  # noqa: E402
from switchboard.connectors.http.client import HttpClient  # noqa: E402
from switchboard.connectors.http.configuration import CredentialConfig  # noqa: E402
from switchboard.core.crypto import generate_key  # noqa: E402
from switchboard.org.secrets import SecretStore  # noqa: E402
from switchboard.org.secrets.tables import CHAIN  # noqa: E402
from switchboard.store import open_store  # noqa: E402
from switchboard.store.migrations import migrate  # noqa: E402

BODY = b'{"name": "Acme", "sfid": "001000000000001AAA"}'
CPU_US: dict[str, list[float]] = {}  # client-process CPU per call: steadier than wall time


def _serve_forever(port: int) -> None:
    async def run() -> None:
        await serve(port)
        await asyncio.Event().wait()

    asyncio.run(run())


def start_endpoint(port: int) -> multiprocessing.Process:
    proc = multiprocessing.Process(target=_serve_forever, args=(port,), daemon=True)
    proc.start()
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("endpoint did not start")


async def serve(port: int) -> web.AppRunner:
    async def customers(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"erp_id": "E1"}, status=201)

    app = web.Application()
    app.router.add_post("/customers", customers)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


async def drive(calls: int, in_flight: int, one) -> float:  # type: ignore[no-untyped-def]
    sem = asyncio.Semaphore(in_flight)

    async def task(i: int) -> None:
        async with sem:
            await one(i)

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(task(i) for i in range(calls)))
    CPU_US.setdefault(one.__name__, []).append((time.process_time() - cpu) / calls * 1e6)
    return calls / (time.perf_counter() - started)


async def main(calls: int, in_flight: int) -> None:
    import aiohttp
    import httpx

    port = free_port()
    endpoint = start_endpoint(port)
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/org.db")
        migrate(store, [CHAIN])
        secrets = SecretStore(store, generate_key())
        secrets.set("erp_token", "bench-token")
        config = CredentialConfig(url=url, auth={"type": "bearer", "token": {"secret": "erp_token"}},
                                  max_in_flight=in_flight)  # fmt: skip
        client = HttpClient("erp", config, secrets=secrets)
        headers = {"Content-Type": "application/json"}

        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as raw:

            async def raw_one(i: int) -> None:
                async with raw.post(url + "/customers", data=BODY, headers={
                        **headers, "Authorization": "Bearer bench-token",
                        "Idempotency-Key": f"k{i}"}) as resp:  # fmt: skip
                    await resp.read()

            async def ours(i: int) -> None:
                await client.send("POST", "/customers", body=BODY, headers=headers,
                                  idempotency_key=f"k{i}")  # fmt: skip

            await drive(200, in_flight, raw_one)  # warm both pools
            await drive(200, in_flight, ours)
            results: dict[str, list[float]] = {"raw": [], "ours": []}
            for i in range(4):  # interleaved, each first in turn, best of four: a shared machine
                pair = [("raw", raw_one), ("ours", ours)]
                for name, one in pair if i % 2 == 0 else pair[::-1]:
                    results[name].append(await drive(calls, in_flight, one))
        limits = httpx.Limits(max_connections=in_flight, max_keepalive_connections=in_flight)
        async with httpx.AsyncClient(limits=limits) as hx:

            async def httpx_one(i: int) -> None:
                await hx.post(
                    url + "/customers",
                    content=BODY,
                    headers={
                        **headers,
                        "Authorization": "Bearer bench-token",
                        "Idempotency-Key": f"k{i}",
                    },
                )

            await drive(200, in_flight, httpx_one)
            hx_rate = await drive(calls, in_flight, httpx_one)
        await client.close()
        store.dispose()
    endpoint.terminate()
    endpoint.join()
    raw_rate, our_rate = max(results["raw"]), max(results["ours"])
    print(f"calls={calls} in_flight={in_flight}")
    raw_cpu, our_cpu = min(CPU_US["raw_one"]), min(CPU_US["ours"])
    print(f"raw aiohttp      {raw_rate:9.0f} calls/s   {raw_cpu:6.0f} us CPU/call")
    print(f"HttpClient.send  {our_rate:9.0f} calls/s   {our_cpu:6.0f} us CPU/call   "
          f"ratio {our_rate / raw_rate:.2f} of raw aiohttp (by CPU {raw_cpu / our_cpu:.2f})")
    print(f"httpx            {hx_rate:9.0f} calls/s   ratio {hx_rate / raw_rate:.2f} of raw aiohttp")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--in-flight", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(main(args.calls, args.in_flight))
