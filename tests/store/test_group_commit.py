"""Group commit on SQLite: writers that share a transaction keep their own fates."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from switchboard.store import open_store
from switchboard.store.engine import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    with s.engine.connect() as c:
        c.exec_driver_sql("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)")
    yield s
    s.dispose()


def _rows(store: Store) -> dict[int, str]:
    with store.read() as c:
        return {k: v for k, v in c.exec_driver_sql("SELECT k, v FROM t")}


def test_a_failing_writer_rolls_back_alone(store: Store) -> None:
    """Many threads write at once; every third one fails half-way. Only the failures'
    rows are missing and each caller gets its own result or its own exception."""
    results: dict[int, object] = {}
    start = threading.Barrier(24)

    def writer(k: int) -> None:
        def work(conn: sa.Connection) -> int:
            conn.exec_driver_sql("INSERT INTO t (k, v) VALUES (?, ?)", (k, f"v{k}"))
            if k % 3 == 0:
                raise ValueError(f"boom {k}")
            return k

        start.wait()
        try:
            results[k] = store.write(work)
        except ValueError as exc:
            results[k] = exc

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = _rows(store)
    for k in range(24):
        if k % 3 == 0:
            assert isinstance(results[k], ValueError) and str(results[k]) == f"boom {k}"
            assert k not in rows
        else:
            assert results[k] == k and rows[k] == f"v{k}"


def test_async_writers_join_the_same_commit(store: Store) -> None:
    async def main() -> list[object]:
        async def one(k: int) -> object:
            def work(conn: sa.Connection) -> int:
                conn.exec_driver_sql("INSERT INTO t (k, v) VALUES (?, ?)", (k, "a"))
                if k == 7:  # a constraint failure inside one writer's savepoint
                    conn.exec_driver_sql("INSERT INTO t (k, v) VALUES (?, NULL)", (1000 + k,))
                return k

            try:
                return await store.write_async(work)
            except Exception as exc:
                return exc

        return await asyncio.gather(*(one(k) for k in range(20)))

    results = asyncio.run(main())
    rows = _rows(store)
    assert isinstance(results[7], sa.exc.IntegrityError) and 7 not in rows and 1007 not in rows
    assert [r for i, r in enumerate(results) if i != 7] == [k for k in range(20) if k != 7]
    assert sorted(rows) == [k for k in range(20) if k != 7]
