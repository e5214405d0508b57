"""The ``nats`` dispatch against the real NATS server and PostgreSQL: two ``switchboard
worker callouts --dispatch nats`` processes share deliveries through a JetStream work
queue (one stream per test), make no attempt twice and lose none, also when the
endpoint fails now and then (items put back until their retry is due) and when one
worker is killed with -9 mid-run (its items come back after ``ack_wait``)."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from callout.harness import ErpProcess, project_yaml
from callout.test_workers import Proc, _commit_accounts, _env, _wait
from support.databases import database_url, services_required
from switchboard.core.settings import Settings
from switchboard.org.runtime import Org
from switchboard.patterns.callout import deliveries
from switchboard.patterns.callout.tables import attempt, delivery

NATS_URL = os.environ.get("SWITCHBOARD_TEST_NATS", "nats://127.0.0.1:4222")

CALLOUT = """\
share:
  on: {change: Account, types: [CREATE]}
  request:
    credential: erp
    path: /customers
    body: {sfid: "{{ record.Id }}"}
  timeout: 2s
  retry: {attempts: 20, backoff: 50ms, max_backoff: 500ms}
"""


async def _probe() -> None:
    import nats

    nc = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=0)
    try:
        await nc.jetstream().account_info()
    finally:
        await nc.close()


@pytest.fixture(scope="module", autouse=True)
def jetstream() -> None:
    try:
        # Bounded: nats-py keeps retrying a refused first connect on its own.
        asyncio.run(asyncio.wait_for(_probe(), 5))
    except Exception as exc:
        if services_required():
            raise
        why = "no answer within 5 s" if isinstance(exc, TimeoutError) else repr(exc)
        pytest.skip(f"NATS with JetStream is not reachable at {NATS_URL}: {why}")


async def _stream_state(name: str, delete: bool = False) -> int:
    import nats

    nc = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=0)
    try:
        js = nc.jetstream()
        messages = int((await js.stream_info(name)).state.messages)
        if delete:
            await js.delete_stream(name)
        return messages
    finally:
        await nc.close()


async def _publish_copies(stream: str, ids: list[int], copies: int) -> None:
    """Extra work items for rows that have theirs (as a sweep or a redelivery makes):
    each must claim nothing while its row is leased or finished."""
    import nats

    nc = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=0)
    try:
        js = nc.jetstream()
        for k in range(copies):
            futures = [await js.publish_async(f"{stream}.due", orjson.dumps({"id": i}),
                                              headers={"Nats-Msg-Id": f"copy{k}:{i}"})
                       for i in ids]  # fmt: skip
            await asyncio.gather(*futures)
    finally:
        await nc.close()


@pytest.fixture
def stream() -> Iterator[str]:
    name = "SBTEST_CALLOUTS_" + secrets.token_hex(4).upper()
    yield name
    try:
        asyncio.run(_stream_state(name, delete=True))
    except Exception:  # never created (the test failed before a worker started)
        pass


def _totals(org: Org) -> tuple[int, int, dict[str, int]]:
    with org.store.read() as conn:
        made = conn.execute(sa.select(sa.func.count()).select_from(attempt)).scalar_one()
        counted = conn.execute(sa.select(sa.func.sum(delivery.c.attempts))).scalar_one()
        outcomes = dict(
            conn.execute(
                sa.select(attempt.c.outcome, sa.func.count()).group_by(attempt.c.outcome)
            ).all()
        )
    return int(made), int(counted or 0), {str(k): int(v) for k, v in outcomes.items()}


def _run(
    tmp_path: Path, erp: ErpProcess, stream: str, count: int, kill_one: bool, copies: int = 0,
    unpublished: int = 0,
) -> Any:  # fmt: skip
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "switchboard.yaml").write_text(project_yaml(erp.url, CALLOUT))
    with database_url("postgresql", tmp_path) as db:
        env = _env(tmp_path / "data", db, SWITCHBOARD_NATS_URL=NATS_URL,
                   SWITCHBOARD_CALLOUT_NATS_STREAM=stream,
                   SWITCHBOARD_CALLOUT_NATS_SWEEP_INTERVAL="1",
                   SWITCHBOARD_CALLOUT_LEASE_MARGIN="1")  # fmt: skip
        org = Org.open(Settings(data_dir=tmp_path / "data", db=db))
        args = ["worker", "callouts", "--dispatch", "nats", "--project", str(folder)]
        workers = [Proc(args, env) for _ in range(2)]
        try:
            for w in workers:
                w.wait_ready()
            _commit_accounts(org, count - unpublished)
            if unpublished:  # committed rows whose items never reached NATS (a crash)
                rows = [deliveries.NewDelivery("share", "change", f"lost-{i}",
                                               {"record": {"Id": f"001LOST{i:011d}"}})
                        for i in range(unpublished)]  # fmt: skip
                org.store.write(lambda conn: deliveries.insert(conn, rows))
            if copies:
                with org.store.read() as conn:
                    ids = list(conn.execute(sa.select(delivery.c.id)).scalars())
                asyncio.run(_publish_copies(stream, ids, copies))
            if kill_one:
                _wait(lambda: erp.stats()["effects"] >= count // 5, 60, "the first deliveries")
                workers[0].stop(kill=True)
                at_kill = deliveries.counts(org.store)
                assert at_kill.get("delivered", 0) < count, at_kill  # killed mid-run
            _wait(
                lambda: deliveries.counts(org.store).get("delivered", 0) == count,
                120,
                "every delivery",
            )
            # The work queue drains: every item acked (or terminated) once its row is done.
            _wait(lambda: asyncio.run(_stream_state(stream)) == 0, 30, "an empty work queue")
        finally:
            outputs = [w.stop() for w in workers]
        totals = _totals(org)
        states = deliveries.counts(org.store)
        org.close()
    return totals, states, outputs


def _shares(outputs: list[str]) -> list[int]:
    return [int(m.group(1)) for out in outputs
            for m in re.finditer(r"stopped: (\d+) delivered", out)]  # fmt: skip


def test_two_nats_workers_share_deliveries_and_never_repeat_an_attempt(
    tmp_path: Path, erp_factory: Any, stream: str
) -> None:
    count = 2000
    erp: ErpProcess = erp_factory("--latency", "0.005")
    (made, counted, outcomes), states, outputs = _run(tmp_path, erp, stream, count, False, 2)
    stats = erp.stats()
    assert states == {"delivered": count}
    # No attempt made twice, though every row had three work items: each key reached
    # the endpoint once, and every request it saw is one attempt on record.
    assert stats["max_requests_per_key"] == 1 and stats["effects"] == count, stats
    assert made == counted == stats["requests"] == count, (made, counted, stats, outcomes)
    shares = _shares(outputs)
    assert len(shares) == 2 and sum(shares) == count, outputs
    assert min(shares) > count // 10, shares  # both took a real share


def test_nats_workers_retry_transient_failures_through_the_queue(
    tmp_path: Path, erp_factory: Any, stream: str
) -> None:
    count = 1000
    erp: ErpProcess = erp_factory("--latency", "0.005", "--fail-rate", "0.2")
    (made, counted, outcomes), states, _ = _run(tmp_path, erp, stream, count, False)
    stats = erp.stats()
    assert states == {"delivered": count}
    assert stats["effects"] == count
    # Retries are new attempts (put back with nak until due), never a repeat of one.
    assert made == counted == stats["requests"] > count, (made, counted, stats, outcomes)
    assert outcomes["ok"] == count and outcomes.get("transient", 0) == made - count


def test_rows_whose_work_item_was_lost_are_swept_into_the_queue(
    tmp_path: Path, erp_factory: Any, stream: str
) -> None:
    count = 300
    erp: ErpProcess = erp_factory("--latency", "0.005")
    (made, counted, _), states, _ = _run(tmp_path, erp, stream, count, False, unpublished=200)
    stats = erp.stats()
    assert states == {"delivered": count}
    assert stats["max_requests_per_key"] == 1 and stats["effects"] == count, stats
    assert made == counted == count


def test_kill_9_of_one_nats_worker_loses_no_delivery(
    tmp_path: Path, erp_factory: Any, stream: str
) -> None:
    count = 2000
    erp: ErpProcess = erp_factory("--latency", "0.05")
    (made, counted, _), states, outputs = _run(tmp_path, erp, stream, count, True)
    stats = erp.stats()
    assert states == {"delivered": count}
    assert stats["effects"] == count  # one effect per committed change (Idempotency-Key)
    # The killed worker's calls in flight were made but never recorded: they are
    # attempts counted at claim, and the survivor made the next attempt of each.
    assert made <= stats["requests"] <= counted, (made, stats, counted)
    assert len(_shares(outputs)) == 1, outputs  # the survivor stopped cleanly
