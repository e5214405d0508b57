"""Separate processes: a server killed with 5,000 deliveries open, and two workers on
PostgreSQL sharing 10,000 deliveries.

Both run the real ``switchboard`` command (``up --project`` and ``worker callouts``)
against a real ERP endpoint process; the test's own process only commits the changes,
through the org's DML on the same database, and reads the delivery rows.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from callout.harness import ErpProcess, project_yaml
from support.databases import database_url
from support.server import free_port
from switchboard.core.settings import Settings
from switchboard.org.dml.context import WriteContext
from switchboard.org.runtime import Org
from switchboard.patterns.callout import deliveries
from switchboard.patterns.callout.tables import attempt, delivery

BIN = Path(sys.executable).parent / "switchboard"

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


class Proc:
    """A ``switchboard`` subprocess whose output is kept; waits for ``ready``."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.output: list[str] = []
        self.proc = subprocess.Popen(
            [str(BIN), *args],
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.ready = threading.Event()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)
            if line.strip() == "ready":
                self.ready.set()

    def wait_ready(self, timeout: float = 60) -> Proc:
        deadline = time.monotonic() + timeout
        while not self.ready.wait(0.1):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop(kill=True)
                raise AssertionError("did not start:\n" + "".join(self.output))
        return self

    def stop(self, kill: bool = False) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        time.sleep(0.1)
        return "".join(self.output)


def _commit_accounts(org: Org, count: int, chunk: int = 500) -> None:
    obj = org.schema.object("Account")
    assert org.boot is not None
    ctx = WriteContext(org.boot.admin_user_id)
    for start in range(0, count, chunk):
        rows = [{"Name": f"W{i}"} for i in range(start, min(count, start + chunk))]
        outs = org.store.write(lambda c, r=rows, x=ctx.fresh(): org.dml.insert(c, x, obj, r))
        assert not any(o.errors for o in outs)


def _wait(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _env(data: Path, db: str, **more: str) -> dict[str, str]:
    return {"SWITCHBOARD_DATA_DIR": str(data), "SWITCHBOARD_DB": db,
            "SWITCHBOARD_LOG_LEVEL": "info", **more}  # fmt: skip


def test_two_workers_on_postgresql_share_deliveries_and_never_repeat_an_attempt(
    tmp_path: Path, erp_factory: Any
) -> None:
    count = 10_000
    erp: ErpProcess = erp_factory("--latency", "0.005")
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "switchboard.yaml").write_text(project_yaml(erp.url, CALLOUT))
    with database_url("postgresql", tmp_path) as db:
        env = _env(tmp_path / "data", db)
        # The org exists before its workers start (as an operator's first `up` makes it).
        org = Org.open(Settings(data_dir=tmp_path / "data", db=db))
        workers = [Proc(["worker", "callouts", "--project", str(folder)], env) for _ in range(2)]
        try:
            for w in workers:
                w.wait_ready()
            _commit_accounts(org, count)
            store = org.store
            _wait(
                lambda: deliveries.counts(store).get("delivered", 0) == count, 120, "every delivery"
            )
        finally:
            outputs = [w.stop() for w in workers]
        stats = erp.stats()
        with org.store.read() as conn:
            made = conn.execute(sa.select(sa.func.count()).select_from(attempt)).scalar_one()
            counted = conn.execute(sa.select(sa.func.sum(delivery.c.attempts))).scalar_one()
            outcomes = dict(conn.execute(
                sa.select(attempt.c.outcome, sa.func.count()).group_by(attempt.c.outcome)
            ).all())  # fmt: skip
            errors = (
                conn.execute(sa.select(attempt.c.error).where(attempt.c.outcome != "ok").limit(3))
                .scalars()
                .all()
            )
        org.close()
        # No attempt made twice: every request the endpoint saw is one attempt on record
        # (a retry after a failure is the next attempt, with its own number).
        assert made == counted == stats["requests"], (outcomes, errors)
        assert outcomes.get("ok") == count and stats["effects"] == count
        shares = [int(m.group(1)) for out in outputs
                  for m in re.finditer(r"stopped: (\d+) delivered", out)]  # fmt: skip
        assert len(shares) == 2 and sum(shares) == count, outputs
        assert min(shares) > count // 10, shares  # both took a real share


def test_kill_9_with_deliveries_open_loses_none(tmp_path: Path, erp_factory: Any) -> None:
    count = 5000
    erp: ErpProcess = erp_factory("--latency", "0.05")
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "switchboard.yaml").write_text(project_yaml(erp.url, CALLOUT))
    data = tmp_path / "data"
    db = f"sqlite:///{data / 'org.db'}"
    port = free_port()
    env = _env(data, db, SWITCHBOARD_CALLOUT_LEASE_MARGIN="1")

    def up() -> Proc:
        args = [
            "up",
            "--port",
            str(port),
            "--grpc-port",
            str(free_port()),
            "--project",
            str(folder),
        ]
        return Proc(args, env).wait_ready()

    server = up()
    org = Org.open(Settings(data_dir=data, db=db))
    try:
        _commit_accounts(org, count)
        _wait(lambda: erp.stats()["effects"] >= 500, 60, "the first deliveries")
        server.stop(kill=True)
        at_kill = deliveries.counts(org.store)
        assert at_kill.get("delivered", 0) < count, at_kill  # killed with deliveries open
        server = up()
        _wait(lambda: deliveries.counts(org.store).get("delivered", 0) == count, 120, "recovery")
        stats = erp.stats()
        assert stats["effects"] == count  # deduplicated count = committed changes
        assert deliveries.counts(org.store) == {"delivered": count}
    finally:
        server.stop()
        org.close()
