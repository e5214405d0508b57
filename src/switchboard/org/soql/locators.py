"""Query locators: the state behind ``nextRecordsUrl``.

A locator row keeps the query text, whether deleted rows were wanted and the page size;
the position travels in the URL (``01g...-2000``, rows already returned), as in
Salesforce. Fetching the next page re-runs the cached plan from that position, over the
total order the compiler always imposes, so pages never overlap. A locator unused for
``query_locator_ttl`` seconds answers INVALID_QUERY_LOCATOR.

Aggregate queries are the exception to re-running: every group has to be computed before
the first page is known, so re-running would compute them all again for each page. Their
groups are kept in :class:`KeptGroups`, in the memory of the process that computed them,
and later pages are cut from there. The database row stays the locator's state: a page
asked of another process, or after the groups were evicted, recomputes them as before.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ...core import clock, ids
from ...store.engine import Store
from . import tables as soql_tables
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
    t = soql_tables.query_locator

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
    t = soql_tables.query_locator
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


# Group rows kept across all locators of one engine, and the most one result may hold.
# A row is a tuple of a few driver values (~100-300 bytes), so this is tens of MB at
# most; a result too large to keep is recomputed per page, which is what it cost before.
KEPT_ROWS = 200_000


class KeptGroups:
    """Computed aggregate rows by locator id, least recently used evicted first.

    An entry is only used for the plan it was computed with (a schema change or a plan
    cache eviction means a fresh computation), and not past ``ttl`` seconds since its last
    use, like the locator itself. Since the pages of a locator come from one computation,
    rows written between pages cannot shift groups across a page boundary.
    """

    def __init__(self, ttl: float, limit: int = KEPT_ROWS) -> None:
        self.ttl = ttl
        self.limit = limit
        self.rows = 0
        self._items: OrderedDict[str, tuple[object, list[Any], float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, locator: str, plan: object) -> list[Any] | None:
        now = time.monotonic()
        with self._lock:
            found = self._items.get(locator)
            if found is None:
                return None
            if found[0] is not plan or now - found[2] > self.ttl:
                self._drop(locator)
                return None
            self._items[locator] = (found[0], found[1], now)
            self._items.move_to_end(locator)
            return found[1]

    def put(self, locator: str, plan: object, rows: list[Any]) -> None:
        if len(rows) > self.limit:
            return
        now = time.monotonic()
        with self._lock:
            self._drop(locator)
            self._items[locator] = (plan, rows, now)
            self.rows += len(rows)
            while self.rows > self.limit or (
                self._items and now - next(iter(self._items.values()))[2] > self.ttl
            ):
                self._drop(next(iter(self._items)))

    def discard(self, locator: str) -> None:
        with self._lock:
            self._drop(locator)

    def _drop(self, locator: str) -> None:
        found = self._items.pop(locator, None)
        if found is not None:
            self.rows -= len(found[1])

    def __len__(self) -> int:
        return len(self._items)


__all__ = ["KEPT_ROWS", "PREFIX", "KeptGroups", "Locator", "create", "load"]
