"""The delivery engine in process: the issue's example, a flaky endpoint, a dead one.

Each test runs a real Runtime (org, event hub, the call-out pattern's engine, the HTTP
connector) against a real ERP endpoint in its own process that deduplicates on
Idempotency-Key and fails on purpose when told to.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from callout.harness import (
    EXAMPLE,
    insert_accounts,
    open_runtime,
    project_yaml,
    wait_until,
    writer,
)
from support.databases import BACKENDS, database_url
from switchboard.patterns.callout import deliveries
from switchboard.patterns.callout.tables import attempt, delivery


def _attempts_by_outcome(runtime: Any) -> dict[str, int]:
    with runtime.org.store.read() as conn:
        rows = conn.execute(
            sa.select(attempt.c.outcome, sa.func.count()).group_by(attempt.c.outcome)
        )
        return {o: int(n) for o, n in rows}


@pytest.mark.parametrize("backend", BACKENDS)
async def test_the_issue_example(tmp_path: Path, backend: str, erp_factory: Any) -> None:
    erp = erp_factory()
    with database_url(backend, tmp_path) as db:
        runtime = open_runtime(tmp_path, db, project_yaml(erp.url, EXAMPLE))
        await runtime.start()
        try:
            org, ctx = runtime.org, writer(runtime)
            customer = await asyncio.to_thread(
                org.create, ctx, "Account", {"Name": "Acme", "Type": "Customer"}
            )
            other = await asyncio.to_thread(
                org.create, ctx, "Account", {"Name": "Beta", "Type": "Prospect"}
            )

            def number() -> Any:
                return org.retrieve("Account", customer, ["AccountNumber"], "59.0")["AccountNumber"]

            await wait_until(lambda: number() is not None, 20, "the reply's erp_id on the record")
            assert number() == "ERP-000001"
            # The reply's update is a change of a Customer account: it must not call out again.
            await asyncio.sleep(1.0)
            stats = erp.stats(bodies="1")
            assert stats["requests"] == 1 and stats["effects"] == 1
            (body,) = stats["bodies"].values()
            assert body == {"name": "Acme", "sfid": customer}
            assert (
                org.retrieve("Account", other, ["AccountNumber"], "59.0")["AccountNumber"] is None
            )
            rows = deliveries.recent(org.store, "account_to_erp")
            assert [(r["record_id"], r["state"], r["attempts"]) for r in rows] == [
                (customer, "delivered", 1)
            ]
            # An update that still matches calls out again (a new change), once.
            await asyncio.to_thread(org.update, ctx, "Account", customer, {"Phone": "555"})
            await wait_until(lambda: erp.stats()["effects"] == 2, 20, "the update's call")
            await asyncio.to_thread(org.update, ctx, "Account", other, {"Phone": "556"})
            await asyncio.sleep(1.0)
            assert erp.stats()["effects"] == 2
        finally:
            await runtime.stop()


FLAKY = """\
flaky:
  on: {change: Account, types: [CREATE]}
  request:
    credential: erp
    path: /customers
    body: {name: "{{ record.Name }}", sfid: "{{ record.Id }}"}
  timeout: 1s
  retry: {attempts: 40, backoff: 20ms, max_backoff: 300ms}
