"""``POST /services/oauth2/token``: every grant type, replying as Salesforce does."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ...core import ids
from ...org.identity import grants
from ...org.security.trail.logins import record_grant
from ..responses import json_response
from ._common import base_url, form, login_source, oauth_error, org_of, run


def identity_url(base: str, org_id: str, user_id: str) -> str:
    return f"{base}/id/{ids.to18(org_id[:15])}/{ids.to18(user_id[:15])}"


def reply(issued: grants.Issued, base: str, org_id: str) -> dict[str, Any]:
    ident = identity_url(base, org_id, issued.user_id)
    body: dict[str, Any] = {"access_token": issued.access_token}
    if issued.refresh_token:
        body["refresh_token"] = issued.refresh_token
    signature = issued.signature(ident)
    if signature:
        body["signature"] = signature
    body.update(
        scope=issued.scope,
        instance_url=base,
        id=ident,
        token_type="Bearer",
        issued_at=issued.issued_at_ms,
    )
    return body


async def token(request: Request) -> Response:
    try:
        params = await form(request)
    except Exception as exc:
        return oauth_error(exc)
    org = org_of(request)
    base = base_url(request)

    source = login_source(request)

    def work() -> Response:
        try:
            issued = grants.token(org, params, audience=base)
        except Exception as exc:
            record_grant(org, params, source, error=exc)
            raise
        record_grant(org, params, source, user_id=issued.user_id, client_id=issued.client_id)
        return json_response(reply(issued, base, org.org_id), headers={"Cache-Control": "no-store"})

    return await run(work)


__all__ = ["identity_url", "reply", "token"]
