"""Query locators: the state behind ``nextRecordsUrl``.

A locator row keeps the query text, whether deleted rows were wanted and the page size;
the position travels in the URL (``01g...-2000``, rows already returned), as in
Salesforce. Fetching the next page re-runs the cached plan from that position, over the
total order the compiler always imposes, so pages never overlap. A locator unused for
``query_locator_ttl`` seconds answers INVALID_QUERY_LOCATOR.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from ...core import clock, ids
from ...store import internal
from ...store.engine import Store
from .errors import InvalidQueryLocator

PREFIX = "01g"


@dataclass(slots=True)
class Locator:
    id: str
    query: str
    all_rows: bool
    batch_size: int
    position: int


def _invalid() -> InvalidQueryLocator:
    return InvalidQueryLocator("invalid query locator")


def create(store: Store, query: str, all_rows: bool, batch: int, user: str, ttl: int) -> str:
    now = clock.now()
    locator = ids.new_id(PREFIX)
    t = internal.query_locator

    def work(conn: sa.Connection) -> None:
        conn.execute(t.delete().where(t.c.expires_at < now))
        conn.execute(
            t.insert().values(
                id=locator,
                query=query,
                all_rows=all_rows,
                batch_size=batch,
                user_id=user,
                expires_at=now + dt.timedelta(seconds=ttl),
            )
        )

    store.write(work)
    return locator


def load(store: Store, token: str, ttl: int) -> Locator:
    """The locator named by ``01g...-2000``; its lease is extended on each use."""
    key, _, position = token.partition("-")
    if not key.startswith(PREFIX) or not position.isdigit() or len(position) > 12:
        raise _invalid()
    t = internal.query_locator
    now = clock.now()
    with store.read() as conn:
        row = conn.execute(sa.select(t).where(t.c.id == key)).first()
    if row is None or row.expires_at < now:
        raise _invalid()
    if (row.expires_at - now).total_seconds() < ttl / 2:
        store.write(
            lambda conn: conn.execute(
                t.update().where(t.c.id == key).values(expires_at=now + dt.timedelta(seconds=ttl))
            )
        )
    return Locator(key, row.query, bool(row.all_rows), int(row.batch_size), int(position))


__all__ = ["PREFIX", "Locator", "create", "load"]
