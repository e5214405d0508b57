"""CometD at ``/cometd/XX.X``, as Streaming API clients (EMP connector, aiosfstream) use it.

Supported meta channels: handshake, connect (long polling with ``advice``), subscribe
(with the replay extension: ``ext.replay = {channel: -1 | -2 | replayId}``),
unsubscribe and disconnect. The first connect after a handshake is answered at once, as
CometD servers do; later ones are held until events arrive or the timeout. Errors use the strings of
the Streaming API guide ("Streaming API Error Codes", "Handling Streaming API Errors"):
a bad or missing token fails a handshake with ``403::Handshake denied`` and the cause
(``401::Authentication invalid`` or ``401::Request requires authentication``) in
``ext.sfdc.failureReason``, and any other message with that cause as its ``error``, both
with ``advice.reconnect = none``; an unknown channel and a replay id that is invalid,
older than retention or ahead of the log fail the subscribe with their ``400::`` text
(the replay id is never moved to a valid position); an expired client gets
``403::Unknown client`` with ``advice.reconnect = handshake``.

Events go out in the CometD shape: ``{"channel", "data": {"schema", "payload",
"event": {"replayId"}}}`` where the payload omits nulls (and so unchanged fields) and
dates are UTC strings. Change events nest compound fields (``"BillingAddress":
{"City": ...}``) and name changed components ``BillingAddress.City``, as Salesforce's
do. Clients live in memory: a restarted server answers ``403::Unknown client`` and
clients handshake again and resubscribe with their last replay id, which is how
Salesforce behaves too.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ...core.errors import InvalidSession, SwitchboardError
from ...events import replay
from ...events.errors import InvalidReplayId, ReplayIdTooOld, UnknownTopic
from ...events.hub import EventHub
from ...org.runtime import Org
from ...org.security import fls
from ...org.security.errors import ApiDisabled
from ..call import authenticate, bearer
from ..pubsub.schemas import Schemas

_TIMEOUT_MS = 110_000
_CLIENT_TTL = 300.0
_BATCH = 100

AUTH_INVALID = "401::Authentication invalid"
AUTH_REQUIRED = "401::Request requires authentication"


def replay_id_invalid(value: Any) -> str:
    # Two spaces after "invalid.": what Salesforce sends, and what clients that look
    # for this error (to fall back to -2 or -1) match on.
    return (
        f"400::The replayId {{{value}}} you provided was invalid.  Please provide a valid "
        "ID, -2 to replay all events, or -1 to replay only new events."
    )


@dataclass
class Client:
    id: str
    user_id: str
    subscriptions: dict[str, int] = field(default_factory=dict)
    seen: float = field(default_factory=time.monotonic)
    connected: bool = False
    # Set by a subscribe or disconnect so a held /meta/connect answers without waiting
    # for the next event (a subscription with replay -2 or an id has events queued).
    wake: asyncio.Event = field(default_factory=asyncio.Event)


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def _utc(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 24 and value.endswith("+0000") and value[10] == "T":
        return value[:-5] + "Z"
    return value


def _clean(payload: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in payload.items():
        if isinstance(value, dict):
            value = _clean(value)
            if value:  # a compound whose members are all null is left out like a null
                out[key] = value
        elif value is not None:
            out[key] = _utc(value)
    return out


def _unauthenticated(messages: Any, reason: str) -> list[dict[str, Any]]:
    """The replies to a request whose token is missing or invalid, one per message."""
    msgs = [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []
    replies: list[dict[str, Any]] = []
    for msg in msgs or [{"channel": "/meta/handshake"}]:
        reply: dict[str, Any] = {"channel": msg.get("channel"), "successful": False}
        for key in ("id", "clientId"):
            if key in msg:
                reply[key] = msg[key]
        if msg.get("channel") == "/meta/handshake":
            reply["error"] = "403::Handshake denied"
            reply["ext"] = {"sfdc": {"failureReason": reason}}
            reply["advice"] = {"reconnect": "none"}
        else:
            reply["error"] = reason
            reply["advice"] = {"reconnect": "none", "interval": 0}
        replies.append(reply)
    return replies


def _topic(subscription: str) -> str:
    """``/data/AccountChangeEvent`` from itself or from ``/topic``-less forms clients send."""
    return subscription.rstrip("/")


class CometD:
    def __init__(self, org: Org, hub: EventHub) -> None:
        self.org = org
        # The process's one hub, held by the Runtime: CometD only waits on it.
        self.hub = hub
        self.clients: dict[str, Client] = {}
        self.schemas = Schemas(org.schema)

    async def handle(self, request: Request) -> Response:
        try:
            messages = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            messages = None
        if isinstance(messages, dict):
            messages = [messages]
        try:
            token = bearer(request.headers)
            session = await run_in_threadpool(authenticate, self.org, token)
        except InvalidSession:
            reason = AUTH_INVALID if request.headers.get("authorization") else AUTH_REQUIRED
            return _json(_unauthenticated(messages, reason), 401)
        principal = await run_in_threadpool(self.org.permissions.principal_for, session.user_id)
        if not principal.api_enabled:  # no API at all for this user, streaming included
            return _json(_unauthenticated(messages, f"403::{ApiDisabled().message}"), 403)
        if messages is None:
            return _json([{"successful": False, "error": "400::Malformed JSON"}], 400)
        replies: list[dict[str, Any]] = []
        for msg in messages if isinstance(messages, list) else []:
            if not isinstance(msg, dict):
                replies.append({"successful": False, "error": "400::Malformed message"})
                continue
            replies.extend(await self._handle(msg, session.user_id))
        self._expire()
        return _json(replies)

    def _expire(self) -> None:
        now = time.monotonic()
        for cid in [c.id for c in self.clients.values() if now - c.seen > _CLIENT_TTL]:
            del self.clients[cid]

    async def _handle(self, msg: dict[str, Any], user_id: str) -> list[dict[str, Any]]:
        channel = msg.get("channel")
        base: dict[str, Any] = {"channel": channel}
        if "id" in msg:
            base["id"] = msg["id"]
        if channel == "/meta/handshake":
            client = Client(secrets.token_hex(16), user_id)
            self.clients[client.id] = client
            return [
                {
                    **base,
                    "version": "1.0",
                    "minimumVersion": "1.0",
                    "clientId": client.id,
                    "supportedConnectionTypes": ["long-polling"],
                    "successful": True,
                    "ext": {"replay": True, "payload.format": True},
                    "advice": {"reconnect": "retry", "interval": 0, "timeout": _TIMEOUT_MS},
                }
            ]
        found = self.clients.get(str(msg.get("clientId")))
        if found is None or found.user_id != user_id:
            if "clientId" in msg:
                base["clientId"] = msg["clientId"]
            return [
                {
                    **base,
                    "successful": False,
                    "error": "403::Unknown client",
                    "advice": {"reconnect": "handshake", "interval": 0},
                }
            ]
        client = found
        client.seen = time.monotonic()
        base["clientId"] = client.id
        if channel == "/meta/subscribe":
            return [await self._subscribe(client, msg, base)]
        if channel == "/meta/unsubscribe":
            sub = _topic(str(msg.get("subscription", "")))
            client.subscriptions.pop(sub, None)
            return [{**base, "subscription": sub, "successful": True}]
        if channel == "/meta/disconnect":
            self.clients.pop(client.id, None)
            client.wake.set()
            return [{**base, "successful": True}]
        if channel == "/meta/connect":
            return await self._connect(client, msg, base)
        return [{**base, "successful": False, "error": f"400::Unknown channel {channel}"}]

    async def _subscribe(
        self, client: Client, msg: dict[str, Any], base: dict[str, Any]
    ) -> dict[str, Any]:
        raw = msg.get("subscription")
        sub = _topic(raw) if isinstance(raw, str) else ""
        base = {**base, "subscription": raw if sub == "" else sub}
        if not sub:
            return {**base, "successful": False, "error": "400::Channel name not specified"}
        if not sub.startswith("/"):
            return {
                **base,
                "successful": False,
                "error": "400::Channel subscriptions must start with a leading '/'",
            }
        replays = (msg.get("ext") or {}).get("replay") or {}
        start = replays.get(sub, -1) if isinstance(replays, dict) else -1

        def position() -> int:
            if sub != replay.ALL_CHANGE_EVENTS:
                ts = self.schemas.for_topic(sub)
                # A change event channel needs read access on its object: without it
                # the channel does not exist for the user.
                principal = self.org.permissions.principal_for(client.user_id)
                if ts.change_event and not fls.can_read_object(principal, ts.obj):
                    raise UnknownTopic(sub)
            if start == -2:
                return replay.purged_through(self.hub.store)
            if start == -1:
                return self.hub.safe
            if isinstance(start, bool) or not isinstance(start, int) or start < 0:
                raise InvalidReplayId(replay_id_invalid(start))
            try:
                replay.check_replay(self.hub.store, start)
            except (InvalidReplayId, ReplayIdTooOld) as exc:
                raise InvalidReplayId(replay_id_invalid(start)) from exc
            return start

        try:
            client.subscriptions[sub] = await run_in_threadpool(position)
        except UnknownTopic:
            error = f"400::The channel you requested to subscribe to does not exist {{{sub}}}"
            return {**base, "successful": False, "error": error}
        except InvalidReplayId as exc:  # its message is the guide's whole 400:: text
            return {**base, "successful": False, "error": exc.message}
        except SwitchboardError as exc:
            return {**base, "successful": False, "error": f"400::{exc.message}"}
        client.wake.set()
        return {**base, "successful": True}

    def _collect(self, client: Client) -> list[dict[str, Any]]:
        safe = self.hub.safe
        out: list[dict[str, Any]] = []
        principal = self.org.permissions.principal_for(client.user_id)
        for sub, cursor in list(client.subscriptions.items()):
            events = replay.read(self.hub.store, sub, cursor, safe, _BATCH)
            for e in events:
                ts = self.schemas.for_topic(e.channel)
                event: dict[str, Any] = {"replayId": e.id}
                if "EventUuid" in e.payload:
                    event["EventUuid"] = e.payload["EventUuid"]
                payload = ts.nesting.event_payload(e.payload) if ts.change_event else e.payload
                if ts.change_event:
                    visible = fls.change_event(principal, ts.obj, payload)
                    if visible is None:
                        continue  # an object the subscriber cannot read (/data/ChangeEvents)
                    payload = visible
                out.append(
                    {
                        "channel": sub,
                        "data": {"schema": ts.id, "payload": _clean(payload), "event": event},
                    }
                )
            client.subscriptions[sub] = events[-1].id if len(events) == _BATCH else safe
        return out

    async def _connect(
        self, client: Client, msg: dict[str, Any], base: dict[str, Any]
    ) -> list[dict[str, Any]]:
        advice = (msg.get("advice") or {}).get("timeout", _TIMEOUT_MS)
        wait = min(float(advice if isinstance(advice, int | float) else _TIMEOUT_MS), _TIMEOUT_MS)
        if not client.connected:
            # As the CometD server Salesforce runs: the first /meta/connect after a
            # handshake is answered at once (it carries the advice), never held; clients
            # such as aiocometd wait for it before they subscribe.
            client.connected = True
            wait = 0
        deadline = time.monotonic() + wait / 1000
        reply = {
            **base,
            "successful": True,
            "advice": {"reconnect": "retry", "interval": 0, "timeout": _TIMEOUT_MS},
        }
        while True:
            client.wake.clear()
            seen = self.hub.safe
            events = await run_in_threadpool(self._collect, client) if client.subscriptions else []
            left = deadline - time.monotonic()
            if events or left <= 0 or client.id not in self.clients:
                return [*events, reply]
            await self._wait(client, seen, left)

    async def _wait(self, client: Client, seen: int, timeout: float) -> None:
        """Until the log moves past ``seen``, the client is woken, or ``timeout``."""
        if client.wake.is_set():
            return
        moved = asyncio.ensure_future(self.hub.wait_beyond(seen, timeout))
        woken = asyncio.ensure_future(client.wake.wait())
        try:
            await asyncio.wait((moved, woken), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (moved, woken):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task


__all__ = ["CometD"]
