"""The read side of the log: concurrent writers committing out of order, rollbacks,
retention. A subscriber must see every committed event exactly once, never one that
rolled back, and a replay id from before the retention window must be refused."""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from switchboard.core import clock
from switchboard.events import log, replay
from switchboard.events import tables as event_tables
from switchboard.events.errors import ReplayIdTooOld
from switchboard.events.hub import EventHub
from switchboard.org.migrations import ORG_CHAINS
from switchboard.store import open_store
from switchboard.store.migrations import migrate


class Boom(Exception):
    pass


def test_concurrent_writers_never_skip(db_url: str) -> None:
    store = open_store(db_url)
    migrate(store, ORG_CHAINS)
    hub = EventHub(store, poll_interval=0.05).start()
    committed: set[int] = set()
    lock = threading.Lock()
    stop = threading.Event()
    got: list[int] = []

    def writer(w: int) -> None:
        rnd = random.Random(w)
        for i in range(40):
            n = w * 1000 + i

            def work(conn: sa.Connection, n: int = n) -> None:
                log.append(conn, [("/event/T__e", {"n": n})], clock.now())
                # Hold the allocated id a while: later ids commit first meanwhile.
                time.sleep(rnd.uniform(0, 0.02))
                if rnd.random() < 0.15:
                    raise Boom()

            try:
                store.write(work)
            except Boom:
                continue
            with lock:
                committed.add(n)

    def subscriber() -> None:
        after = 0
        while True:
            events = hub.read("/event/T__e", after, 100)
            for e in events:
                got.append(e.payload["n"])
                after = e.id
            if not events:
                if stop.is_set() and hub.safe >= replay.latest_id(store, "/event/T__e", 1 << 62):
                    return
                hub.wait_beyond_sync(hub.safe, 0.2)

    sub = threading.Thread(target=subscriber)
    sub.start()
    writers = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    sub.join(30)
    hub.close()
    store.dispose()
    assert len(got) == len(set(got)), "an event was delivered twice"
    assert set(got) == committed, f"missed {sorted(committed - set(got))[:10]}"


def test_retention_refuses_old_replay_ids(db_url: str) -> None:
    store = open_store(db_url)
    migrate(store, ORG_CHAINS)
    old = clock.now() - timedelta(hours=100)
    store.write(lambda c: log.append(c, [("/event/A__e", {"n": i}) for i in range(3)], old))
    store.write(lambda c: log.append(c, [("/event/A__e", {"n": 9})], clock.now()))
    with store.read() as conn:
        ids = list(conn.execute(sa.select(event_tables.event.c.id).order_by("id")).scalars())
    assert replay.purge(store, 72) == 3
    with pytest.raises(ReplayIdTooOld):
        replay.check_replay(store, ids[0])
    replay.check_replay(store, ids[2])  # everything after it is still there
    hub = EventHub(store).start()
    assert [e.payload["n"] for e in hub.read("/event/A__e", 0, 10)] == [9]
    # The newest event survives even when it is old, so ids are never reused.
    assert replay.purge(store, 0) == 0
    hub.close()
    store.dispose()
