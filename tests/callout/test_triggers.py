"""Trigger rules in process: ``ordered`` per record, ``changed`` fields, cron slots."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from callout.harness import open_runtime, project_yaml, wait_until, writer
from switchboard.core.settings import Settings
from switchboard.org.runtime import Org
from switchboard.patterns.callout import deliveries
from switchboard.patterns.callout.schedule import fire_due
from switchboard.patterns.callout.tables import CHAIN, delivery
from switchboard.store.migrations import migrate

ORDERED = """\
ordered:
  on: {change: Account, types: [CREATE, UPDATE], changed: [Phone]}
  request:
    credential: erp
    path: /customers
    body: {sfid: "{{ record.Id }}", phone: "{{ record.Phone }}"}
  timeout: 2s
  ordered: true
  retry: {attempts: 30, backoff: 10ms, max_backoff: 100ms}
"""


async def test_ordered_callout_delivers_each_records_changes_in_order(
    tmp_path: Path, erp_factory: Any
) -> None:
    """Every record's changes reach the endpoint in commit order although 40% of calls
    fail and are retried, and only changes of ``Phone`` call out."""
    erp = erp_factory("--fail-rate", "0.4", "--latency", "0.01")
    runtime = open_runtime(
        tmp_path,
        f"sqlite:///{tmp_path / 'org.db'}",
        project_yaml(
            erp.url, ORDERED, "max_in_flight: 256\nbreaker: {failure_rate: 0.95}"
        ),  # fmt: skip
    )
    await runtime.start()
    try:
        org, ctx = runtime.org, writer(runtime)
        ids = [
            await asyncio.to_thread(org.create, ctx, "Account", {"Name": f"O{i}", "Phone": "0"})
            for i in range(5)
        ]
        for step in range(1, 6):
            for rid in ids:
                await asyncio.to_thread(org.update, ctx, "Account", rid, {"Phone": str(step)})
                # Not a Phone change: no call.
                await asyncio.to_thread(org.update, ctx, "Account", rid, {"Fax": str(step)})
        store = org.store
        await wait_until(lambda: deliveries.counts(store).get("delivered", 0) == 30, 60,
                         "every change", lambda: deliveries.counts(store))  # fmt: skip
        stats = erp.stats(bodies="1")
        assert stats["effects"] == 30
        for rid in ids:
            effects = sorted(
                (int(reply["erp_id"].split("-")[1]), body["phone"])
                for key, body in stats["bodies"].items()
                if body["sfid"] == rid
                for reply in [stats["replies"][key]]
            )
            assert [phone for _, phone in effects] == ["0", "1", "2", "3", "4", "5"], effects
        assert deliveries.counts(store) == {"delivered": 30}
    finally:
        await runtime.stop()


def test_a_cron_slot_fires_once_across_restarts_and_racers(tmp_path: Path) -> None:
    org = Org.open(Settings(data_dir=tmp_path))
    try:
        migrate(org.store, [CHAIN])
        store = org.store
        t0 = datetime(2026, 1, 1, 12, 1)

        def fire(now: datetime) -> datetime | None:
            return store.write(lambda c: fire_due(c, "tick", "*/5 * * * *", now))

        assert fire(t0) is None  # a new schedule starts now, it does not catch up
        assert fire(t0 + timedelta(minutes=3)) is None  # 12:04: no slot yet
        assert fire(t0 + timedelta(minutes=4)) == datetime(2026, 1, 1, 12, 5)
        assert fire(t0 + timedelta(minutes=4)) is None  # the same slot again: nothing
        # Down for an hour: the missed slots fire once, as the latest.
        assert fire(t0 + timedelta(minutes=64, seconds=30)) == datetime(2026, 1, 1, 13, 5)
        assert fire(t0 + timedelta(minutes=65)) is None
        with store.read() as conn:
            keys = sorted(conn.execute(delivery.select()).mappings().all(), key=lambda r: r["id"])
        assert [r["idempotency_key"] for r in keys] == [
            "tick:schedule:2026-01-01T12:05:00",
            "tick:schedule:2026-01-01T13:05:00",
        ]
        assert all(r["trigger"] == "schedule" and r["state"] == "pending" for r in keys)
    finally:
        org.close()
