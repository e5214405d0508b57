"""``kill -9`` of ``switchboard sync run`` between (or inside) batches, then another
run: it resumes from the stored position; every source row lands exactly once (one
CREATE change event each, no UPDATE: no batch was applied twice), and the rows both runs
read add up to the source's."""

from __future__ import annotations

import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from support.server import BIN
from switchboard.org.runtime import Org
from switchboard.patterns.sync.tables import run as run_table
from sync.harness import accounts, change_types, cli, prepare_org, project_yaml
from sync.sources import row, source

ROWS = 6000
BATCH = 50
T0 = datetime(2026, 1, 1)


def _runs(engine: sa.Engine) -> list[tuple[str, int, int]]:
    r = run_table
    with engine.connect() as conn:
        return [tuple(x) for x in conn.execute(  # type: ignore[misc]
            sa.select(r.c.status, r.c.batches, r.c.rows_read).order_by(r.c.id)).all()]  # fmt: skip


def test_a_killed_run_resumes_from_its_position(tmp_path: Path) -> None:
    settings = prepare_org(tmp_path / "data", f"sqlite:///{tmp_path / 'org.db'}")
    with source("sqlite", tmp_path) as src:
        # Every fourth row shares its cursor value with the next: ties across batches too.
        src.insert(*(row(i, T0 + timedelta(seconds=i // 4)) for i in range(1, ROWS + 1)))
        project = tmp_path / "project"
        project.mkdir()
        (project / "switchboard.yaml").write_text(project_yaml(src.url, batch_size=BATCH))
        # The CLI creates the sync tables on its first run; the test reads them after.
        proc = subprocess.Popen(
            [str(BIN / "switchboard"), "sync", "run", "customers_in", "--project", str(project),
             "--data-dir", str(settings.data_dir), "--db", settings.database_url],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        org_db = sa.create_engine(settings.database_url)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    runs = _runs(org_db)
                except sa.exc.OperationalError:  # tables not made yet
                    runs = []
                if runs and runs[-1][1] >= 3:
                    break
                time.sleep(0.01)
            assert proc.poll() is None, f"the run ended before it was killed: {proc.stdout}"
            proc.kill()
            proc.wait(10)
            (killed,) = _runs(org_db)
            assert killed[0] == "running" and 3 <= killed[1] < ROWS // BATCH
        finally:
            if proc.poll() is None:
                proc.kill()

        out = cli(settings, "sync", "run", "customers_in", "--project", str(project))
        assert "succeeded" in out.stdout
        runs = _runs(org_db)
        org_db.dispose()
        assert [r[0] for r in runs] == ["interrupted", "succeeded"]
        assert runs[0][2] + runs[1][2] == ROWS  # the second read only what the first had not

    org = Org.open(settings)
    try:
        assert len(accounts(org)) == ROWS
        kinds = [kind for kind, _ in change_types(org)]
        assert kinds.count("CREATE") == ROWS and "UPDATE" not in kinds
    finally:
        org.close()
