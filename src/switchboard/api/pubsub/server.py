"""The Pub/Sub API (``eventbus.v1.PubSub``) over grpc.aio.

Subscribe follows Salesforce's flow control: the client grants credit with
``num_requested`` (at most 100 outstanding), events go out as they are settled in the
log (never past the watermark, see :mod:`events.replay`), an idle stream gets an empty
FetchResponse with the latest replay id every ``pubsub_keepalive`` seconds, and only the
first FetchRequest's topic and replay fields count (a later one naming another topic is
INVALID_ARGUMENT). Every call authenticates with the ``accesstoken``, ``instanceurl``
and ``tenantid`` metadata and the same token validation as REST.

Errors follow the guide's "Handle Errors": the gRPC status, a message ending in
``rpcId: <id>``, and the trailers ``error-code`` (Salesforce's
``sfdc.platform.eventbus.grpc.*`` code, where the guide lists one for the case) and
``rpc-id``. A replay id that is malformed, older than retention or ahead of the log is
refused (``replayid.corrupted``), never moved to a valid position.

The server runs on its own thread and event loop, beside uvicorn.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import AsyncIterator
from typing import Any, NoReturn

import grpc

from ...core.errors import InvalidSession, NotFound, SwitchboardError
from ...core.settings import Settings
from ...core.tls import TlsFiles
from ...events import replay
from ...events.errors import (
    EventError,
    InvalidReplayId,
    ReplayIdRequired,
    ReplayIdTooOld,
    UnknownTopic,
)
from ...events.hub import EventHub
from ...org.identity.tokens import Session
from ...org.platform_events import publish
from ...org.runtime import Org
from ...org.security import fls
from ...org.security.errors import ApiDisabled
from ...org.security.principal import Principal
from ..call import authenticate
from . import pubsub_api_pb2 as pb
from . import pubsub_api_pb2_grpc as pb_grpc
from .schemas import Schemas, decode, encode, from_avro, to_record

log = logging.getLogger("switchboard.pubsub")

MAX_REQUESTED = 100
_SYSTEM = {"createddate", "createdbyid", "eventuuid", "replayid"}
# How long a Publish reply may wait for lower event ids to settle (see _settled).
_SETTLE_SECONDS = 5.0

# The ``error-code`` trailer values of the Pub/Sub API guide's error table.
_CODE = "sfdc.platform.eventbus.grpc."
AUTH_ERROR = _CODE + "service.auth.error"
AUTH_HEADERS_INVALID = _CODE + "service.auth.headers.invalid"
TOPIC_NOT_FOUND = _CODE + "topic.not.found"
REPLAY_ID_CORRUPTED = _CODE + "subscription.fetch.replayid.corrupted"
REPLAY_ID_VALIDATION_FAILED = _CODE + "subscription.fetch.replayid.validation.failed"
REQUESTED_EVENTS_INVALID = _CODE + "subscription.fetch.requested.events.invalid"
TOPIC_MISMATCH = _CODE + "subscription.fetch.topic.mismatch"


def _rpc_id() -> str:
    return str(uuid.uuid4())


async def _abort(
    context: grpc.aio.ServicerContext,
    status: grpc.StatusCode,
    message: str,
    error_code: str | None = None,
) -> NoReturn:
    """End the call as the Pub/Sub API does: the rpc id after the message and in a
    trailer, and Salesforce's error code in the ``error-code`` trailer when there is one."""
    rpc = _rpc_id()
    trailers = ((("error-code", error_code),) if error_code else ()) + (("rpc-id", rpc),)
    await context.abort(status, f"{message} rpcId: {rpc}", trailing_metadata=trailers)
    raise AssertionError("unreachable")


def _status(exc: SwitchboardError) -> tuple[grpc.StatusCode, str | None]:
    """The gRPC status and Salesforce error code of an error raised by a call."""
    if isinstance(exc, UnknownTopic):
        return grpc.StatusCode.NOT_FOUND, TOPIC_NOT_FOUND
    if isinstance(exc, InvalidReplayId | ReplayIdTooOld):
        return grpc.StatusCode.INVALID_ARGUMENT, REPLAY_ID_CORRUPTED
    if isinstance(exc, ReplayIdRequired):
        return grpc.StatusCode.INVALID_ARGUMENT, REPLAY_ID_VALIDATION_FAILED
    if isinstance(exc, NotFound):
        return grpc.StatusCode.NOT_FOUND, None
    return grpc.StatusCode.INVALID_ARGUMENT, None


