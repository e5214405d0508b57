"""Event delivery: commit-to-subscriber latency and sustained rate, against a raw loop.

    .venv/bin/python bench/events.py [--db URL] [--seconds 3] [--writers N]

Latency: writers commit events at 1,000/s in all (one per transaction) and subscribers
receive them through the event hub (watermark + wake-ups, as the Pub/Sub and CometD
servers do); p50/p99 from commit return to delivery. Rate: the writer commits as fast
as it can for 1 and 10 subscribers. The raw baseline appends the same rows with the
same store and reads them with a tight ``id > last`` polling loop (no watermark, no
wake-ups, no gap safety), in the same run on the same database.

One writer thread suits SQLite (it has one write lock). A PostgreSQL commit waits for
its WAL flush (about 1 ms here), so one writer cannot reach 1,000 commits/s there:
``--writers 4`` shares the rate among concurrent writers, which is also the case where
ids commit out of order and the raw loop (no gap safety) may skip events; "delivered"
shows it.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time

import sqlalchemy as sa

from switchboard.core import clock
from switchboard.events import log
from switchboard.events import tables as event_tables
from switchboard.events.hub import EventHub
from switchboard.org.migrations import ORG_CHAINS
from switchboard.store import open_store
from switchboard.store.engine import Store
from switchboard.store.migrations import migrate

CH = "/event/Bench__e"


def writer(
    store: Store, seconds: float, rate: float | None, stamps: dict[int, float], w: int, of: int
) -> int:
    """Writer ``w`` of ``of``: events numbered w, w + of, ...; ``rate`` is this writer's."""
    k, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        if rate:
            due = start + k / rate
            while time.perf_counter() < due:
                time.sleep(0.0002)
        n = w + k * of
        store.write(lambda c, n=n: log.append(c, [(CH, {"n": n})], clock.now()))
        stamps[n] = time.perf_counter()
        k += 1
    return k


def writers(store: Store, seconds: float, rate: float | None, stamps: dict, of: int) -> int:
    counts = [0] * of

    def one(w: int) -> None:
        counts[w] = writer(store, seconds, rate / of if rate else None, stamps, w, of)

    threads = [threading.Thread(target=one, args=(w,)) for w in range(of)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts)


def hub_subscriber(hub: EventHub, total: list[int], lat: list[float], stamps: dict, stop) -> None:
    after = hub.safe
    while not stop.is_set() or hub.safe > after:
        seen = hub.safe
        events = hub.read(CH, after, 500)
        now = time.perf_counter()
        for e in events:
            t = stamps.get(e.payload["n"])
            if t is not None:
                lat.append(now - t)
        if events:
            after = events[-1].id
            total[0] += len(events)
        else:
            hub.wait_beyond_sync(seen, 0.05)


def raw_subscriber(store: Store, total: list[int], lat: list[float], stamps: dict, stop) -> None:
    ev = event_tables.event
    with store.read() as conn:
        after = conn.execute(sa.select(sa.func.coalesce(sa.func.max(ev.c.id), 0))).scalar()
    idle = 0
    while idle < 3:
        with store.read() as conn:
            rows = conn.execute(
                sa.select(ev.c.id, ev.c.payload)
                .where(ev.c.channel == CH, ev.c.id > after)
                .order_by(ev.c.id)
                .limit(500)
            ).all()
        now = time.perf_counter()
        import orjson

        for r in rows:
            t = stamps.get(orjson.loads(r.payload)["n"])
            if t is not None:
                lat.append(now - t)
        if rows:
            after = rows[-1].id
            total[0] += len(rows)
        elif stop.is_set():
            idle += 1
        time.sleep(0.0005)


def run(store: Store, hub: EventHub | None, subs: int, seconds: float, rate: float | None, of: int):
    stamps: dict[int, float] = {}
    stop = threading.Event()
    totals = [[0] for _ in range(subs)]
    lats: list[list[float]] = [[] for _ in range(subs)]
    threads = []
    for i in range(subs):
        if hub is not None:
            t = threading.Thread(
                target=hub_subscriber, args=(hub, totals[i], lats[i], stamps, stop)
            )
        else:
            t = threading.Thread(
                target=raw_subscriber, args=(store, totals[i], lats[i], stamps, stop)
            )
        t.start()
        threads.append(t)
    time.sleep(0.2)
    t0 = time.perf_counter()
    written = writers(store, seconds, rate, stamps, of)
    elapsed = time.perf_counter() - t0
    stop.set()
    for t in threads:
        t.join(30)
    all_lat = sorted(x for lat in lats for x in lat)
    delivered = min(t[0] for t in totals)
    p = lambda q: all_lat[min(len(all_lat) - 1, int(q * len(all_lat)))] * 1000 if all_lat else 0.0  # noqa: E731
    return written / elapsed, delivered, written, p(0.5), p(0.99)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--writers", type=int, default=1, help="concurrent writer threads")
    args = ap.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    store = open_store(url)
    migrate(store, ORG_CHAINS)
    hub = EventHub(store, poll_interval=0.1).start()
    print(f"database: {store.dialect.name}, {args.writers} writer(s)")
    for label, h in (("hub", hub), ("raw", None)):
        rate, got, wrote, p50, p99 = run(store, h, 1, args.seconds, 1000.0, args.writers)
        print(
            f"{label:4} latency @1000/s: p50 {p50:.2f} ms  p99 {p99:.2f} ms  ({got}/{wrote} delivered)"
        )
    rates = {}
    for subs in (1, 10):
        for label, h in (("hub", hub), ("raw", None)):
            rate, got, wrote, p50, p99 = run(store, h, subs, args.seconds, None, args.writers)
            rates[(label, subs)] = rate
            print(f"{label:4} max rate, {subs:2} subscribers: {rate:8.0f} events/s  "
                  f"p99 {p99:.1f} ms ({got}/{wrote} delivered to each)")  # fmt: skip
        print(
            f"     ratio hub/raw at {subs} subscribers: {rates[('hub', subs)] / rates[('raw', subs)]:.2f}"
        )
    hub.close()
    store.dispose()


if __name__ == "__main__":
    main()
