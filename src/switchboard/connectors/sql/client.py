"""Reading a table of an external SQL database in pages, in a stable order.

:meth:`SqlClient.read_page` returns rows ordered by ``(cursor, key)`` that come strictly
after a position ``(cursor value, key value)``: the key breaks ties between rows sharing
a cursor value, so a page boundary that falls among them loses none and repeats none
(``updated_at`` is rarely unique). The condition is written ``c > a OR (c = a AND k > b)``
rather than a row-value comparison, which every backend reads and an index on
``(cursor, key)`` serves. Rows whose cursor or key is NULL have no position, so they are
never read.

The table is reflected once per client, and columns are taken from it, so every name is
quoted by SQLAlchemy and every value is a bound parameter. The engine is created on the
first read (the driver is imported then), with the password read from the secret store
at that moment; it is never part of a message or a log line.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from .configuration import ConnectionConfig
from .errors import SqlInvalid, SqlUnavailable

log = logging.getLogger("switchboard.connectors.sql")

# The connect-timeout argument of each DBAPI driver (data, not branches: a driver not
# listed gets none, and the backend's own default applies).
_TIMEOUT_ARG = {
    "psycopg": "connect_timeout",
    "psycopg2": "connect_timeout",
    "pymysql": "connect_timeout",
    "mysqldb": "connect_timeout",
    "mariadbconnector": "connect_timeout",
    "pysqlite": "timeout",
}
# Failures of the connection rather than of the statement: the same read may succeed later.
_TRANSIENT = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError,
              sa_exc.DisconnectionError)  # fmt: skip


class SqlClient:
    """One connection's engine and its reflected tables."""

    def __init__(self, name: str, config: ConnectionConfig, *, secrets: Any = None,
                 base_dir: Path | None = None) -> None:  # fmt: skip
        self.name = name
        self.config = config
        self.secrets = secrets
        self.base_dir = base_dir
        self.backend = config.backend
        self._engine: sa.Engine | None = None
        self._tables: dict[str, sa.Table] = {}

    # -- engine ---------------------------------------------------------------------------
    def _url(self) -> sa.URL:
        url = sa.make_url(self.config.url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            path = Path(url.database or "")
            if not path.is_absolute() and self.base_dir is not None:
                url = url.set(database=str(self.base_dir / path))
        if self.config.password is not None:
            url = url.set(password=self._secret(self.config.password.secret))
        return url

    def _secret(self, ref: str) -> str:
        if self.secrets is None:
            raise SqlInvalid(f"connection {self.name}: its password is secret {ref}, and no "
                             "secret store is at hand")  # fmt: skip
        try:
            return str(self.secrets.get(ref))
        except Exception as exc:
            if getattr(exc, "transient", False):
                raise
            raise SqlInvalid(f"connection {self.name}: secret {ref} is not set; run "
                             f"`switchboard secret set {ref}`") from None  # fmt: skip

    def engine(self) -> sa.Engine:
        if self._engine is None:
            url = self._url()
            args: dict[str, Any] = {}
            arg = _TIMEOUT_ARG.get(url.get_driver_name())
            if arg is not None:
                args[arg] = int(self.config.connect_timeout) or 1
            try:
                self._engine = sa.create_engine(url, pool_pre_ping=True, connect_args=args)
            except (sa_exc.NoSuchModuleError, ImportError, sa_exc.ArgumentError) as exc:
                raise SqlInvalid(f"connection {self.name}: no driver for {self.backend} "
                                 f"({type(exc).__name__}); install it with pip") from None  # fmt: skip
        return self._engine

    def failure(self, exc: BaseException, doing: str) -> Exception:
        """A driver's or SQLAlchemy's error as this connector's, transient or not. The
        message keeps the driver's first line only: SQLAlchemy's own text appends the
        statement and its parameters."""
        orig = getattr(exc, "orig", None) or exc
        first = (str(orig).strip().splitlines() or [""])[0][:200]
        message = f"connection {self.name} ({self.backend}): {doing} failed: " \
            f"{type(orig).__name__}: {first}"  # fmt: skip
        connection_lost = bool(getattr(exc, "connection_invalidated", False))
        if isinstance(exc, _TRANSIENT) or connection_lost:
            return SqlUnavailable(message)
        return SqlInvalid(message)

    # -- tables ---------------------------------------------------------------------------
    def table(self, name: str) -> sa.Table:
        """The reflected table ``name`` (``schema.table`` names another schema)."""
        found = self._tables.get(name)
        if found is not None:
            return found
        schema, _, bare = name.rpartition(".")
        try:
            found = sa.Table(bare, sa.MetaData(), schema=schema or None,
                             autoload_with=self.engine())  # fmt: skip
        except sa_exc.NoSuchTableError:
            raise SqlInvalid(f"connection {self.name}: no table {name}") from None
        except sa_exc.SQLAlchemyError as exc:
            raise self.failure(exc, f"reading the columns of {name}") from None
        self._tables[name] = found
        return found

    def column(self, table: sa.Table, name: str) -> sa.Column[Any]:
        """``table``'s column ``name``, matched exactly, else regardless of case."""
        if name in table.c:
            return table.c[name]
        folded = [c for c in table.c if c.name.lower() == name.lower()]
        if len(folded) == 1:
            return folded[0]
        known = ", ".join(c.name for c in table.c)
        raise SqlInvalid(f"connection {self.name}: table {table.fullname} has no column "
                         f"{name!r} (it has: {known})")  # fmt: skip

    # -- reading --------------------------------------------------------------------------
    def read_page(
        self,
        table_name: str,
        columns: Sequence[str],
        *,
        cursor: str,
        key: str,
        after: tuple[Any, Any] | None,
        limit: int,
    ) -> list[dict[str, Any]]:
        """Up to ``limit`` rows after ``after`` in ``(cursor, key)`` order, each a dict of
        ``columns`` (plus the cursor and key columns) by the names asked for."""
        table = self.table(table_name)
        names = list(dict.fromkeys([cursor, key, *columns]))
        cols = [self.column(table, n) for n in names]
        c, k = self.column(table, cursor), self.column(table, key)
        stmt = sa.select(*cols).where(c.is_not(None), k.is_not(None))
        if after is not None:
            a, b = after
            stmt = stmt.where(sa.or_(c > a, sa.and_(c == a, k > b)))
        stmt = stmt.order_by(c, k).limit(limit)
        try:
            with self.engine().connect() as conn:
                rows = conn.execute(stmt).all()
        except SqlInvalid:
            raise
        except sa_exc.SQLAlchemyError as exc:
            raise self.failure(exc, f"reading {table_name}") from None
        return [dict(zip(names, row, strict=True)) for row in rows]

    async def close(self) -> None:
        self.close_now()

    def close_now(self) -> None:
        """:meth:`close` for code off the event loop (the CLI)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        self._tables.clear()


__all__ = ["SqlClient"]
