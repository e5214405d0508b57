"""The store backends every storage test runs on: SQLite in a temp dir and PostgreSQL.

PostgreSQL tests get a fresh database each; when the server is unreachable they skip,
unless SWITCHBOARD_REQUIRE_SERVICES is set (as in CI), where they fail instead.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PG_ADMIN = os.environ.get("SWITCHBOARD_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = ["sqlite", "postgresql"]


def services_required() -> bool:
    return bool(os.environ.get("SWITCHBOARD_REQUIRE_SERVICES"))


def _pg_connect():  # type: ignore[no-untyped-def]
    import psycopg

    try:
        return psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if services_required():
            raise
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN}: {exc}")


@contextmanager
def database_url(backend: str, tmp: Path) -> Iterator[str]:
    """A URL of an empty database on ``backend``, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp / 'org.db'}"
        return
    name = "sb_test_" + secrets.token_hex(6)
    admin = _pg_connect()
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