def _too_few(request: Any) -> tuple[str, str]:
    """(message, error code) of a FetchRequest asking for no events."""
    return (
        f"num_requested must be greater than 0, not {request.num_requested}",
        REQUESTED_EVENTS_INVALID,
    )


class PubSubService(pb_grpc.PubSubServicer):
    def __init__(self, org: Org, hub: EventHub, keepalive: float) -> None:
        self.org = org
        self.hub = hub
        self.keepalive = keepalive
        self.schemas = Schemas(org.schema)

    # -- plumbing -----------------------------------------------------------------------
    async def _auth(self, context: grpc.aio.ServicerContext) -> Session:
        md = {k.lower(): v for k, v in context.invocation_metadata() or ()}
        token, tenant = md.get("accesstoken"), md.get("tenantid")
        unauthenticated = grpc.StatusCode.UNAUTHENTICATED
        if not token or not tenant or not md.get("instanceurl"):
            await _abort(
                context,
                unauthenticated,
                "accesstoken, instanceurl and tenantid metadata are required",
                AUTH_HEADERS_INVALID,
            )
        if str(tenant)[:15] != self.org.org_id[:15]:
            await _abort(context, unauthenticated, "tenantid is not this org's id", AUTH_ERROR)
        try:
            session = await asyncio.to_thread(authenticate, self.org, str(token))
        except InvalidSession:
            await _abort(context, unauthenticated, "Session expired or invalid", AUTH_ERROR)
        # A user whose profile and sets lack API Enabled reaches no API, this one included.
        principal = await asyncio.to_thread(self.org.permissions.principal_for, session.user_id)
        if not principal.api_enabled:
            await _abort(context, grpc.StatusCode.PERMISSION_DENIED, ApiDisabled().message,
                         AUTH_ERROR)  # fmt: skip
        return session

    async def _fail(self, context: grpc.aio.ServicerContext, exc: SwitchboardError) -> NoReturn:
        status, error_code = _status(exc)
        await _abort(context, status, exc.message, error_code)

    def _check_topic(self, topic: str) -> None:
        if topic != replay.ALL_CHANGE_EVENTS:
            self.schemas.for_topic(topic)

    # -- unary --------------------------------------------------------------------------
    async def GetTopic(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        await self._auth(context)
        if request.topic_name == replay.ALL_CHANGE_EVENTS:
            # The standard channel carries every object's change events, each with the
            # schema id of its own object in the ConsumerEvent, so the channel has no one
            # schema to name. Subscribers (the official examples) ask for it first.
            return pb.TopicInfo(
                topic_name=request.topic_name,
                tenant_guid=self.org.org_id,
                can_publish=False,
                can_subscribe=True,
                schema_id="",
                rpc_id=_rpc_id(),
            )
        try:
            ts = await asyncio.to_thread(self.schemas.for_topic, request.topic_name)
        except SwitchboardError as exc:
            await self._fail(context, exc)
        return pb.TopicInfo(
            topic_name=request.topic_name,
            tenant_guid=self.org.org_id,
            can_publish=not ts.change_event,
            can_subscribe=True,
            schema_id=ts.id,
            rpc_id=_rpc_id(),
        )

    async def GetSchema(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        await self._auth(context)
        try:
            ts = await asyncio.to_thread(self.schemas.by_id, request.schema_id)
        except SwitchboardError as exc:
            await self._fail(context, exc)
        return pb.SchemaInfo(schema_json=ts.json, schema_id=ts.id, rpc_id=_rpc_id())

    # -- publish ------------------------------------------------------------------------
    def _publish(self, session: Session, request: Any) -> Any:
        ts = self.schemas.for_topic(request.topic_name)
        if ts.change_event:
            raise NotFound(f"Publishing to {request.topic_name} is not allowed")
        results: list[Any] = [None] * len(request.events)
        records: list[dict[str, Any]] = []
        slots: list[int] = []
        for i, event in enumerate(request.events):
            try:
                used = self.schemas.by_id(event.schema_id) if event.schema_id else ts
                if used.obj.name != ts.obj.name:
                    raise NotFound(f"Schema {event.schema_id} is not a schema of this topic")
                data = decode(used, event.payload)
            except Exception as exc:
                msg = exc.message if isinstance(exc, SwitchboardError) else str(exc)
                results[i] = pb.PublishResult(
                    error=pb.Error(code=pb.PUBLISH, msg=f"Invalid payload: {msg}"),
                    correlation_key=event.id,
                )
                continue
            record = {
                f.name: from_avro(f, data.get(f.name))
                for f in used.fields
                if f.column not in _SYSTEM and data.get(f.name) is not None
            }
            records.append(record)
            slots.append(i)
        principal = self.org.permissions.principal_for(session.user_id)
        outcomes = publish(self.org, session.user_id, ts.obj, records, principal) if records else []
        for i, out in zip(slots, outcomes, strict=True):
            event = request.events[i]
            if out.errors:
                results[i] = pb.PublishResult(
                    error=pb.Error(code=pb.PUBLISH, msg=out.errors[0].message),
                    correlation_key=event.id,
                )
            else:
                assert out.event_id is not None
                results[i] = pb.PublishResult(
                    replay_id=replay.encode_replay_id(out.event_id), correlation_key=event.id
                )
        self.hub.kick()
        return pb.PublishResponse(results=results, schema_id=ts.id, rpc_id=_rpc_id())

    async def _settled(self, response: Any) -> Any:
        """``response`` once the log's watermark has passed its replay ids.

        A replay id is an event id. On PostgreSQL a transaction that took a lower id may
        still be open when the publish commits; a client that subscribed CUSTOM from the
        returned id right away would then never see that event when it commits. Once the
        watermark passes the id, every lower id has committed or is proven abandoned, and
        every later event gets a higher id, so "after this replay id" misses nothing. On
        SQLite the watermark is already there. A watermark held up past the bound (a
        stuck transaction) returns the reply anyway rather than hang the publisher."""
        ids = [replay.decode_replay_id(r.replay_id) for r in response.results if r.replay_id]
        if ids:
            await self.hub.wait_beyond(max(ids) - 1, _SETTLE_SECONDS)
        return response

    async def Publish(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        session = await self._auth(context)
        try:
            return await self._settled(await asyncio.to_thread(self._publish, session, request))
        except SwitchboardError as exc:
            await self._fail(context, exc)

    async def PublishStream(
        self, request_iterator: AsyncIterator[Any], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[Any]:
        session = await self._auth(context)
        async for request in request_iterator:
            try:
                response = await asyncio.to_thread(self._publish, session, request)
                yield await self._settled(response)
            except SwitchboardError as exc:
                await self._fail(context, exc)

    async def ManagedSubscribe(
        self, request_iterator: AsyncIterator[Any], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[Any]:
        await context.abort(grpc.StatusCode.UNIMPLEMENTED, "ManagedSubscribe is not available")
        yield  # pragma: no cover

    # -- subscribe ----------------------------------------------------------------------
    def _start(self, first: Any) -> int:
        self._check_topic(first.topic_name)
        if first.replay_preset == pb.EARLIEST:
            return replay.purged_through(self.hub.store)
        if first.replay_preset == pb.CUSTOM:
            if not first.replay_id:
                raise ReplayIdRequired("A CUSTOM replay preset needs a replay_id")
            after = replay.decode_replay_id(first.replay_id)
            replay.check_replay(self.hub.store, after)
            return after
        return self.hub.safe

    def _fetch(
        self, topic: str, after: int, limit: int, principal: Principal | None = None
    ) -> tuple[list[Any], int]:
        safe = self.hub.safe
        events = replay.read(self.hub.store, topic, after, safe, limit)
        out = []
        for e in events:
            ts = self.schemas.for_topic(e.channel)
            flat = e.payload
            if ts.change_event:
                # Only what the subscriber may read: unreadable fields go out as null,
                # and out of the changed-field bitmaps.
                visible = fls.change_event(principal, ts.obj, flat)
                if visible is None:
                    continue
                flat = visible
            payload = encode(ts, to_record(ts, flat, e.id))
            out.append(
                pb.ConsumerEvent(
                    event=pb.ProducerEvent(
                        id=str(
                            e.payload.get("EventUuid") or uuid.uuid5(uuid.NAMESPACE_OID, str(e.id))
                        ),
                        schema_id=ts.id,
                        payload=payload,
                    ),
                    replay_id=e.replay_id,
                )
            )
        cursor = events[-1].id if len(events) == limit else max(safe, after)
        return out, cursor

    async def Subscribe(
        self, request_iterator: AsyncIterator[Any], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[Any]:
        session = await self._auth(context)
        principal = await asyncio.to_thread(self.org.permissions.principal_for, session.user_id)
        try:
            first = await request_iterator.__anext__()
        except StopAsyncIteration:
            return
        topic = first.topic_name
        try:
            cursor = await asyncio.to_thread(self._start, first)
            ts = await asyncio.to_thread(self.schemas.for_topic, topic)
            if ts.change_event and not fls.can_read_object(principal, ts.obj):
                raise UnknownTopic(topic)  # a channel of an object the user cannot read
        except SwitchboardError as exc:
            await self._fail(context, exc)
        if first.num_requested <= 0:
            await _abort(context, grpc.StatusCode.INVALID_ARGUMENT, *_too_few(first))
        # Over 100 counts as 100 (the guide's flow control page), on every request.
        credit = min(first.num_requested, MAX_REQUESTED)
        more = asyncio.Event()
        bad: list[tuple[str, str]] = []  # (message, error code): the first one ends the call

        async def requests() -> None:
            nonlocal credit
            async for req in request_iterator:
                if req.topic_name and req.topic_name != topic:
                    bad.append(
                        (
                            f"The topic of a subscription cannot change: {topic} "
                            f"then {req.topic_name}",
                            TOPIC_MISMATCH,
                        )
                    )
                elif req.num_requested <= 0:
                    bad.append(_too_few(req))
                else:
                    credit = min(credit + req.num_requested, MAX_REQUESTED)
                more.set()

        reader = asyncio.create_task(requests())
        loop = asyncio.get_running_loop()
        idle_since = loop.time()
        seen = self.hub.safe
        try:
            while True:
                if bad:
                    message, error_code = bad[0]
                    await _abort(context, grpc.StatusCode.INVALID_ARGUMENT, message, error_code)
                if credit > 0:
                    seen = self.hub.safe
                    events, cursor = await asyncio.to_thread(
                        self._fetch, topic, cursor, credit, principal
                    )
                    if events:
                        credit -= len(events)
                        idle_since = loop.time()
                        yield pb.FetchResponse(
                            events=events,
                            latest_replay_id=replay.encode_replay_id(cursor),
                            rpc_id=_rpc_id(),
                            pending_num_requested=credit,
                        )
                        continue
                left = self.keepalive - (loop.time() - idle_since)
                if left <= 0:
                    idle_since = loop.time()
                    yield pb.FetchResponse(
                        latest_replay_id=replay.encode_replay_id(cursor),
                        rpc_id=_rpc_id(),
                        pending_num_requested=credit,
                    )
                    continue
                if reader.done() and credit == 0:
                    return  # the client half-closed and asks for nothing more
                more.clear()
                waits: list[asyncio.Future[Any]] = []
                if not reader.done():
                    waits.append(asyncio.ensure_future(more.wait()))
                if credit > 0:
                    waits.append(asyncio.ensure_future(self.hub.wait_beyond(seen, left)))
                if not waits:
                    return
                _, pending = await asyncio.wait(
                    waits, timeout=left, return_when=asyncio.FIRST_COMPLETED
                )
                for w in pending:
                    w.cancel()
        except EventError as exc:
            await self._fail(context, exc)
        finally:
            reader.cancel()


class PubSubServer:
    """The gRPC server on its own thread and event loop."""

    def __init__(
        self, org: Org, hub: EventHub, settings: Settings, tls: TlsFiles | None
    ) -> None:
        self.org = org
        self.hub = hub
        self.settings = settings
        self.tls = tls
        self.loop = asyncio.new_event_loop()
        self._server: grpc.aio.Server | None = None
        self._started = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="pubsub", daemon=True)

    def start(self) -> PubSubServer:
        self._thread.start()
        self._started.wait(30)
        if self._error is not None:
            raise self._error
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._serve())
        except BaseException as exc:  # reported to start()
            self._error = exc
            self._started.set()
            return
        self.loop.run_forever()

    async def _serve(self) -> None:
        hub = self.hub
        # No SO_REUSEPORT: a second server on a taken port must fail, not share it.
        server = grpc.aio.server(
            options=[("grpc.max_receive_message_length", 16 * 1024 * 1024), ("grpc.so_reuseport", 0)]
        )
        pb_grpc.add_PubSubServicer_to_server(
            PubSubService(self.org, hub, self.settings.pubsub_keepalive), server
        )
        address = f"{self.settings.host}:{self.settings.grpc_port}"
        if self.tls is not None:
            creds = grpc.ssl_server_credentials(
                [(self.tls.key.read_bytes(), self.tls.cert.read_bytes())]
            )
            server.add_secure_port(address, creds)
        else:
            server.add_insecure_port(address)
        await server.start()
        self._server = server
        self._started.set()

    def stop(self) -> None:
        if self._server is not None:
            fut = asyncio.run_coroutine_threadsafe(self._server.stop(1.0), self.loop)
            try:
                fut.result(5)
            except Exception:  # shutting down anyway
                pass
        self.loop.call_soon_threadsafe(self.loop.stop)


__all__ = ["MAX_REQUESTED", "PubSubServer", "PubSubService"]
