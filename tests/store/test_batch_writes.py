"""Batch inserts and updates land exactly what they are given, on both backends and on
every path (executemany, and COPY for PostgreSQL's large inserts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from support.databases import database_url
from switchboard.store import open_store
from switchboard.store.batch_writes import insert_rows, update_rows

_T = sa.Table(
    "batch_probe",
    sa.MetaData(),
    sa.Column("id", sa.String(18), primary_key=True),
    sa.Column("name", sa.Text),
    sa.Column("n", sa.BigInteger),
    sa.Column("flag", sa.Boolean),
    sa.Column("at", sa.DateTime),
)
_AT = datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)


def _rows(store) -> dict[str, tuple]:  # type: ignore[no-untyped-def]
    with store.read() as conn:
        got = conn.execute(sa.select(_T).order_by(_T.c.id)).all()
    return {r[0]: tuple(r[1:]) for r in got}


def test_inserts_and_updates_on_every_path(backend: str, tmp_path: Path) -> None:
    with database_url(backend, tmp_path) as url:
        store = open_store(url)
        try:
            store.write(lambda conn: _T.create(conn))
            ids = [f"r{i:03d}" for i in range(200)]
            first = [(i, f"name {i}", n, n % 2 == 0, _AT) for n, i in enumerate(ids)]
            store.write(
                lambda conn: insert_rows(conn, _T, ["id", "name", "n", "flag", "at"], first)
            )
            # 150 rows at once, values and nulls.
            later = _AT + timedelta(days=1)
            big = [(f"new {i}", None if n % 3 == 0 else -n, n % 2 == 1, later, i)
                   for n, i in enumerate(ids[:150])]  # fmt: skip
            store.write(lambda conn: update_rows(conn, _T, ["name", "n", "flag", "at"], "id", big))
            # A small batch (a statement per row), and one naming a key twice: applied in
            # order, the last one wins, as a statement per row would have it.
            small = [("small", 1, i) for i in ids[150:160]]
            twice = [(f"dup {k}", i) for k in range(70) for i in ids[160:162]]
            store.write(lambda conn: update_rows(conn, _T, ["name", "n"], "id", small))
            store.write(lambda conn: update_rows(conn, _T, ["name"], "id", twice))
            rows = _rows(store)
        finally:
            store.dispose()
    naive = later.replace(tzinfo=None)
    assert len(rows) == 200
    for n, i in enumerate(ids[:150]):
        assert rows[i] == (f"new {i}", None if n % 3 == 0 else -n, n % 2 == 1, naive), i
    for n, i in enumerate(ids[150:160], 150):
        assert rows[i] == ("small", 1, n % 2 == 0, _AT.replace(tzinfo=None))
    assert rows[ids[160]][0] == rows[ids[161]][0] == "dup 69"
    assert rows[ids[199]] == ("name r199", 199, False, _AT.replace(tzinfo=None))
