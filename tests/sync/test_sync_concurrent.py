"""Two runs of one sync at once (two processes' worth: separate runners, threads) on each
store backend: the position's compare-and-set lets one of them apply each batch, so
every row lands once, and the rows the two runs counted add up to the source's."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path

from switchboard.patterns.sync.runner import RunResult, SyncRunner
from sync.harness import accounts, change_types, hub, prepare_org, project_yaml
from sync.sources import row, source

ROWS = 600
T0 = datetime(2026, 1, 1)


def test_two_runs_at_once_apply_each_batch_once(db_url: str, tmp_path: Path) -> None:
    settings = prepare_org(tmp_path / "data", db_url)
    with source("sqlite", tmp_path) as src:
        src.insert(*(row(i, T0 + timedelta(seconds=i // 3)) for i in range(1, ROWS + 1)))
        project = tmp_path / "project"
        project.mkdir()
        (project / "switchboard.yaml").write_text(project_yaml(src.url, batch_size=20))
        with hub(settings, project) as (runtime, sync):
            config = sync.runner("customers_in").config
            runners = [SyncRunner(runtime.org, runtime.connectors, "customers_in", config)
                       for _ in range(2)]  # fmt: skip
            results: list[RunResult] = []
            gate = threading.Barrier(2)

            def go(runner: SyncRunner) -> None:
                gate.wait()
                results.append(runner.run())

            threads = [threading.Thread(target=go, args=(r,)) for r in runners]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
            assert [r.status for r in results] == ["succeeded", "succeeded"]
            assert sum(r.rows_read for r in results) == ROWS
            assert sum(r.rows_written for r in results) == ROWS
            assert len(accounts(runtime.org)) == ROWS
            kinds = [kind for kind, _ in change_types(runtime.org)]
            assert kinds.count("CREATE") == ROWS and "UPDATE" not in kinds
