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

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection


def one_of(conn: Connection, expr: Any, values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """A condition true where ``expr`` equals one of ``values``."""
    if conn.dialect.name == "postgresql":
        # lower(col) and other untyped functions compare as text
        item = sa.Text() if isinstance(expr.type, sa.types.NullType) else expr.type
        return expr == sa.any_(sa.literal(list(values), type_=postgresql.ARRAY(item)))
    dialect = conn.dialect
    if (
        values
        and all(type(v) is str for v in values)
        and expr.type.dialect_impl(dialect).bind_processor(dialect) is None
    ):
        listed = sa.func.json_each(sa.bindparam(None, orjson.dumps(list(values)).decode()))
        return expr.in_(sa.select(listed.table_valued("value").c.value))  # type: ignore[no-any-return]
    # One expanding parameter rather than a list of literals: SQLAlchemy otherwise checks
    # and wraps every value when the statement is built (half a million calls on a bulk
    # upsert of 100,000 rows), and the statement's compiled form is cached.
    return expr.in_(sa.bindparam(None, list(values), expanding=True))  # type: ignore[no-any-return]


__all__ = ["one_of"]
