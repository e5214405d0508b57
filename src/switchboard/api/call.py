"""One API call: the authenticated session, the version, the body; and the wrapper
that turns a plain handler into a Starlette endpoint.

Handlers are synchronous functions of a :class:`Call`. The wrapper reads the body on
the event loop, then runs authentication, usage counting and the handler together in
one worker thread (one hop per request), and renders any error in Salesforce's shape.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, QueryParams
from starlette.requests import Request
from starlette.responses import Response

from ..core.errors import (
    InvalidSession,
    JsonParserError,
    MethodNotAllowed,
    NotFound,
    SwitchboardError,
)
from ..core.untrusted import first_with_nul, has_nul, shown
from ..org.dml.context import WriteContext
from ..org.identity.secrets import token_hash
from ..org.identity.tokens import Session, validate
from ..org.runtime import Org
from ..org.security.errors import ApiDisabled
from ..org.security.principal import Principal
from . import versions
from .errors import render_error

if TYPE_CHECKING:
    from ..events.hub import EventHub
    from ..org.bulk.worker import BulkWorker
    from ..org.soql.engine import QueryEngine


class ApiRuntime(Protocol):
    """What the API needs of the running process. The Runtime (a layer above ``api``)
    satisfies it; handlers reach the one query engine, event hub and bulk worker through
    ``call.runtime`` instead of module-level lookups."""

    org: Org
    soql: QueryEngine
    hub: EventHub
    bulk: BulkWorker


@dataclass(slots=True)
class Call:
    org: Org
    session: Session
    version: str
    method: str
    params: dict[str, str]
    query: QueryParams
    headers: Headers
    body: bytes
    base_url: str
    runtime: ApiRuntime
    # Whose access applies to the call (org.security.permissions); looked up when the
    # call begins, since every API call needs API Enabled.
    principal: Principal | None = None

    def json(self) -> Any:
        if not self.body.strip():
            raise JsonParserError("The request body is empty; a JSON object was expected")
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError as exc:
            raise JsonParserError(f"Unexpected character in JSON body: {str(exc)[:200]}") from None

    def json_object(self) -> dict[str, Any]:
        data = self.json()
        if not isinstance(data, dict):
            raise JsonParserError(
                "Cannot deserialize instance of sObject from "
                f"{'START_ARRAY' if isinstance(data, list) else 'VALUE'} value"
            )
        return data

    def ctx(self, api: str = "rest") -> WriteContext:
        client = self.headers.get("sforce-call-options", "")
        client_name = None
        for part in client.split(","):
            if part.strip().lower().startswith("client="):
                client_name = part.split("=", 1)[1].strip()
        dup = self.headers.get("sforce-duplicate-rule-header", "").replace(" ", "").lower()
        allow_save = "allowsave=true" in dup.split(",")
        return WriteContext(
            self.session.user_id,
            api,
            self.version,
            client_name,
            allow_save=allow_save,
            principal=self.principal,
        )


# A handler answers one call; a pattern's may be async (``api.app`` mounts both).
Handler = Callable[[Call], Response]


def check_untrusted(params: dict[str, str], query: QueryParams) -> None:
    """Refuse path segments and query parameters the store cannot hold (a NUL, see
    :mod:`core.untrusted`) before any handler looks them up: a segment that no record
    or job can have is NOT_FOUND, a parameter MALFORMED_QUERY."""
    if first_with_nul(params.values()) is not None:
        raise NotFound()
    for name, value in query.multi_items():
        if has_nul(name) or has_nul(value):
            raise SwitchboardError(
                f"The query parameter '{shown(name, 40)}' contains a NUL character "
                "(\\u0000), which is not allowed",
                error_code="MALFORMED_QUERY",
            )


def bearer(headers: Headers) -> str:
    auth = headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() not in ("bearer", "oauth") or not token.strip():
        raise InvalidSession()
    return token.strip()


def authenticate(org: Org, token: str) -> Session:
    """The session of a bearer token: from the session cache, else from the database."""
    key = token_hash(token)
    session = org.sessions.get(key)
    if session is not None:
        return session
    generation = org.sessions.generation()
    users = org.schema.table(org.schema.object("User"))
    with org.store.read() as conn:
        session = validate(conn, users, org.org_id, token)
    org.sessions.put(key, session, generation)
    return session


def principal_of(org: Org, session: Session) -> Principal:
    """The caller's effective access; refuses a user without API Enabled."""
    principal = org.permissions.principal_for(session.user_id)
    if not principal.api_enabled:
        raise ApiDisabled()
    return principal


def point_read(handler: Handler) -> Handler:
    """Mark a handler whose work is small and bounded and never waits for a lock: a
    read of one record or of metadata. On SQLite such handlers run on the event loop
    itself. In WAL mode readers never block, and the hop to a worker thread (with the
    GIL handed back and forth on every driver call) cost more than the read: served
    inline, a retrieve ran 2.6 times as many requests per second here. Writes, queries
    and anything on PostgreSQL (a network round trip) still go to the thread pool.
    """
    handler.point_read = True  # type: ignore[attr-defined]
    return handler


