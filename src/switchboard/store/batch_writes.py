"""Batch INSERTs and UPDATEs handed to the database driver as rows of tuples.

The DML path writes records in batches (a bulk chunk is 5,000 rows). Through
SQLAlchemy's ``Connection.execute(stmt, [dict, ...])`` every row became a parameter
dict that went through the compiled statement's parameter machinery, one value at a
time; for a bulk upsert that bookkeeping cost more than SQLite's own work. Here the
statement text is rendered once per (table, columns, dialect) and the rows go to the
driver's ``executemany`` as tuples. Values still pass through SQLAlchemy's own bind
processors for the columns whose type has one (SQLite stores dates, datetimes and
booleans through them), so what lands in a column is exactly what ``execute`` would
have written; a batch stamps many rows with the same datetime, so each distinct value is
processed once per batch.

On PostgreSQL large inserts go through ``COPY ... FROM STDIN`` in the same
transaction: every value has been validated and coerced before it gets here, and COPY
skips the per-row statement round trip entirely. Errors from COPY are wrapped as
SQLAlchemy's ``DBAPIError`` so the store's retry logic sees them as it sees any other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import dialects

# Below this many rows an INSERT batch is not worth a COPY's setup on PostgreSQL.
_COPY_FROM = 64


@dataclass(frozen=True, slots=True)
class _Statement:
    sql: str
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]
    copy_sql: str = ""


_CACHE: dict[tuple[int, str, str, tuple[str, ...]], tuple[sa.Table, _Statement]] = {}
_LOCK = threading.Lock()


def _statement(
    conn: Connection, table: sa.Table, kind: str, columns: tuple[str, ...]
) -> _Statement:
    dialect = conn.dialect
    key = (id(table), kind, dialect.name, columns)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is table:  # a redeployed table is a new object
        return hit[1]
    quote = dialect.identifier_preparer
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    cols = [table.c[c] for c in columns]
    names = [quote.format_column(c) for c in cols]
    name = quote.format_table(table)
    copy_sql = ""
    # Only identifiers from the table's metadata, quoted by the dialect, go into the
    # text; every value is a bound parameter.
    if kind == "insert":
        marks = ", ".join([mark] * len(cols))
        sql = f"INSERT INTO {name} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608
        copy_sql = f"COPY {name} ({', '.join(names)}) FROM STDIN"
    else:  # update: the last column is the key the others are set by
        sets = ", ".join(f"{n} = {mark}" for n in names[:-1])
        sql = f"UPDATE {name} SET {sets} WHERE {names[-1]} = {mark}"  # noqa: S608
    processors = tuple(
        (i, proc)
        for i, c in enumerate(cols)
        if (proc := c.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    )
    stmt = _Statement(sql, processors, copy_sql)
    with _LOCK:
        if len(_CACHE) > 4096:
            _CACHE.clear()
        _CACHE[key] = (table, stmt)
    return stmt


def _bind(stmt: _Statement, rows: Sequence[tuple[Any, ...]]) -> Sequence[tuple[Any, ...]]:
    if not stmt.processors or not rows:
        return rows
    # Column by column: zip transposes in C, and a batch repeats its values (every row
    # carries the transaction's stamps), so each distinct value is processed once and
    # the column is mapped through a dict, also in C. Row by row this was 5% of a bulk
    # upsert on SQLite.
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
    for i, proc in stmt.processors:
        column = columns[i]
        done = {v: proc(v) for v in dict.fromkeys(column) if v is not None}
        done[None] = None
        columns[i] = list(map(done.__getitem__, column))
    return list(zip(*columns, strict=True))


def insert_rows(
    conn: Connection, table: sa.Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """``INSERT INTO table (columns) VALUES (...)`` once per row (a tuple) of ``rows``."""
    if not rows:
        return
    stmt = _statement(conn, table, "insert", tuple(columns))
    if len(rows) >= _COPY_FROM and dialects.of(conn).copy_from:
        _copy(conn, stmt, rows)
        return
    conn.exec_driver_sql(stmt.sql, _bind(stmt, rows))


def update_rows(
    conn: Connection,
    table: sa.Table,
    columns: Sequence[str],
    key: str,
    rows: Sequence[tuple[Any, ...]],
) -> None:
    """``UPDATE table SET columns = ... WHERE key = ...`` per row; each row holds the
    values of ``columns`` followed by the key's value."""
    if not rows:
        return
    stmt = _statement(conn, table, "update", (*columns, key))
    conn.exec_driver_sql(stmt.sql, _bind(stmt, rows))


def _copy(conn: Connection, stmt: _Statement, rows: Sequence[tuple[Any, ...]]) -> None:
    raw = conn.connection.dbapi_connection
    assert raw is not None
    try:
        with raw.cursor() as cur, cur.copy(stmt.copy_sql) as copy:  # type: ignore[attr-defined]
            for row in _bind(stmt, rows):
                copy.write_row(row)
    except Exception as exc:
        dbapi = conn.dialect.loaded_dbapi
        if isinstance(exc, dbapi.Error):
            raise sa.exc.DBAPIError.instance(stmt.copy_sql, None, exc, dbapi.Error) from exc
        raise


__all__ = ["insert_rows", "update_rows"]
