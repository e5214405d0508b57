"""The change producer of ``bench/callouts.py``, run as its own process.

It commits Accounts to the org under test from outside that org's interpreter, so the
commits and the deliveries they cause never share one lock and the producer's rate is
its own (an in-process producer thread reached about 210 changes/s of the asked 500).
Times are ``time.time()``: the benchmark compares them with the endpoint's arrival
times, taken in another process on the same host and the same clock.

``bulk``: ``--count`` Accounts through the org's DML path (``Org.open`` on the server's
data directory, transactions of 500), after a ``go`` line on stdin; prints one JSON line
``{"first": t, "done": t}``: just before the first transaction began, and when the last
commit returned. The org under test sees the rows through its event hub's poll.

``rest``: the access token on stdin, then one Account per ``POST sobjects/Account`` to
the server under test, at ``--rate`` per second for ``--seconds``, each request sent at its place on a fixed
schedule (``start + i / rate``, absolute, so a late one does not push the rest back)
without waiting for earlier replies; the commit time of each is taken when its reply
(sent after the commit returned) arrives. Writes ``{"commits": {id: t}, "first": t,
"last": t, "late_ms": [...], "errors": n}`` to ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path


def bulk(data_dir: Path, count: int, prefix: str) -> None:
    from switchboard.core.settings import Settings
    from switchboard.org.dml.context import WriteContext
    from switchboard.org.runtime import Org

    org = Org.open(Settings(data_dir=data_dir))
    try:
        obj = org.schema.object("Account")
        assert org.boot is not None
        ctx = WriteContext(org.boot.admin_user_id)
        print("ready", flush=True)
        if sys.stdin.readline().strip() != "go":
            return
        first = time.time()
        for start in range(0, count, 500):
            rows = [
                {"Name": f"{prefix} {i}", "Type": "Customer"}
                for i in range(start, min(count, start + 500))
            ]
            org.store.write(lambda c, r=rows, x=ctx.fresh(): org.dml.insert(c, x, obj, r))
        print(json.dumps({"first": first, "done": time.time()}), flush=True)
    finally:
        org.close()


async def rest(url: str, rate: float, seconds: float, out: Path) -> None:
    import aiohttp

    token = sys.stdin.readline().strip()  # on stdin, not in the process list

    total = int(rate * seconds)
    commits: dict[str, float] = {}
    late: list[float] = []
    errors = 0
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    endpoint = f"{url}/services/data/v60.0/sobjects/Account"
    connector = aiohttp.TCPConnector(limit=256)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        # One warm-up change (not counted), delivered too: the server's first request
        # and first callout pay for connections and lazy imports (aiohttp), which is a
        # start-up cost, not the steady rate's. A second for it to be delivered.
        async with session.post(endpoint, data=b'{"Name": "warm-up", "Type": "Customer"}') as r:
            await r.read()
        await asyncio.sleep(1.0)

        async def one(i: int) -> None:
            nonlocal errors
            body = json.dumps({"Name": f"L{i}", "Type": "Customer"}).encode()
            try:
                async with session.post(endpoint, data=body) as r:
                    reply = await r.json()
                    if r.status != 201:
                        errors += 1
                        return
            except aiohttp.ClientError:
                errors += 1
                return
            commits[reply["id"]] = time.time()

        tasks = []
        start = time.time() + 0.05
        for i in range(total):
            due = start + i / rate
            pause = due - time.time()
            if pause > 0:
                await asyncio.sleep(pause)
            late.append((time.time() - due) * 1000)
            tasks.append(asyncio.create_task(one(i)))
        await asyncio.gather(*tasks)
    out.write_text(json.dumps({
        "commits": commits, "first": start, "last": max(commits.values(), default=start),
        "late_ms": late, "errors": errors,
    }))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    b = sub.add_parser("bulk")
    b.add_argument("--data-dir", type=Path, required=True)
    b.add_argument("--count", type=int, required=True)
    b.add_argument("--prefix", default="Bench")
    r = sub.add_parser("rest")
    r.add_argument("--url", required=True)
    r.add_argument("--rate", type=float, required=True)
    r.add_argument("--seconds", type=float, required=True)
    r.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.mode == "bulk":
        bulk(args.data_dir, args.count, args.prefix)
    else:
        asyncio.run(rest(args.url, args.rate, args.seconds, args.out))


if __name__ == "__main__":
    main()
