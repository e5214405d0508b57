"""Versioned migrations of the org's own tables.

Each step runs once, in order, inside one write transaction, and records its version
in ``sb_migration``. A data directory made by an earlier build opens in a later one by
running the steps it lacks; one made by a later build is refused rather than guessed at.
Append steps; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..core import clock
from . import internal
from .engine import Store
from .errors import MigrationError


def _v1_initial(conn: Connection) -> None:
    internal.metadata.create_all(
        conn,
        tables=[
            internal.meta,
            internal.custom_object,
            internal.custom_field,
            internal.credential,
            internal.app,
            internal.token,
            internal.event,
            internal.api_usage,
            internal.autonumber,
        ],
    )


def _v2_identity(conn: Connection) -> None:
    internal.metadata.create_all(
        conn, tables=[internal.auth_code, internal.security_token, internal.token_link]
    )


def _v3_bulk(conn: Connection) -> None:
    internal.metadata.create_all(conn, tables=[internal.bulk_job, internal.bulk_batch])


def _v4_query_locators(conn: Connection) -> None:
    internal.metadata.create_all(conn, tables=[internal.query_locator])


def _v5_app_usage(conn: Connection) -> None:
    internal.metadata.create_all(conn, tables=[internal.api_app_usage])


# The version that began the delete log: deletions before it were never logged.
DELETE_LOG = 6


def _v6_delete_log(conn: Connection) -> None:
    internal.metadata.create_all(conn, tables=[internal.delete_log])


def _v7_files(conn: Connection) -> None:
    # The files layer's tables (org/files/tables.py); the coordinator re-homes this step
    # into the org layer's own chain when migrations split per layer.
    from ..org.files import tables as files_tables

    files_tables.metadata.create_all(conn, tables=files_tables.TABLES)


STEPS: list[tuple[int, Callable[[Connection], None]]] = [
    (1, _v1_initial),
    (2, _v2_identity),
    (3, _v3_bulk),
    (4, _v4_query_locators),
    (5, _v5_app_usage),
    (DELETE_LOG, _v6_delete_log),
    (7, _v7_files),
]

LATEST = STEPS[-1][0]


def current_version(conn: Connection) -> int:
    if not sa.inspect(conn).has_table(internal.migration.name):
        return 0
    return conn.execute(sa.select(sa.func.max(internal.migration.c.version))).scalar() or 0


def migrate(store: Store) -> int:
    """Bring the internal tables to the latest version; returns the version."""

    def work(conn: Connection) -> int:
        internal.migration.create(conn, checkfirst=True)
        have = current_version(conn)
        if have > LATEST:
            raise MigrationError(
                f"The database is at migration {have}, newer than this build's {LATEST}; "
                "upgrade Switchboard to open it"
            )
        for version, step in STEPS:
            if version > have:
                step(conn)
                conn.execute(
                    internal.migration.insert().values(version=version, applied_at=clock.now())
                )
        return LATEST

    if store.is_sqlite:
        return store.write(work)

    # Several processes may start at once against one PostgreSQL: an advisory lock makes
    # the first one migrate while the others wait, instead of racing on CREATE TABLE.
    def locked(conn: Connection) -> int:
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")
        return work(conn)

    return store.write(locked)


__all__ = ["DELETE_LOG", "LATEST", "STEPS", "current_version", "migrate"]
