"""kill -9 of the server during a stream of writes through REST. After a restart on the
same database, every committed record change has exactly one change event, in commit
order per record, and a Pub/Sub subscriber resuming from its last replay id sees no gap
and no duplicate. PostgreSQL gets several concurrent writers, whose event ids can
commit out of order; SQLite serializes them."""

from __future__ import annotations

import queue
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pytest
import requests
import sqlalchemy as sa

from support.databases import BACKENDS, database_url
from support.pubsub import Client, token
from support.server import Server, free_port
from switchboard.events import tables as event_tables
from switchboard.store import open_store

TOPIC = "/data/AccountChangeEvent"
WRITERS = {"sqlite": 3, "postgresql": 8}


@pytest.fixture(params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path: Path, local_ca: Path
) -> Iterator[tuple[str, Server]]:
    with database_url(str(request.param), tmp_path) as url:
        srv = Server(
            data_dir=tmp_path,
            db=url,
            port=free_port(),
            ca_dir=local_ca,
            env={"SWITCHBOARD_PUBSUB_KEEPALIVE": "1", "SWITCHBOARD_EVENT_POLL_INTERVAL": "0.05"},
        )
        srv.start()
        try:
            yield str(request.param), srv
        finally:
            srv.stop()


class Writer(threading.Thread):
    """Creates accounts and updates every other one, until the server goes away."""

    def __init__(self, server: Server, w: int, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.base = f"{server.instance_url}/services/data/v59.0/sobjects/Account"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token(server)}"
        self.w = w
        self.stop = stop
        self.acknowledged = 0

    def run(self) -> None:
        i = 0
        try:
            while not self.stop.is_set():
                r = self.http.post(self.base, json={"Name": f"w{self.w}-{i}"}, timeout=10)
                assert r.status_code == 201, r.text
                self.acknowledged += 1
                if i % 2 == 0:
                    rid = r.json()["id"]
                    r = self.http.patch(f"{self.base}/{rid}", json={"Description": "x"}, timeout=10)
                    assert r.status_code == 204, r.text
                    self.acknowledged += 1
                i += 1
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            pass  # the server was killed under us, perhaps in the middle of a reply


class Subscriber(threading.Thread):
    """Collects replay ids of a subscription, keeping its credit topped up until it has
    ``cap`` events (then it falls behind, like a slow consumer)."""

    def __init__(
        self, client: Client, preset: int, replay_id: bytes = b"", cap: int = 1 << 30
    ) -> None:
        super().__init__(daemon=True)
        self.sub = client.subscribe(TOPIC, preset, replay_id)
        self.pb = client.pb
        self.ids: list[int] = []
        self.error: Exception | None = None
        self.cap = cap

    def run(self) -> None:
        while True:
            try:
                r = self.sub.next(timeout=30)
            except queue.Empty:
                return
            except Exception as exc:  # the server died: the test looks at it
                self.error = exc
                return
            if r.events:
                self.ids.extend(int.from_bytes(e.replay_id, "big") for e in r.events)
                if len(self.ids) < self.cap:
                    self.sub.requests.put(self.pb.FetchRequest(num_requested=len(r.events)))

    @property
    def last_replay_id(self) -> bytes:
        return self.ids[-1].to_bytes(8, "big")


def committed_state(url: str) -> tuple[dict[str, str | None], list[tuple[int, dict[str, Any]]]]:
    """Accounts as the database holds them (id -> Description), and the Account change
    events by event id."""
    store = open_store(url)
    try:
        with store.read() as conn:
            accounts = {
                r.id: r.description
                for r in conn.execute(sa.text("SELECT id, description FROM o_account"))
            }
            events = [
                (int(r.id), orjson.loads(r.payload)["ChangeEventHeader"])
                for r in conn.execute(
                    sa.select(event_tables.event.c.id, event_tables.event.c.payload)
                    .where(event_tables.event.c.channel == TOPIC)
                    .order_by(event_tables.event.c.id)
                )
            ]
    finally:
        store.dispose()
    return accounts, events


def test_kill_9_during_writes(
    server: tuple[str, Server], pubsub: tuple[ModuleType, ModuleType], local_ca: Path
) -> None:
    backend, srv = server
    client = Client(srv, pubsub, local_ca)
    pb = client.pb
    before = Subscriber(client, pb.EARLIEST, cap=100)
    before.start()
    stop = threading.Event()
    writers = [Writer(srv, w, stop) for w in range(WRITERS[backend])]
    for t in writers:
        t.start()
    deadline = time.monotonic() + 20
    while len(before.ids) < 100 or sum(t.acknowledged for t in writers) < 400:
        assert time.monotonic() < deadline, "writes did not get going"
        time.sleep(0.02)
    srv.stop(kill=True)  # SIGKILL while every writer has a request in flight
    stop.set()
    for t in writers:
        t.join(15)
    before.join(15)
    assert before.error is not None, "the subscription should have broken with the server"
    assert len(before.ids) < 250, "the first subscriber should have fallen behind"
    client.close()
    assert all(t.acknowledged for t in writers)

    srv.start()
    accounts, events = committed_state(srv.db)
    acknowledged = sum(t.acknowledged for t in writers)
    assert acknowledged <= len(events) <= acknowledged + len(writers), (
        "every acknowledged change has its event; at most one per writer was in flight"
    )

    # Every committed record change has exactly one event, in commit order per record.
    per_record: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for event_id, header in events:
        (rid,) = header["recordIds"]
        per_record[rid].append((event_id, header["changeType"]))
    assert set(per_record) == set(accounts), "an event without its record, or the reverse"
    for rid, description in accounts.items():
        kinds = [kind for _, kind in sorted(per_record[rid])]
        assert kinds == (["CREATE", "UPDATE"] if description == "x" else ["CREATE"]), rid

    # A subscriber resuming from its last replay id sees the rest, no gap, no duplicate.
    client = Client(srv, pubsub, local_ca)
    after = Subscriber(client, pb.CUSTOM, before.last_replay_id)
    after.start()
    deadline = time.monotonic() + 15
    while len(before.ids) + len(after.ids) < len(events):
        assert time.monotonic() < deadline, "the resumed subscription stalled"
        time.sleep(0.05)
    time.sleep(0.3)  # a duplicate or stray event would arrive now
    after.sub.cancel()
    client.close()
    assert before.ids + after.ids == [event_id for event_id, _ in events]
