"""Durable consumers: every committed event causes its work exactly once, also while the
next batch is read ahead of the last one's commit and while a second consumer of the
same name (another process's) keeps moving the cursor under it."""

from __future__ import annotations

import asyncio
import collections
import threading

import sqlalchemy as sa

from switchboard.core import clock
from switchboard.events import consumers, log
from switchboard.events.consumers import DurableConsumer
from switchboard.events.hub import EventHub
from switchboard.events.replay import Event
from switchboard.org.migrations import ORG_CHAINS
from switchboard.store import open_store
from switchboard.store.migrations import migrate

CHANNEL = "/event/Work__e"
done_meta = sa.MetaData()
# The work each event causes; no unique key, so work done twice would show as two rows.
done = sa.Table("t_consumer_done", done_meta, sa.Column("event_id", sa.BigInteger))


def test_every_event_is_worked_once_with_two_consumers_of_one_cursor(db_url: str) -> None:
    store = open_store(db_url)
    migrate(store, ORG_CHAINS)
    store.write(lambda c: (consumers.ensure(c), done_meta.create_all(c)))
    hub = EventHub(store, poll_interval=0.02).start()
    appended: list[int] = []

    def writer() -> None:
        for i in range(300):
            ids = store.write(
                lambda c, i=i: log.append(c, [(CHANNEL, {"n": i})], clock.now(), returning=True)
            )
            appended.extend(ids)

    def handle(events: list[Event]) -> consumers.Work:
        rows = [{"event_id": e.id} for e in events]
        return lambda conn: conn.execute(done.insert(), rows)

    async def main() -> None:
        stop = asyncio.Event()
        pair = [
            DurableConsumer(store, hub, "work", [CHANNEL], batch=7, wait=0.05) for _ in range(2)
        ]
        for c in pair:
            await asyncio.to_thread(c.open, 0)
        tasks = [asyncio.create_task(c.run(handle, stop)) for c in pair]
        thread = threading.Thread(target=writer)
        thread.start()
        await asyncio.to_thread(thread.join)
        last = max(appended)
        for _ in range(600):
            if consumers.position_of(store, "work") == last:
                break
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.gather(*tasks)

    try:
        asyncio.run(main())
        with store.read() as conn:
            worked = collections.Counter(conn.execute(sa.select(done.c.event_id)).scalars())
        position = consumers.position_of(store, "work")
    finally:
        hub.close()
        store.dispose()
    assert len(appended) == 300
    assert position == max(appended)
    assert sorted(worked) == sorted(appended)
    assert set(worked.values()) == {1}
