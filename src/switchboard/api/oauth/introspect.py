"""``POST /services/oauth2/introspect`` (RFC 7662): the caller authenticates as an app."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ...org.identity import apps, grants
from ..responses import json_response
from ._common import form, oauth_error, org_of, run


async def introspect(request: Request) -> Response:
    try:
        params = await form(request)
    except Exception as exc:
        return oauth_error(exc)
    org = org_of(request)

    def work() -> Response:
        with org.store.read() as conn:
            app = apps.require(conn, params.get("client_id"))
        apps.check_secret(app, params.get("client_secret"))
        return json_response(grants.introspect(org, params.get("token", ""), app))

    return await run(work)


__all__ = ["introspect"]
