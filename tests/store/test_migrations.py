"""Per-layer migration chains on both backends: a pre-chain data directory still opens,
a new layer's chain runs only its missing steps, and a newer database is refused."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from support import legacy_schema
from switchboard.core.settings import load
from switchboard.org.dml.context import WriteContext
from switchboard.org.migrations import DELETE_LOG, ORG_CHAINS
from switchboard.org.runtime import Org
from switchboard.store import internal, migrations, open_store
from switchboard.store.errors import MigrationError
from switchboard.store.migrations import Chain, Step

LATEST = {c.name: c.latest for c in [migrations.STORE_CHAIN, *ORG_CHAINS]}


def _rows(conn: Connection) -> list[tuple[str, int]]:
    m = internal.migration
    return sorted((str(c), int(v)) for c, v in conn.execute(sa.select(m.c.chain, m.c.version)))


def _legacy_store(db_url: str, upto: int) -> None:
    """A database as the pre-chain build left it after its migrations 1..``upto``."""
    store = open_store(db_url)
    try:
        store.write(lambda c: legacy_schema.build(c, upto))
        store.write(
            lambda c: c.execute(internal.meta.insert().values(key="left_by_old", value="kept"))
        )
    finally:
        store.dispose()


@pytest.mark.parametrize("upto", [3, 6])
def test_a_pre_chain_database_opens(db_url: str, tmp_path: Path, upto: int) -> None:
    _legacy_store(db_url, upto)
    org = Org.open(load(data_dir=tmp_path, db=db_url))
    try:
        with org.store.read() as conn:
            assert migrations.versions(conn) == {**LATEST, "legacy": upto}
            rows = _rows(conn)
            # The old rows are kept as the legacy chain, with their times.
            assert [v for c, v in rows if c == "legacy"] == list(range(1, upto + 1))
            kept = conn.execute(
                sa.select(internal.meta.c.value).where(internal.meta.c.key == "left_by_old")
            ).scalar()
            assert kept == "kept"
            inspector = sa.inspect(conn)
            for table in legacy_schema.metadata.sorted_tables:
                assert inspector.has_table(table.name), table.name
            m = internal.migration
            began = conn.execute(
                sa.select(m.c.applied_at).where(
                    m.c.chain == DELETE_LOG[0], m.c.version == DELETE_LOG[1]
                )
            ).scalar()
        # A step the old build had done is recorded at the old time, not run again;
        # one it lacked ran now.
        assert (began.year == 2026 and began.month == 1 and began.day == 6) == (upto == 6)
        assert org.boot is not None
        rid = org.create(WriteContext(org.boot.admin_user_id), "Account", {"Name": "after"})
        assert org.retrieve("Account", rid, ["Name"], "59.0")["Name"] == "after"
    finally:
        org.close()
    again = Org.open(load(data_dir=tmp_path, db=db_url))  # runs nothing twice
    try:
        with again.store.read() as conn:
            assert _rows(conn) == rows
    finally:
        again.close()


def test_a_layer_chain_runs_only_its_missing_steps(db_url: str) -> None:
    ran: list[int] = []
    md = sa.MetaData()
    one = sa.Table("sb_test_one", md, sa.Column("id", sa.Integer, primary_key=True))
    two = sa.Table("sb_test_two", md, sa.Column("id", sa.Integer, primary_key=True))

    def v1(conn: Connection) -> None:
        ran.append(1)
        md.create_all(conn, tables=[one])

    def v2(conn: Connection) -> None:
        ran.append(2)
        md.create_all(conn, tables=[two])

    store = open_store(db_url)
    try:
        assert migrations.migrate(store, [Chain("testlayer", [(1, v1)])])["testlayer"] == 1
        got = migrations.migrate(store, [Chain("testlayer", [Step(1, v1), Step(2, v2)])])
        assert got["testlayer"] == 2 and ran == [1, 2]
        # A process that does not know the layer leaves its tables and rows alone.
        assert "testlayer" in migrations.migrate(store, [])
        assert ran == [1, 2]
        with store.read() as conn:
            assert sa.inspect(conn).has_table("sb_test_two")
        with pytest.raises(MigrationError, match="testlayer tables are at migration 2"):
            migrations.migrate(store, [Chain("testlayer", [(1, v1)])])
        with pytest.raises(ValueError, match="unique"):
            migrations.migrate(store, [Chain("x", []), Chain("x", [])])
        with pytest.raises(ValueError, match="rise from 1"):
            migrations.migrate(store, [Chain("y", [(2, v1), (1, v2)])])
    finally:
        store.dispose()


def test_a_newer_database_is_refused(db_url: str, tmp_path: Path) -> None:
    Org.open(load(data_dir=tmp_path, db=db_url)).close()
    store = open_store(db_url)
    newer = LATEST["events"] + 1
    try:
        store.write(
            lambda c: c.execute(
                internal.migration.insert().values(
                    chain="events", version=newer, applied_at=sa.func.now()
                )
            )
        )
    finally:
        store.dispose()
    with pytest.raises(MigrationError) as info:
        Org.open(load(data_dir=tmp_path, db=db_url))
    assert "events" in info.value.message and str(newer) in info.value.message


def test_a_newer_pre_chain_database_is_refused(db_url: str, tmp_path: Path) -> None:
    _legacy_store(db_url, 6)
    store = open_store(db_url)
    try:
        store.write(
            lambda c: c.execute(
                legacy_schema.migration.insert().values(version=7, applied_at=sa.func.now())
            )
        )
    finally:
        store.dispose()
    with pytest.raises(MigrationError, match="migration 7"):
        Org.open(load(data_dir=tmp_path, db=db_url))


def test_processes_starting_together_migrate_once(db_url: str) -> None:
    """Three stores (as three processes would have) migrate one new database at once:
    the dialect's migration lock lets one run each step and the others find it done."""
    errors: list[BaseException] = []

    def migrate_one() -> None:
        store = open_store(db_url)
        try:
            migrations.migrate(store, ORG_CHAINS)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            store.dispose()

    threads = [threading.Thread(target=migrate_one) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    store = open_store(db_url)
    try:
        with store.read() as conn:
            rows = _rows(conn)
        assert len(rows) == len(set(rows)) == sum(LATEST.values())
    finally:
        store.dispose()
