"""``expr IN (values)`` for batch lookups, in the form each database plans best.

The DML path looks rows up by hundreds of keys at a time (upsert keys, unique values,
lookups, ids to update). On PostgreSQL an expanded ``IN (:p1, ..., :p500)`` made
SQLAlchemy render and psycopg bind 500 parameters and the server parse them, per query;
``= ANY(:array)`` sends one array parameter and was about 4x faster here for 20,000
keys in chunks of 500. SQLite has no arrays, so it keeps an ``IN`` expanded when the
statement runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection


def one_of(conn: Connection, expr: Any, values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """A condition true where ``expr`` equals one of ``values``."""
    if conn.dialect.name == "postgresql":
        # lower(col) and other untyped functions compare as text
        item = sa.Text() if isinstance(expr.type, sa.types.NullType) else expr.type
        return expr == sa.any_(sa.literal(list(values), type_=postgresql.ARRAY(item)))
    # One expanding parameter rather than a list of literals: SQLAlchemy otherwise checks
    # and wraps every value when the statement is built (half a million calls on a bulk
    # upsert of 100,000 rows), and the statement's compiled form is cached.
    return expr.in_(sa.bindparam(None, list(values), expanding=True))  # type: ignore[no-any-return]


__all__ = ["one_of"]
