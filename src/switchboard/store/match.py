"""``expr IN (values)`` for batch lookups, in the form each database plans best.

The DML path looks rows up by hundreds of keys at a time (upsert keys, unique values,
lookups, ids to update). On PostgreSQL an expanded ``IN (:p1, ..., :p500)`` made
SQLAlchemy render and psycopg bind 500 parameters and the server parse them, per query;
``= ANY(:array)`` sends one array parameter and was about 4x faster here for 20,000
keys in chunks of 500. SQLite has no arrays; text values (ids, folded keys) go as one
JSON array read back by ``json_each``, which SQLite plans as the same index search as a
literal ``IN`` list, while SQLAlchemy binds one parameter instead of expanding 500 on
every execution (that expansion was two thirds of a lookup's time on a bulk upsert).
Other values keep an ``IN`` expanded when the statement runs, so each passes through its
column type's bind processing (SQLite stores dates as text).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import dialects


def one_of(conn: Connection, expr: Any, values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """A condition true where ``expr`` equals one of ``values``: each backend's form
    (:meth:`store.dialects.Dialect.one_of`)."""
    return dialects.of(conn).one_of(conn, expr, values)  # type: ignore[no-any-return]


__all__ = ["one_of"]