def async_write(write: Callable[[Call], Any]) -> Callable[[Handler], Handler]:
    """Give a handler an asyncio form for SQLite: the request is parsed, checked and
    coerced on the event loop and its write joins the store's group commit, run by one
    writer thread, instead of a pool thread parking on the write lock."""

    def mark(handler: Handler) -> Handler:
        handler.async_write = write  # type: ignore[attr-defined]
        return handler

    return mark


def endpoint(
    runtime: ApiRuntime,
    handlers: dict[str, Handler],
    *,
    counted: bool = True,
    token: Callable[[Headers], str] = bearer,
) -> Callable[[Request], Any]:
    """A Starlette endpoint dispatching on method to ``handlers``.

    ``counted=False`` (the ``limits`` resource) neither counts towards DailyApiRequests
    nor is refused when it is spent: it reports the limit, so it must answer when it bites.
    ``token`` reads the access token from the headers (Bulk API 1.0 sends X-SFDC-Session).
    """
    org = runtime.org
    allowed = ",".join(sorted(set(handlers) | ({"HEAD"} if "GET" in handlers else set())))
    inline = org.store.is_sqlite

    async def run(request: Request) -> Response:
        method = request.method
        handler = handlers.get("GET" if method == "HEAD" else method)
        try:
            body = await request.body() if method in ("POST", "PATCH", "PUT") else b""
        except SwitchboardError as exc:  # over the resource's size limit (api/limits.py)
            return render_error(exc)
        except Exception:  # a client that hangs up mid-body gets nothing back anyway
            return Response(status_code=400)
        params = dict(request.path_params)

        def begin() -> tuple[Call | None, Response | None, dict[str, str]]:
            """Version, authentication and usage: the call, or the error reply."""
            limit_header: dict[str, str] = {}
            try:
                version = versions.parse(params.pop("version", f"v{versions.NEWEST}.0"))
                session = authenticate(org, token(request.headers))
                principal = principal_of(org, session)
                request.scope["switchboard.user_id"] = session.user_id
                client_id = session.client_id
                if counted:
                    used, cap = org.usage.hit(client_id)
                else:
                    used, cap = org.usage.used(), org.usage.limit
                limit_header = {"Sforce-Limit-Info": org.usage.limit_info(used, cap, client_id)}
                if handler is None:
                    raise MethodNotAllowed(
                        f"HTTP Method '{method}' not allowed. Allowed are {allowed}"
                    )
                check_untrusted(params, request.query_params)
            except SwitchboardError as exc:
                if isinstance(exc, InvalidSession):
                    limit_header = {"WWW-Authenticate": "Token"}
                return None, render_error(exc, limit_header), limit_header
            except Exception as exc:  # never a bare 500: render it like Salesforce
                return None, render_error(exc, limit_header), limit_header
            call = Call(
                org,
                session,
                version,
                method,
                params,
                request.query_params,
                request.headers,
                body,
                str(request.base_url).rstrip("/"),
                runtime,
                principal,
            )
            return call, None, limit_header

        def reply(response: Response, limit_header: dict[str, str]) -> Response:
            response.headers.update(limit_header)
            return response

        def work() -> Response:
            call, error, limit_header = begin()
            if call is None:
                assert error is not None
                return error
            try:
                return reply(handler(call), limit_header)  # type: ignore[misc]
            except Exception as exc:  # Salesforce-shaped, never a bare 500
                return render_error(exc, limit_header)

        if inspect.iscoroutinefunction(handler):  # a pattern's async handler
            call, error, limit_header = await run_in_threadpool(begin)
            if call is None:
                assert error is not None
                return error
            try:
                return reply(await handler(call), limit_header)
            except Exception as exc:
                return render_error(exc, limit_header)
        if inline and getattr(handler, "point_read", False):
            return work()
        write = getattr(handler, "async_write", None)
        if inline and write is not None:
            call, error, limit_header = begin()
            if call is None:
                assert error is not None
                return error
            try:
                return reply(await write(call), limit_header)
            except Exception as exc:
                return render_error(exc, limit_header)
        return await run_in_threadpool(work)

    capture = org.event_capture
    if not capture.enabled:
        return run

    async def captured(request: Request) -> Response:
        """``run``, and the call handed to event monitoring (an append, no I/O)."""
        started = time.perf_counter()
        response = await run(request)
        client = request.client
        capture.api_call(
            path=request.url.path,
            method=request.method,
            status=response.status_code,
            user_id=request.scope.get("switchboard.user_id"),
            started=started,
            client_ip=client.host if client else None,
            user_agent=request.headers.get("user-agent"),
            request_size=_length(request.headers.get("content-length")),
            response_size=len(getattr(response, "body", b"") or b""),
        )
        return response

    return captured


def _length(header: str | None) -> int:
    """Content-Length as a number; a malformed one counts as 0 (the log never fails)."""
    try:
        return max(int(header or 0), 0)
    except ValueError:
        return 0


__all__ = [
    "ApiRuntime",
    "Call",
    "Handler",
    "async_write",
    "check_untrusted",
    "endpoint",
    "point_read",
]
