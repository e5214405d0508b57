"""``/services/oauth2/revoke``: an access or refresh token, by POST body or GET query."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ...org.identity import grants
from ...org.identity.errors import OAuthError
from ._common import form, oauth_error, org_of, run


async def revoke(request: Request) -> Response:
    try:
        params = await form(request)
    except Exception as exc:
        return oauth_error(exc)
    org = org_of(request)
    value = params.get("token", "")

    def work() -> Response:
        if not value or not grants.revoke(org, value):
            raise OAuthError("unsupported_token_type", "this token type is not supported")
        return Response(status_code=200)

    return await run(work)


__all__ = ["revoke"]
