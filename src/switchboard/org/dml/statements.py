"""Statements the DML path builds once and reuses.

SQLAlchemy memoizes the cache key of a statement object it sees again, so executing the
same object skips most of the per-execution compile work; an UPDATE built anew for every
chunk of a bulk job paid it every time.
"""

from __future__ import annotations

import threading

import sqlalchemy as sa

_UPDATES: dict[tuple[int, tuple[str, ...]], tuple[sa.Table, sa.Update]] = {}
_LOCK = threading.Lock()


def update_by_id(table: sa.Table, columns: tuple[str, ...]) -> sa.Update:
    """``UPDATE table SET c = :v_c, ... WHERE id = :k_id`` for ``columns``."""
    key = (id(table), columns)
    hit = _UPDATES.get(key)
    if hit is not None and hit[0] is table:  # a redeployed table is a new object
        return hit[1]
    stmt = (
        table.update()
        .where(table.c.id == sa.bindparam("k_id"))
        .values({c: sa.bindparam(f"v_{c}") for c in columns})
    )
    with _LOCK:
        if len(_UPDATES) > 2048:
            _UPDATES.clear()
        _UPDATES[key] = (table, stmt)
    return stmt


__all__ = ["update_by_id"]
