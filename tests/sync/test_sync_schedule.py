"""A running hub runs a sync that has a ``schedule`` by itself, again each interval, and
takes a reloaded project's mapping for its next run."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from switchboard.patterns.project import load_checked_project
from switchboard.patterns.sync.pattern import SyncPattern
from switchboard.runtime import Runtime
from sync.harness import accounts, prepare_org, project_yaml
from sync.sources import row, source

T1 = datetime(2026, 1, 1)
T2 = datetime(2026, 1, 2)


async def _until(check, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def _regions(org) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    t = org.schema.table(org.schema.object("Account"))
    with org.store.read() as conn:
        return dict(conn.execute(sa.select(t.c.erp_id__c, t.c.region__c)).all())


def test_a_scheduled_sync_runs_by_itself_and_reloads(tmp_path: Path) -> None:
    settings = prepare_org(tmp_path / "data", f"sqlite:///{tmp_path / 'org.db'}")
    with source("sqlite", tmp_path) as src:
        src.insert(row(1, T1))
        project = tmp_path / "project"
        project.mkdir()
        (project / "switchboard.yaml").write_text(project_yaml(src.url) + "    schedule: 1s\n")

        async def main() -> None:
            runtime = Runtime(settings, project_dir=project).open()
            await runtime.start()
            try:
                sync = next(p for p in runtime.patterns if isinstance(p, SyncPattern))
                sync.scheduler.tick = 0.05
                await _until(lambda: "1" in accounts(runtime.org))
                assert _regions(runtime.org) == {"1": None}  # Region__c not mapped yet
                # A new mapping, validated and applied as the watcher applies a reload.
                (project / "switchboard.yaml").write_text(project_yaml(
                    src.url, fields="{Name: name, Region__c: region, ERP_Id__c: id}")
                    + "    schedule: 1s\n")  # fmt: skip
                runtime.apply_project(load_checked_project(project, runtime.org))
                src.insert(row(2, T2))
                await _until(lambda: "2" in accounts(runtime.org))
                assert _regions(runtime.org) == {"1": None, "2": "EMEA"}
            finally:
                await runtime.stop()

        asyncio.run(main())
