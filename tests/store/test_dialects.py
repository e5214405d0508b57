"""The dialect object on both backends: what each operation does, and the one LISTEN
helper hearing a notification committed through the store."""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa

from switchboard.store import dialects, open_store
from switchboard.store.listen import Listener


def test_operations_per_backend(db_url: str) -> None:
    store = open_store(db_url)
    try:
        d = store.dialect
        assert dialects.for_name(d.name) is d
        with store.read() as conn:
            assert dialects.of(conn) is d
            xid = d.take_xid(conn)
            assert (xid is not None) == d.listens  # PostgreSQL has xids and LISTEN
            one = sa.literal_column("'b'", sa.String)
            found = conn.execute(sa.select(d.one_of(conn, one, ["a", "b"]))).scalar()
            assert bool(found)
            # Lock and notify are usable inside any write on both backends.
        store.write(lambda c: (d.lock(c, "test.key"), d.notify(c, "sb_test")))
    finally:
        store.dispose()


def test_the_lock_serializes_transactions(db_url: str) -> None:
    store = open_store(db_url)
    order: list[str] = []
    held = threading.Event()

    def first(conn: sa.Connection) -> None:
        store.dialect.lock(conn, "test.serial")
        held.set()
        time.sleep(0.3)
        order.append("first done")

    def second(conn: sa.Connection) -> None:
        store.dialect.lock(conn, "test.serial")
        order.append("second got the lock")

    try:
        t = threading.Thread(target=store.write, args=(first,))
        t.start()
        held.wait(5)
        store.write(second)
        t.join(5)
    finally:
        store.dispose()
    assert order == ["first done", "second got the lock"]


def test_a_listener_hears_a_committed_notify(db_url: str) -> None:
    store = open_store(db_url)
    if not store.dialect.listens:  # SQLite: other processes poll; nothing to hear
        store.dispose()
        return
    heard = threading.Event()
    connected = threading.Event()
    listener = Listener(store, "sb_test_listen", heard.set, on_connect=connected.set).start()
    try:
        assert connected.wait(10)
        store.write(lambda c: store.dialect.notify(c, "sb_test_listen"))
        assert heard.wait(10)
    finally:
        listener.stop()
        store.dispose()
