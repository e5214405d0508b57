"""The Bulk API 1.0 routes under ``/services/async/{version}``, authenticated by the
``X-SFDC-Session`` header, with errors in 1.0's ``exceptionCode`` shape."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...core.errors import InvalidSession
from ..call import ApiRuntime, bearer, endpoint
from . import jobs, wire

A = "/services/async/{version}"
_CODES = {"INVALID_SESSION_ID": "InvalidSessionId", "NOT_FOUND": "InvalidJob"}


def session_token(headers: Headers) -> str:
    """The ``X-SFDC-Session`` header, or an ``Authorization`` bearer token without one."""
    token = headers.get("x-sfdc-session", "").strip()
    if token:
        return token.removeprefix("Bearer ").strip()
    try:
        return bearer(headers)
    except InvalidSession:
        raise InvalidSession("Invalid session id") from None


def _v1_errors(inner: Any) -> Any:
    async def run(request: Request) -> Response:
        response: Response = await inner(request)
        if response.status_code < 400:
            return response
        try:
            entry = orjson.loads(bytes(response.body))[0]
            code, message = str(entry["errorCode"]), str(entry["message"])
        except (ValueError, KeyError, IndexError, TypeError):
            return response
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        return wire.error_response(
            _CODES.get(code, code), message, response.status_code, kind == wire.JSON
        )

    return run


def bulk1_routes(runtime: ApiRuntime) -> list[Route]:
    table: list[tuple[str, dict[str, Any]]] = [
        (A + "/job", {"POST": jobs.create_job}),
        (A + "/job/{job}", {"GET": jobs.get_job, "POST": jobs.change_job}),
        (A + "/job/{job}/batch", {"GET": jobs.list_batches, "POST": jobs.add_batch}),
        (A + "/job/{job}/batch/{batch}", {"GET": jobs.get_batch}),
        (A + "/job/{job}/batch/{batch}/request", {"GET": jobs.batch_request}),
        (A + "/job/{job}/batch/{batch}/result", {"GET": jobs.batch_result}),
        (A + "/job/{job}/batch/{batch}/result/{result}", {"GET": jobs.query_result}),
    ]
    return [
        Route(path, _v1_errors(endpoint(runtime, h, token=session_token)), methods=["GET", "POST"])
        for path, h in table
    ]


__all__ = ["bulk1_routes", "session_token"]
