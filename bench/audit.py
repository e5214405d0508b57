"""Event-capture overhead on REST calls: the same org served by two apps, one with
EventLogFile capture on and one with it off, in one run; rounds alternate between them
so that drift (cache warmth, the WAL's size) falls on both alike.

    python bench/audit.py [--calls 2000] [--rounds 4]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

from switchboard.api.app import create_app
from switchboard.core.settings import load
from switchboard.org.identity.tokens import mint
from switchboard.org.security.trail.tables import api_event
from switchboard.runtime import Runtime


async def _round(client: httpx.AsyncClient, record_id: str, calls: int) -> float:
    started = time.perf_counter()
    for i in range(calls):
        if i % 4 == 0:
            r = await client.patch(f"/services/data/v59.0/sobjects/Account/{record_id}",
                                   json={"Description": f"round {i}"})  # fmt: skip
        else:
            r = await client.get(f"/services/data/v59.0/sobjects/Account/{record_id}")
        assert r.status_code < 300, r.text
    return time.perf_counter() - started


async def main(calls: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        runtime = Runtime(load(data_dir=Path(tmp), db="", schema_poll_interval=60)).open()
        org = runtime.org
        boot = org.boot
        assert boot is not None
        token = org.store.write(lambda c: mint(c, boot.org_id, boot.admin_user_id,
                                               client_id=None, lifetime_seconds=3600))  # fmt: skip
        org.event_capture.start()
        on = create_app(runtime)
        org.event_capture.enabled = False
        off = create_app(runtime)
        org.event_capture.enabled = True  # the captured app records; the other was built bare
        headers = {"Authorization": f"Bearer {token}"}
        clients = {
            name: httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://sb", headers=headers
            )  # fmt: skip
            for name, app in (("on", on), ("off", off))
        }
        made = await clients["on"].post("/services/data/v59.0/sobjects/Account",
                                        json={"Name": "Bench"})  # fmt: skip
        rid = made.json()["id"]
        await _round(clients["off"], rid, 200)  # warm up both paths
        await _round(clients["on"], rid, 200)
        totals = {"on": 0.0, "off": 0.0}
        for _ in range(rounds):
            for name in ("off", "on"):
                totals[name] += await _round(clients[name], rid, calls)
        for c in clients.values():
            await c.aclose()
        org.event_capture.stop()
        n = calls * rounds
        with org.store.read() as conn:
            captured = conn.execute(sa.select(sa.func.count()).select_from(api_event)).scalar()
        for name in ("off", "on"):
            print(f"capture {name:3}: {n} calls in {totals[name]:.2f} s, "
                  f"{n / totals[name]:,.0f} calls/s")  # fmt: skip
        print(
            f"ratio on/off (time): {totals['on'] / totals['off']:.3f}  (events captured: {captured})"
        )
        await runtime.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    asyncio.run(main(args.calls, args.rounds))
