"""A sync from a real source database of each kind (a SQLite file, PostgreSQL, MariaDB
logging in with a password kept as a secret) lands rows as Accounts; a second run reads
only the rows changed since; rows sharing a cursor value across a page boundary are
neither lost nor read twice."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from sync.harness import accounts, change_types, hub, prepare_org, project_yaml
from sync.sources import SOURCES, Source, row, source

T1 = datetime(2026, 1, 1, 10, 0, 0)
T2 = datetime(2026, 1, 2, 10, 0, 0)
T3 = datetime(2026, 1, 3, 10, 0, 0)
ORIGIN = "com/salesforce/api/sync/59.0;client=sync:customers_in"


@pytest.fixture(params=SOURCES)
def src(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    with source(str(request.param), tmp_path) as s:
        yield s


def test_rows_land_incrementally_and_ties_survive_page_boundaries(
    src: Source, tmp_path: Path
) -> None:
    # Three rows share T1 and the batch holds two: the boundary falls inside the tie.
    src.insert(row(1, T1), row(2, T1), row(3, T1), row(4, T2), row(5, T2))
    project = tmp_path / "project"
    project.mkdir()
    (project / "switchboard.yaml").write_text(
        project_yaml(src.url, password=src.password is not None, batch_size=2)
    )
    secrets = {"erp_password": src.password} if src.password else None
    settings = prepare_org(tmp_path / "data", f"sqlite:///{tmp_path / 'org.db'}",
                           secrets=secrets)  # fmt: skip
    with hub(settings, project) as (runtime, sync):
        first = sync.run("customers_in")
        assert (first.status, first.rows_read, first.rows_written, first.rows_failed) == (
            "succeeded", 5, 5, 0)  # fmt: skip
        assert first.batches == 3
        got = accounts(runtime.org)
        before = got["2"]["Id"]
        assert sorted(got) == ["1", "2", "3", "4", "5"]
        assert got["3"]["Name"] == "Customer 3" and got["3"]["Phone"] == "555-0003"
        assert change_types(runtime.org) == [("CREATE", ORIGIN)] * 5

        # Nothing changed: nothing read, nothing written.
        idle = sync.run("customers_in")
        assert (idle.status, idle.rows_read, idle.batches) == ("succeeded", 0, 0)

        # One row changes, one is new: only those two are read.
        src.update(2, phone="555-9999", updated_at=T3)
        src.insert(row(6, T3))
        again = sync.run("customers_in")
        assert (again.rows_read, again.rows_written, again.rows_failed) == (2, 2, 0)
        got = accounts(runtime.org)
        assert got["2"]["Phone"] == "555-9999" and got["2"]["Id"] == before  # upserted
        assert sorted(got) == ["1", "2", "3", "4", "5", "6"]
        assert sorted(change_types(runtime.org)[5:]) == [("CREATE", ORIGIN), ("UPDATE", ORIGIN)]


def test_a_password_never_shows_in_a_failed_run(tmp_path: Path) -> None:
    """A connection refused at login fails the run with a message naming the connection
    and backend, never the password the secret holds."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "switchboard.yaml").write_text(project_yaml(
        "postgresql+psycopg://nobody@127.0.0.1:1/none", password=True))  # fmt: skip
    settings = prepare_org(tmp_path / "data", f"sqlite:///{tmp_path / 'org.db'}",
                           secrets={"erp_password": "hunter2-very-secret"})  # fmt: skip
    from switchboard.core.retry import RetryPolicy

    with hub(settings, project) as (_runtime, sync):
        runner = sync.runner("customers_in")
        runner.retry = RetryPolicy(attempts=2, backoff=0.01, max_backoff=0.01)
        result = sync.run("customers_in")
    assert result.status == "failed"
    assert result.error and "connection erp_db (postgresql)" in result.error
    assert "hunter2" not in result.error


def test_a_row_without_an_external_id_value_is_refused_every_time(tmp_path: Path) -> None:
    """An upsert with no key value would create a new record on each run; the sync refuses
    the row as a missing required field instead, and writes the rest."""
    with source("sqlite", tmp_path) as src:
        src.insert(row(1, T1, region="R-1"), row(2, T1, region=None), row(3, T1, region="R-3"))
        project = tmp_path / "project"
        project.mkdir()
        (project / "switchboard.yaml").write_text(project_yaml(
            src.url, batch_size=10, fields="{Name: name, ERP_Id__c: region}"))  # fmt: skip
        settings = prepare_org(tmp_path / "data", f"sqlite:///{tmp_path / 'org.db'}")
        with hub(settings, project) as (runtime, sync):
            first = sync.run("customers_in")
            assert (first.rows_written, first.rows_failed) == (2, 1)
            src.update(2, updated_at=T3)  # read again by the next run, still without a key
            again = sync.run("customers_in")
            assert (again.rows_read, again.rows_written, again.rows_failed) == (1, 0, 1)
            assert sorted(accounts(runtime.org)) == ["R-1", "R-3"]
            from switchboard.patterns.sync import report

            assert [e["errors"] for e in report.errors(runtime.org.store, "customers_in")] == [[{
                "message": "Required fields are missing: [ERP_Id__c]",
                "errorCode": "REQUIRED_FIELD_MISSING", "fields": ["ERP_Id__c"]}]]  # fmt: skip


def test_only_the_latest_runs_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from switchboard.patterns.sync import report, runner

    monkeypatch.setattr(runner, "KEEP_RUNS", 3)
    with source("sqlite", tmp_path) as src:
        src.insert(row(1, T1))
        project = tmp_path / "project"
        project.mkdir()
        (project / "switchboard.yaml").write_text(project_yaml(src.url))
        settings = prepare_org(tmp_path / "data", f"sqlite:///{tmp_path / 'org.db'}")
        with hub(settings, project) as (runtime, sync):
            ids = [sync.run("customers_in").run_id for _ in range(6)]
            import sqlalchemy as sa

            from switchboard.patterns.sync.tables import run

            with runtime.org.store.read() as conn:
                kept = conn.execute(sa.select(run.c.id).order_by(run.c.id)).scalars().all()
            assert kept == ids[-3:]
            assert report.status(runtime.org.store)[0]["lastRun"]["id"] == ids[-1]
