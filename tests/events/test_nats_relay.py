"""The JetStream relay against the real NATS server: every event of the log lands in the
stream exactly once, in order per channel, also across a crash of the relay between
publishing and checkpointing and across a kill -9 of the relay process mid-stream."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from support.databases import services_required
from support.server import BIN
from switchboard.core import clock
from switchboard.core.settings import load
from switchboard.events import log
from switchboard.events.hub import EventHub
from switchboard.events.relays import nats as relay_mod
from switchboard.events.relays.nats import NatsRelay, load_checkpoint, subject_for
from switchboard.org.runtime import Org
from switchboard.store.engine import Store

NATS_URL = os.environ.get("SWITCHBOARD_TEST_NATS", "nats://127.0.0.1:4222")
CHANNELS = ["/data/AccountChangeEvent", "/event/Price_Change__e", "/data/Foo__ChangeEvent"]


async def _probe() -> None:
    import nats

    nc = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=0)
    try:
        await nc.jetstream().account_info()
    finally:
        await nc.close()


@pytest.fixture(scope="module", autouse=True)
def jetstream() -> None:
    try:
        asyncio.run(_probe())
    except Exception as exc:
        if services_required():
            raise
        pytest.skip(f"NATS with JetStream is not reachable at {NATS_URL}: {exc!r}")


@pytest.fixture
def stream() -> Iterator[str]:
    name = "SBTEST_" + secrets.token_hex(4).upper()
    yield name

    async def delete() -> None:
        import nats
        from nats.js.errors import NotFoundError

        nc = await nats.connect(NATS_URL)
        try:
            await nc.jetstream().delete_stream(name)
        except NotFoundError:
            pass
        finally:
            await nc.close()

    asyncio.run(delete())


@pytest.fixture
def org(db_url: str, tmp_path: Path) -> Iterator[Org]:
    o = Org.open(load(data_dir=tmp_path, db=db_url))
    yield o
    o.close()


@dataclass
class Stored:
    seq: int
    subject: str
    msg_id: str
    channel: str
    replay_id: int
    payload: dict[str, Any]


def contents(name: str) -> list[Stored]:
    """Every message of the stream, by sequence."""

    async def run() -> list[Stored]:
        import nats

        nc = await nats.connect(NATS_URL)
        try:
            js = nc.jetstream()
            info = await js.stream_info(name)
            out = []
            for seq in range(info.state.first_seq, info.state.last_seq + 1):
                m = await js.get_msg(name, seq)
                h = m.headers or {}
                assert m.subject and m.data is not None
                out.append(
                    Stored(
                        seq,
                        m.subject,
                        h[relay_mod.MSG_ID_HEADER],
                        h[relay_mod.CHANNEL_HEADER],
                        int(h[relay_mod.REPLAY_HEADER]),
                        orjson.loads(m.data),
                    )
                )
            return out
        finally:
            await nc.close()

    return asyncio.run(run())


def stream_count(name: str) -> int:
    async def run() -> int:
        import nats
        from nats.js.errors import NotFoundError

        nc = await nats.connect(NATS_URL)
        try:
            return int((await nc.jetstream().stream_info(name)).state.messages)
        except NotFoundError:
            return 0
        finally:
            await nc.close()

    return asyncio.run(run())


class Writers:
    """Threads appending events (one per transaction) on several channels; PostgreSQL
    lets their ids commit out of order."""

    def __init__(
        self, store: Store, threads: int, each: int, pause: float = 0.0, base: int = 0
    ) -> None:
        self.store = store
        self.base = base
        self.committed: dict[int, str] = {}  # n -> channel
        self.lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self._run, args=(w, each, pause)) for w in range(threads)
        ]

    def _run(self, w: int, each: int, pause: float) -> None:
        for i in range(each):
            n = self.base + w * 10_000 + i
            channel = CHANNELS[n % len(CHANNELS)]
            self.store.write(
                lambda c, n=n, ch=channel: log.append(c, [(ch, {"n": n, "w": w})], clock.now())
            )
            with self.lock:
                self.committed[n] = channel
            if pause:
                time.sleep(pause)

    def start(self) -> Writers:
        for t in self.threads:
            t.start()
        return self

    def join(self) -> None:
        for t in self.threads:
            t.join()


class InProcess:
    """A relay running on its own event loop in a thread."""

    def __init__(self, relay: NatsRelay) -> None:
        self.relay = relay
        self.error: BaseException | None = None
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.loop.run_until_complete(self.relay.run())
        except BaseException as exc:  # handed to the test
            self.error = exc

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.relay.stop)
        self.thread.join(15)
        assert not self.thread.is_alive()


def wait_for_count(name: str, n: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while (have := stream_count(name)) < n:
        assert time.monotonic() < deadline, f"{have} of {n} events reached the stream"
        time.sleep(0.1)
    time.sleep(0.3)  # anything beyond n (a duplicate) would show up now


def check_exactly_once(stored: list[Stored], committed: dict[int, str], org_id: str) -> None:
    ns = [s.payload["n"] for s in stored]
    assert len(ns) == len(set(ns)), "an event is in the stream twice"
    assert len({s.msg_id for s in stored}) == len(stored)
    assert set(ns) == set(committed), f"missing {sorted(set(committed) - set(ns))[:10]}"
    for s in stored:
        assert s.channel == committed[s.payload["n"]]
        assert s.subject == subject_for(org_id, s.channel)
        assert s.msg_id == f"{org_id}:{s.replay_id}"
    for channel in CHANNELS:
        ids = [s.replay_id for s in stored if s.channel == channel]
        assert ids == sorted(ids), f"{channel} is out of order in the stream"


def test_subjects_are_safe() -> None:
    assert (
        subject_for("00Dx", "/data/AccountChangeEvent")
        == "switchboard.00Dx.data.AccountChangeEvent"
    )
    assert subject_for("00Dx", "/event/Price_Change__e") == "switchboard.00Dx.event.Price_Change__e"
    assert subject_for("00Dx", "/event/a.b *>") == "switchboard.00Dx.event.a_b___"


def test_relays_each_event_once_in_order(org: Org, stream: str) -> None:
    store = org.store
    before = Writers(store, threads=4, each=40).start()
    before.join()
    hub = EventHub(store, poll_interval=0.05).start()
    relay = NatsRelay(store, hub, url=NATS_URL, stream=stream, batch=50)
    runner = InProcess(relay)
    try:
        wait_for_count(stream, len(before.committed))
        # Live: events committed while the relay runs, concurrently and out of order.
        live = Writers(store, threads=4, each=30, pause=0.002, base=1_000_000).start()
        live.join()
        committed = before.committed | live.committed
        wait_for_count(stream, len(committed))
    finally:
        runner.stop()
        hub.close()
    assert runner.error is None
    stored = contents(stream)
    check_exactly_once(stored, committed, org.org_id)
    assert stored[0].payload == {"n": stored[0].payload["n"], "w": stored[0].payload["w"]}
    assert load_checkpoint(store, stream) == max(s.replay_id for s in stored)
    assert relay.duplicates == 0


class Crash(BaseException):
    """Ends the relay like a crash would: no handler of it runs."""


def test_crash_between_publish_and_checkpoint(org: Org, stream: str) -> None:
    store = org.store
    writers = Writers(store, threads=2, each=60).start()
    writers.join()
    hub = EventHub(store, poll_interval=0.05).start()

    class Crashing(NatsRelay):
        def checkpoint(self, event_id: int) -> None:
            if event_id > 50:  # after the first batch is checkpointed
                raise Crash()
            super().checkpoint(event_id)

    first = Crashing(store, hub, url=NATS_URL, stream=stream, batch=40)
    runner = InProcess(first)
    runner.thread.join(15)
    assert isinstance(runner.error, Crash)
    checkpoint = load_checkpoint(store, stream)
    assert checkpoint is not None and stream_count(stream) > 40  # published, not recorded

    second = NatsRelay(store, hub, url=NATS_URL, stream=stream, batch=40)
    runner = InProcess(second)
    try:
        wait_for_count(stream, len(writers.committed))
    finally:
        runner.stop()
        hub.close()
    check_exactly_once(contents(stream), writers.committed, org.org_id)
    assert second.duplicates == 40, "the unrecorded batch was re-sent and deduplicated"


def test_kill_relay_process_mid_stream(org: Org, stream: str, db_url: str) -> None:
    store = org.store
    data_dir = org.settings.data_dir
    env = dict(os.environ, SWITCHBOARD_EVENT_POLL_INTERVAL="0.05")
    args = [
        str(BIN / "switchboard"), "worker", "relay-nats", "--nats-url", NATS_URL,
        "--stream", stream, "--data-dir", str(data_dir), "--db", db_url,
    ]  # fmt: skip

    def start() -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == "ready":
                return proc
        raise AssertionError(f"relay did not start (exit {proc.wait()})")

    proc = start()
    writers = Writers(store, threads=4, each=150, pause=0.01).start()
    try:
        deadline = time.monotonic() + 20
        while stream_count(stream) < 150:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(5)
        at_kill = stream_count(stream)
        assert at_kill < 600, "the kill should land mid-stream"
        proc = start()
        writers.join()
        wait_for_count(stream, len(writers.committed))
    finally:
        proc.terminate()
        proc.wait(10)
    assert proc.returncode == 0, "SIGTERM stops the relay cleanly"
    check_exactly_once(contents(stream), writers.committed, org.org_id)