"""


@pytest.mark.parametrize("count", [10_000])
async def test_flaky_endpoint_each_delivery_one_effect(
    tmp_path: Path, count: int, erp_factory: Any
) -> None:
    """30% 503 and 10% timeouts (the effect made, the reply too late): every change is
    delivered, exactly one effect each, and every request is an attempt on record.
    (10,000 deliveries: ``bench/callouts.py --flaky``.)"""
    erp = erp_factory("--fail-rate", "0.3", "--timeout-rate", "0.1", "--delay", "1.5")
    with database_url("sqlite", tmp_path) as db:
        # A flaky endpoint is up: 40% failures must not trip the breaker (its default
        # opens at 50%, which a window of 100 calls reaches now and then).
        up = "max_in_flight: 256\nbreaker: {failure_rate: 0.9, open_for: 1s}"
        runtime = open_runtime(tmp_path, db, project_yaml(erp.url, FLAKY, up))
        await runtime.start()
        try:
            ids = await asyncio.to_thread(
                insert_accounts, runtime, [{"Name": f"Flaky {i}"} for i in range(count)]
            )
            store = runtime.org.store
            await wait_until(
                lambda: deliveries.counts(store).get("delivered", 0) == count,
                240,  # about 30 s on a quiet machine; xdist's other worker shares the cores
                "every delivery",
                lambda: deliveries.counts(store),
            )
            stats = erp.stats(keys="1")
            assert stats["effects"] == count
            assert deliveries.counts(store) == {"delivered": count}
            with store.read() as conn:
                keys = dict(
                    conn.execute(sa.select(delivery.c.record_id, delivery.c.idempotency_key)).all()
                )
                made = int(
                    conn.execute(sa.select(sa.func.count()).select_from(attempt)).scalar_one()
                )
                counted = int(
                    conn.execute(sa.select(sa.func.sum(delivery.c.attempts))).scalar_one()
                )
            assert sorted(keys) == sorted(ids)
            assert set(stats["per_key"]) == set(keys.values())
            outcomes = _attempts_by_outcome(runtime)
            assert made == counted
            with store.read() as conn:
                answered = int(conn.execute(
                    sa.select(sa.func.count()).select_from(attempt)
                    .where(attempt.c.status.is_not(None))
                ).scalar_one())  # fmt: skip
            # Every request the endpoint saw is an attempt on record. An attempt the
            # breaker refused never reached it; one it answered surely did. The rest
            # (timeouts, connection failures) may or may not have: a request that timed
            # out while still in the endpoint's accept queue never reaches its handler,
            # the case the Idempotency-Key exists for. So the endpoint's count lies
            # between the two, and every unanswered attempt is a timeout or a transient
            # failure without a status, never an unexplained gap.
            sent = made - outcomes.get("circuit_open", 0)
            assert answered <= stats["requests"] <= sent
            unanswered = sent - answered
            assert outcomes["timeout"] <= unanswered <= outcomes["timeout"] + outcomes["transient"]
            assert outcomes["ok"] == count and outcomes["transient"] > 0 and outcomes["timeout"] > 0
        finally:
            await runtime.stop()


DEAD = """\
dead:
  on: {change: Account, types: [CREATE]}
  request:
    credential: erp
    path: /customers
    body: {sfid: "{{ record.Id }}"}
  timeout: 2s
  retry: {attempts: 3, backoff: 10ms, max_backoff: 50ms}
"""


async def test_dead_endpoint_fills_the_dlq_and_a_retry_redrives_each_once(
    tmp_path: Path, erp_factory: Any
) -> None:
    count = 300
    erp = erp_factory()
    erp.control(down=True)
    with database_url("sqlite", tmp_path) as db:
        breaker = (
            "max_in_flight: 256\nbreaker: {min_calls: 10, window: 20, open_for: 1s, trial_calls: 2}"
        )
        runtime = open_runtime(tmp_path, db, project_yaml(erp.url, DEAD, breaker))
        await runtime.start()
        try:
            store = runtime.org.store
            await asyncio.to_thread(
                insert_accounts, runtime, [{"Name": f"D{i}"} for i in range(count)]
            )
            await wait_until(
                lambda: deliveries.counts(store).get("dead", 0) == count, 60, "the DLQ"
            )
            outcomes = _attempts_by_outcome(runtime)
            assert sum(outcomes.values()) == 3 * count
            # The breaker opened: most attempts never reached the endpoint.
            assert outcomes.get("circuit_open", 0) > 0
            assert erp.stats()["requests"] < 3 * count
            dead = deliveries.list_dead(store, "dead", limit=count)
            assert len(dead) == count and all(r["last_error"] for r in dead)
            assert all(r["last_request"] for r in dead)
            erp.control(down=False)
            await asyncio.sleep(
                1.0
            )  # past nothing in particular: the breaker must let a trial through
            assert deliveries.requeue(store, [r["id"] for r in dead]) == count
            await wait_until(
                lambda: deliveries.counts(store).get("delivered", 0) == count, 90, "the re-drive"
            )
            assert erp.stats()["effects"] == count
            assert deliveries.counts(store) == {"delivered": count}
        finally:
            await runtime.stop()
