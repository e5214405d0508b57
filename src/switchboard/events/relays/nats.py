"""The NATS JetStream relay: the event log, exactly once, into a JetStream stream.

Each event becomes one message on the subject of its channel
(``/data/AccountChangeEvent`` → ``switchboard.<org id>.data.AccountChangeEvent``,
``/event/Price_Change__e`` → ``switchboard.<org id>.event.Price_Change__e``). The body
is the event's JSON payload as the log holds it; headers name the channel
(``Switchboard-Channel``) and the replay id (``Switchboard-Replay-Id``, the decimal event
id; the Pub/Sub API sends the same number as 8 bytes).

Exactly once rests on two things:

* ``Nats-Msg-Id`` is ``<org id>:<event id>``, so JetStream drops a message it has already
  stored within the stream's duplicate window (:data:`DUPLICATE_WINDOW`);
* the checkpoint (the last relayed event id, in ``sb_meta``) is committed only after
  JetStream has acknowledged every message of a batch.

A relay that dies between the two re-sends at most the unacknowledged-or-unrecorded
batch when it restarts, and JetStream discards those as duplicates. Only a relay that
stays down longer than the duplicate window after such a crash could store a batch
twice; the acks report it (``duplicate`` is false on a re-send), and it is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable
from typing import Any

import orjson
import sqlalchemy as sa

from ...core.retry import RetryPolicy
from ...store import internal
from ...store.engine import Store
from .. import replay
from .. import tables as event_tables
from ..errors import RelayError
from ..hub import EventHub

log = logging.getLogger("switchboard.events.nats")

DUPLICATE_WINDOW = 600.0  # seconds JetStream remembers a Nats-Msg-Id
CHANNEL_HEADER = "Switchboard-Channel"
REPLAY_HEADER = "Switchboard-Replay-Id"
MSG_ID_HEADER = "Nats-Msg-Id"
_BATCH = 500
_ACK_TIMEOUT = 10.0
_CHECKPOINT_PREFIX = "nats_relay:"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")

ev = event_tables.event


def subject_for(org_id: str, channel: str) -> str:
    """The NATS subject of ``channel``: one token per path segment, unsafe chars as ``_``."""
    tokens = [_UNSAFE.sub("_", part) for part in channel.split("/") if part]
    return ".".join(["switchboard", _UNSAFE.sub("_", org_id), *tokens])


def checkpoint_key(stream: str) -> str:
    return _CHECKPOINT_PREFIX + stream


def load_checkpoint(store: Store, stream: str) -> int | None:
    """The id of the last event relayed to ``stream``; None before the first run."""
    with store.read() as conn:
        value = conn.execute(
            sa.select(internal.meta.c.value).where(internal.meta.c.key == checkpoint_key(stream))
        ).scalar()
    return None if value is None else int(value)


def save_checkpoint(store: Store, stream: str, event_id: int) -> None:
    key = checkpoint_key(stream)
    m = internal.meta

    def work(conn: sa.Connection) -> None:
        done = conn.execute(sa.update(m).where(m.c.key == key).values(value=str(event_id)))
        if not done.rowcount:
            conn.execute(sa.insert(m).values(key=key, value=str(event_id)))

    store.write(work)


def org_id_of(store: Store) -> str:
    with store.read() as conn:
        value = conn.execute(
            sa.select(internal.meta.c.value).where(internal.meta.c.key == "org_id")
        ).scalar()
    if not value:
        raise RelayError("This database holds no org yet; run `switchboard up` once first")
    return str(value)


def read_all(store: Store, after: int, upto: int, limit: int) -> list[tuple[int, str, bytes]]:
    """``(id, channel, payload JSON)`` of every channel with ``after < id <= upto``."""
    if upto <= after:
        return []
    with store.read() as conn:
        rows = conn.execute(
            sa.select(ev.c.id, ev.c.channel, ev.c.payload)
            .where(ev.c.id > after, ev.c.id <= upto)
            .order_by(ev.c.id)
            .limit(limit)
        ).all()
    out = []
    for r in rows:
        payload = orjson.loads(r.payload)
        header = payload.get("ChangeEventHeader")
        if isinstance(header, dict):
            header["commitNumber"] = r.id  # as every reader of the log reports it
        out.append((int(r.id), str(r.channel), orjson.dumps(payload)))
    return out


# Reconnect waits (the one retry policy): 0.2 s doubling to 5 s, jittered, while it runs.
RECONNECT = RetryPolicy(attempts=2**31, backoff=0.2, max_backoff=5.0)


class NatsRelay:
    """Copies the log of one org into one JetStream stream; see the module doc."""

    def __init__(
        self,
        store: Store,
        hub: EventHub,
        *,
        url: str,
        stream: str,
        batch: int = _BATCH,
        on_ready: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.hub = hub
        self.url = url
        self.stream = stream
        self.batch = batch
        self.on_ready = on_ready
        self.org_id = org_id_of(store)
        self.relayed = 0
        self.duplicates = 0
        self.position = 0  # the last event id relayed and checkpointed
        self._stop = asyncio.Event()

    @property
    def subjects(self) -> list[str]:
        return [f"switchboard.{_UNSAFE.sub('_', self.org_id)}.>"]

    def stop(self) -> None:
        self._stop.set()

    async def ensure_stream(self, js: Any) -> None:
        from nats.js.errors import NotFoundError

        try:
            info = await js.stream_info(self.stream)
        except NotFoundError:
            await js.add_stream(
                name=self.stream, subjects=self.subjects, duplicate_window=DUPLICATE_WINDOW
            )
            log.info("created JetStream stream %s (%s)", self.stream, self.subjects[0])
            return
        subjects = list(info.config.subjects or [])
        if self.subjects[0] not in subjects:
            info.config.subjects = subjects + self.subjects
            await js.update_stream(info.config)

    def start_position(self) -> int:
        """Where to resume: the checkpoint, or (first run) the oldest retained event."""
        after = load_checkpoint(self.store, self.stream)
        purged = replay.purged_through(self.store)
        if after is None:
            return purged
        if after < purged:
            raise RelayError(
                f"The relay to {self.stream} stopped at event {after}, but retention has "
                f"deleted events up to {purged}; they cannot be relayed. Reset its checkpoint "
                f"(sb_meta key {checkpoint_key(self.stream)!r}) to go on."
            )
        return after

    async def run(self) -> None:
        """Relay until :meth:`stop`; reconnects and retries batches on NATS failures."""
        import nats

        self.position = self.start_position()
        attempt = 0
        while not self._stop.is_set():
            nc = None
            try:
                nc = await nats.connect(self.url, max_reconnect_attempts=-1, connect_timeout=5)
                js = nc.jetstream()
                await self.ensure_stream(js)
                if self.on_ready is not None:
                    self.on_ready()
                    self.on_ready = None
                await self._relay(js)
                attempt = 0
            except (RelayError, asyncio.CancelledError):
                raise
            except Exception as exc:  # NATS down, ack timeout: the batch is sent again
                attempt += 1
                delay = RECONNECT.delay(attempt)
                log.warning(
                    "NATS relay: %s; retrying after event %d in %.1fs", exc, self.position, delay
                )
                with contextlib.suppress(TimeoutError):  # a stop ends the wait at once
                    await asyncio.wait_for(self._stop.wait(), delay)
            finally:
                if nc is not None:
                    try:
                        await nc.close()
                    except Exception:  # closing a broken connection may fail too
                        pass

    async def _relay(self, js: Any) -> None:
        while not self._stop.is_set():
            seen = self.hub.safe
            events = await asyncio.to_thread(read_all, self.store, self.position, seen, self.batch)
            if not events:
                await self.hub.wait_beyond(seen, 1.0)
                continue
            await self.publish(js, events)
            # Only now, with every message of the batch stored, may the checkpoint move.
            last = events[-1][0]
            await asyncio.to_thread(self.checkpoint, last)
            self.position = last

    async def publish(self, js: Any, events: list[tuple[int, str, bytes]]) -> None:
        futures = []
        for event_id, channel, payload in events:
            headers = {
                MSG_ID_HEADER: f"{self.org_id}:{event_id}",
                CHANNEL_HEADER: channel,
                REPLAY_HEADER: str(event_id),
            }
            subject = subject_for(self.org_id, channel)
            futures.append(await js.publish_async(subject, payload, headers=headers))
        acks = await asyncio.wait_for(asyncio.gather(*futures), _ACK_TIMEOUT)
        dup = sum(1 for a in acks if a.duplicate)
        self.relayed += len(acks) - dup
        self.duplicates += dup
        if dup:
            log.info(
                "NATS relay: %d events were already in %s (resent after a crash)", dup, self.stream
            )

    def checkpoint(self, event_id: int) -> None:
        save_checkpoint(self.store, self.stream, event_id)


__all__ = [
    "CHANNEL_HEADER",
    "DUPLICATE_WINDOW",
    "MSG_ID_HEADER",
    "NatsRelay",
    "REPLAY_HEADER",
    "RelayError",
    "load_checkpoint",
    "save_checkpoint",
    "subject_for",
]
