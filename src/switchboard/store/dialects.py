"""What differs between the two store backends, as one object per backend.

The Store picks its dialect once (``store.dialect``); code holding only a connection
asks :func:`of`. Callers call operations (``lock``, ``notify``, ``one_of``, ...) and
never test the backend's name, so a difference lives here, beside its twin, rather
than as ``if name == "postgresql"`` branches spread over the layers.

SQLite runs in one process shape (writers serialized by the store, readers on WAL
snapshots), so most operations are no-ops there: no advisory locks (a transaction
already holds the database's write lock), no notifications (other processes poll),
no transaction ids (a reader never sees a gap that may still fill).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

# SQLSTATEs worth running the transaction again: serialization_failure, deadlock_detected.
_PG_CONFLICTS = {"40001", "40P01"}


class Dialect:
    """The operations callers need; :class:`SqliteDialect` and
    :class:`PostgresDialect` implement them."""

    name = ""
    listens = False  # LISTEN/NOTIFY reaches other processes (see store.listen)
    copy_from = False  # COPY ... FROM STDIN is the fastest bulk insert
    needs_statistics = False  # the planner needs ANALYZE after a table grows

    def is_conflict(self, exc: Exception) -> bool:
        """Whether a driver error is a lock or serialization conflict, which running the
        transaction again may get past (the store retries those)."""
        return False

    def lock(self, conn: Connection, key: str) -> None:
        """Serialize transactions on ``key`` until this one ends."""

    def notify(self, conn: Connection, channel: str) -> None:
        """Wake other processes' listeners of ``channel`` when this transaction commits."""

    def take_xid(self, conn: Connection) -> int | None:
        """Give this transaction its id now (None where there are none)."""
        return None

    def take_xid_and_notify(self, conn: Connection, channel: str) -> None:
        """:meth:`take_xid` and :meth:`notify` (one round trip where both exist)."""
        self.take_xid(conn)
        self.notify(conn, channel)

    def snapshot_xmin(self, conn: Connection) -> int | None:
        """The oldest transaction id still running (None where there are none)."""
        return None

    def one_of(self, conn: Connection, expr: Any, values: Sequence[Any]) -> Any:
        """A condition true where ``expr`` equals one of ``values`` (see store.match)."""
        return expr.in_(sa.bindparam(None, list(values), expanding=True))

    def listen_url(self, engine: sa.Engine) -> str:
        """A driver URL for a dedicated LISTEN connection."""
        raise NotImplementedError(f"{self.name} has no LISTEN")


class SqliteDialect(Dialect):
    name = "sqlite"

    def is_conflict(self, exc: Exception) -> bool:
        text = str(getattr(exc, "orig", exc)).lower()
        return "locked" in text or "busy" in text

    def one_of(self, conn: Connection, expr: Any, values: Sequence[Any]) -> Any:
        dialect = conn.dialect
        if (
            values
            and all(type(v) is str for v in values)
            and expr.type.dialect_impl(dialect).bind_processor(dialect) is None
        ):
            # One JSON array read back by json_each: SQLite plans it as the index search
            # of a literal IN list, but SQLAlchemy binds one parameter, not 500.
            listed = sa.func.json_each(sa.bindparam(None, orjson.dumps(list(values)).decode()))
            return expr.in_(sa.select(listed.table_valued("value").c.value))
        # Other values keep an expanding IN so each passes its column type's bind
        # processing (SQLite stores dates as text).
        return super().one_of(conn, expr, values)


class PostgresDialect(Dialect):
    name = "postgresql"
    listens = True
    copy_from = True
    needs_statistics = True

    def is_conflict(self, exc: Exception) -> bool:
        orig = getattr(exc, "orig", exc)
        code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        return code in _PG_CONFLICTS

    def lock(self, conn: Connection, key: str) -> None:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})

    def notify(self, conn: Connection, channel: str) -> None:
        conn.execute(sa.text("SELECT pg_notify(:c, '')"), {"c": channel})

    def take_xid(self, conn: Connection) -> int | None:
        return int(conn.exec_driver_sql("SELECT pg_current_xact_id()::text").scalar_one())

    def take_xid_and_notify(self, conn: Connection, channel: str) -> None:
        conn.execute(sa.text("SELECT pg_current_xact_id(), pg_notify(:c, '')"), {"c": channel})

    def snapshot_xmin(self, conn: Connection) -> int | None:
        sql = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text"
        return int(conn.exec_driver_sql(sql).scalar_one())

    def one_of(self, conn: Connection, expr: Any, values: Sequence[Any]) -> Any:
        # ``= ANY(:array)``: one array parameter instead of 500 rendered and parsed.
        # lower(col) and other untyped functions compare as text.
        item = sa.Text() if isinstance(expr.type, sa.types.NullType) else expr.type
        return expr == sa.any_(sa.literal(list(values), type_=postgresql.ARRAY(item)))

    def listen_url(self, engine: sa.Engine) -> str:
        return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


_BY_NAME: dict[str, Dialect] = {"sqlite": SqliteDialect(), "postgresql": PostgresDialect()}


def for_name(name: str) -> Dialect:
    """The dialect of a SQLAlchemy dialect name (the Store calls this once)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(f"unsupported database backend: {name}") from None


def of(conn: Connection) -> Dialect:
    """The dialect of the database ``conn`` is connected to."""
    return for_name(conn.dialect.name)


__all__ = ["Dialect", "PostgresDialect", "SqliteDialect", "for_name", "of"]
