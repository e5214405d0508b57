"""What the OAuth endpoints share: form parsing, client Basic auth, error rendering.

These endpoints authenticate with what is in the request (credentials, assertions,
codes), not a session, and do not count towards DailyApiRequests, as in Salesforce.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from urllib.parse import parse_qsl, unquote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ...core.errors import SwitchboardError
from ...core.untrusted import first_with_nul
from ...org.identity.errors import OAuthError
from ...org.runtime import Org
from ...org.security.trail import LoginSource
from ..errors import render_error
from ..responses import json_response

# Form bodies are small; anything bigger is not a login.
_MAX_BODY = 64 * 1024


def org_of(request: Request) -> Org:
    org: Org = request.app.state.org
    return org


def base_url(request: Request) -> str:
    """The org's URL as this client reaches it (scheme, host and port)."""
    return str(request.base_url).rstrip("/")


async def form(request: Request) -> dict[str, str]:
    """Query parameters, then the url-encoded body on top, then HTTP Basic client auth
    for client_id/client_secret when the body did not carry them."""
    params = dict(request.query_params)
    if request.method == "POST":
        body = await request.body()
        if len(body) > _MAX_BODY:
            raise OAuthError("invalid_request", "request too large")
        try:
            text = body.decode()
        except UnicodeDecodeError:
            raise OAuthError("invalid_request", "body is not UTF-8") from None
        params.update(parse_qsl(text, keep_blank_values=True))
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic" and value:
        try:
            user, _, secret = base64.b64decode(value.strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError("invalid_client", "invalid client credentials") from None
        params.setdefault("client_id", unquote(user))
        params.setdefault("client_secret", unquote(secret))
    if first_with_nul([*params, *params.values()]) is not None:  # no user or app has one
        raise OAuthError("invalid_request", "request contains a NUL character")
    return params


def login_source(request: Request) -> LoginSource:
    """Where a login attempt came from, for LoginHistory."""
    client = request.client
    return LoginSource(
        client.host if client else None, str(request.url), request.headers.get("user-agent")
    )


def oauth_error(exc: BaseException) -> Response:
    if isinstance(exc, OAuthError):
        return json_response(exc.to_oauth(), exc.status)
    if isinstance(exc, SwitchboardError):
        return json_response(
            {"error": "invalid_request", "error_description": exc.message}, exc.status
        )
    return render_error(exc)


async def run(work: Callable[[], Response]) -> Response:
    """Run the blocking part (database, scrypt) off the event loop; render failures."""

    def guarded() -> Response:
        try:
            return work()
        except Exception as exc:
            return oauth_error(exc)

    return await run_in_threadpool(guarded)


__all__ = ["base_url", "form", "login_source", "oauth_error", "org_of", "run"]
