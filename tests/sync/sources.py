"""Source databases for the sync tests: a real SQLite file, and fresh PostgreSQL and
MariaDB databases (dropped afterwards), each holding a ``customers`` table written
through SQLAlchemy Core.

PostgreSQL and MariaDB sources skip when the server is unreachable, unless
SWITCHBOARD_REQUIRE_SERVICES is set (as in CI), where they fail instead. The MariaDB
source logs in as a user of its own with a password, so the connection's
``{secret: NAME}`` is exercised; ``password`` is that value (set it as the secret).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from support.databases import PG_ADMIN, _pg_connect, services_required

MARIADB = os.environ.get("SWITCHBOARD_TEST_MARIADB", "mysql+pymysql://root@127.0.0.1:3306/")
SOURCES = ["sqlite", "postgresql", "mariadb"]

metadata = sa.MetaData()
customers = sa.Table(
    "customers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(80)),
    sa.Column("phone", sa.String(40)),
    sa.Column("region", sa.String(40)),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Index("ix_customers_cursor", "updated_at", "id"),
)


@dataclass
class Source:
    kind: str
    url: str  # as the project writes it: no password
    engine: sa.Engine
    password: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def insert(self, *rows: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(customers.insert(), [dict(r) for r in rows])

    def update(self, row_id: int, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(customers.update().where(customers.c.id == row_id).values(**values))


def row(i: int, at: datetime, name: str | None = None, **more: Any) -> dict[str, Any]:
    return {"id": i, "name": name or f"Customer {i}", "phone": f"555-{i:04d}",
            "region": "EMEA", "updated_at": at, **more}  # fmt: skip


def _unreachable(what: str, exc: Exception) -> None:
    if services_required():
        raise exc
    pytest.skip(f"{what} is not reachable: {type(exc).__name__}: {str(exc)[:120]}")


@contextmanager
def source(kind: str, tmp: Path) -> Iterator[Source]:
    if kind == "sqlite":
        path = tmp / "erp.db"
        engine = sa.create_engine(f"sqlite:///{path}")
        metadata.create_all(engine)
        try:
            yield Source(kind, f"sqlite:///{path}", engine)
        finally:
            engine.dispose()
        return
    name = "sb_sync_" + secrets.token_hex(5)
    if kind == "postgresql":
        admin = _pg_connect()
        admin.execute(f'CREATE DATABASE "{name}"')
        url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + name
        engine = sa.create_engine(url)
        try:
            metadata.create_all(engine)
            yield Source(kind, url, engine)
        finally:
            engine.dispose()
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
        return
    assert kind == "mariadb"
    root = sa.create_engine(MARIADB)
    try:
        with root.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        root.dispose()
        _unreachable("MariaDB", exc)
    password = secrets.token_urlsafe(12)
    with root.begin() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE `{name}`")
        conn.exec_driver_sql(f"CREATE USER '{name}'@'%%' IDENTIFIED BY %s", (password,))
        conn.exec_driver_sql(f"CREATE USER '{name}'@'localhost' IDENTIFIED BY %s", (password,))
        conn.exec_driver_sql(f"GRANT ALL ON `{name}`.* TO '{name}'@'%%'")
        conn.exec_driver_sql(f"GRANT ALL ON `{name}`.* TO '{name}'@'localhost'")
    base = sa.make_url(MARIADB)
    url = base.set(username=name, database=name)
    engine = sa.create_engine(url.set(password=password))
    try:
        metadata.create_all(engine)
        yield Source(kind, url.render_as_string(hide_password=False), engine, password)
    finally:
        engine.dispose()
        with root.begin() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
            conn.exec_driver_sql(f"DROP USER IF EXISTS '{name}'@'%%'")
            conn.exec_driver_sql(f"DROP USER IF EXISTS '{name}'@'localhost'")
        root.dispose()
