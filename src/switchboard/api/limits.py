"""Request size limits at the edge, answered before a body is read whole.

Salesforce bounds what one request may carry, and so must a hub on the boundary: a
100 MB JSON body used to be read, parsed and kept (as a traceback's locals) before
anything refused it. This middleware checks each request against the limit of the
resource it addresses:

- the URI (path and query string): 16,384 bytes, Salesforce's documented ceiling for a
  REST call's URI; longer gets 414 (Salesforce answers 414 URI Too Long);
- SOAP login: 10 KB (Salesforce's documented login request size limit);
- OAuth forms: 64 KB (a login, a code or an assertion is far smaller);
- Bulk API 1.0 batches: 10 MB (Salesforce's batch size limit);
- every other body (REST JSON, composite, CometD): ``rest_max_body_mb`` (default 50 MB,
  Salesforce's limit on a JSON request inserting blob data);
- the Bulk API 2.0 upload streams to disk under its own limit (``bulk_max_upload_mb``);
- a multipart ContentVersion or Attachment upload streams to its store under the
  files limit (``files_max_version_mb``, 2 GB as Salesforce's), checked by its route.

A declared ``Content-Length`` over the limit is refused without reading a byte; a
chunked body is counted as it streams in and refused as soon as it passes the limit
(:class:`BodyTooLarge` rises out of ``receive``; the app renders it like any error).

errors.ApiError
├── BodyTooLarge    413 REQUEST_ENTITY_TOO_LARGE (a body over its resource's limit)
└── UriTooLong      414 URI_TOO_LONG (path and query over 16,384 bytes)
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..core.errors import SwitchboardError
from .errors import ApiError

MAX_URI = 16_384
SOAP_MAX_BODY = 10 * 1024
OAUTH_MAX_BODY = 64 * 1024
BULK1_MAX_BODY = 10 * 1024 * 1024
_BULK2_UPLOAD = re.compile(r"^/services/data/[^/]+/jobs/ingest/[^/]+/batches/?$")
# The objects whose multipart create streams its body (api/rest/files.py routes them).
STREAMED_UPLOADS = ("ContentVersion", "Attachment")
_FILE_UPLOAD = re.compile(
    r"^/services/data/[^/]+/sobjects/(" + "|".join(STREAMED_UPLOADS) + r")/?$"
)


class BodyTooLarge(ApiError):
    error_code = "REQUEST_ENTITY_TOO_LARGE"
    status = 413


class UriTooLong(ApiError):
    error_code = "URI_TOO_LONG"
    status = 414


def body_limit(path: str, rest_max_body: int, content_type: bytes = b"") -> int | None:
    """The largest body ``path`` accepts, or None where the route enforces its own."""
    if path.startswith("/services/Soap/"):
        return SOAP_MAX_BODY
    if path.startswith("/services/oauth2/"):
        return OAUTH_MAX_BODY
    if path.startswith("/services/async/"):
        return BULK1_MAX_BODY
    if _BULK2_UPLOAD.match(path):
        return None
    if content_type.lower().startswith(b"multipart/") and _FILE_UPLOAD.match(path):
        return None
    return rest_max_body


class RequestLimits:
    """ASGI middleware enforcing :data:`MAX_URI` and :func:`body_limit`."""

    def __init__(self, app: ASGIApp, *, rest_max_body: int) -> None:
        self.app = app
        self.rest_max_body = rest_max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        uri = len(scope.get("raw_path") or path.encode()) + len(scope.get("query_string", b""))
        if uri > MAX_URI:
            await _refuse(send, path, UriTooLong(f"The request URI is longer than {MAX_URI} bytes"))
            return
        limit = body_limit(path, self.rest_max_body, _header(scope, b"content-type"))
        if limit is None:
            await self.app(scope, receive, send)
            return
        too_large = BodyTooLarge(f"The request body is larger than the {limit} bytes allowed")
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, path, too_large)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(too_large.message)
            return message

        await self.app(scope, counted, send)


def _header(scope: Scope, wanted: bytes) -> bytes:
    for name, value in scope.get("headers", ()):
        if name == wanted:
            return bytes(value)
    return b""


def _content_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    return int(value) if value.isdigit() else None


async def _refuse(send: Send, path: str, exc: SwitchboardError) -> None:
    """The error in the addressed API's own shape: a SOAP fault for SOAP, else JSON."""
    headers: list[tuple[bytes, bytes]] = [(b"connection", b"close")]
    if path.startswith("/services/Soap/"):
        from .soap.envelope import SoapFault, fault

        response = fault(SoapFault(exc.error_code, exc.message))
        body, status = bytes(response.body), response.status_code
        headers.append((b"content-type", b"text/xml;charset=UTF-8"))
    else:
        payload: Any = [exc.to_salesforce()]
        if path.startswith("/services/oauth2/"):
            payload = {"error": "invalid_request", "error_description": exc.message}
        body, status = orjson.dumps(payload), exc.status
        headers.append((b"content-type", b"application/json;charset=UTF-8"))
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


__all__ = ["STREAMED_UPLOADS", "BodyTooLarge", "RequestLimits", "UriTooLong", "body_limit"]
