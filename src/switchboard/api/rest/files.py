"""File resources: uploads of ContentVersion and Attachment (multipart or JSON), and
their bytes (``ContentVersion/{id}/VersionData``, ``Attachment/{id}/Body``) streamed
with their media type and single byte ranges (``Range: bytes=a-b``)."""

from __future__ import annotations

import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from ...org.dml.context import WriteContext
from ...org.files.errors import InvalidUpload, UnsupportedMediaType
from ...org.files.stores import too_large
from .. import versions
from ..call import ApiRuntime, Call, Handler, authenticate, bearer, endpoint
from ..errors import RangeNotSatisfiable, render_error
from ..limits import STREAMED_UPLOADS
from ..responses import json_response
from . import sobjects
from .multipart_upload import MultipartUpload, boundary_of

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$")
_JSON = ("application/json", "text/json")


def _range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, end exclusive) of one ``bytes=a-b`` range; None: the whole file."""
    if not header:
        return None
    m = _RANGE.match(header)
    if m is None:
        return None  # several ranges or another unit: serve the whole file, as allowed
    first, last = m.groups()
    if first == "" and last == "":
        return None
    if first == "":
        start, end = max(0, size - int(last)), size
    else:
        start = int(first)
        end = min(size, int(last) + 1) if last else size
    if start >= size or start >= end:
        raise RangeNotSatisfiable(f"The range {header.strip()} is outside the file's {size} bytes")
    return start, end


def _download(call: Call, object_name: str) -> Response:
    files = call.org.files
    content = files.content(object_name, call.params["id"])
    wanted = _range(call.headers.get("range"), content.size)
    start, end = wanted or (0, content.size)
    headers = {
        "Content-Length": str(end - start),
        "Accept-Ranges": "bytes",
    }
    if content.md5:
        headers["ETag"] = f'"{content.md5}"'
    status = 200
    if wanted is not None:
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{content.size}"
    if call.method == "HEAD" or end == start:
        return Response(b"", status, headers=headers, media_type=content.media_type)
    return StreamingResponse(
        files.read(content, start, end),
        status_code=status,
        headers=headers,
        media_type=content.media_type,
    )


def version_data(call: Call) -> Response:
    return _download(call, "ContentVersion")


def attachment_body(call: Call) -> Response:
    return _download(call, "Attachment")


def files_routes(base: str) -> list[tuple[str, dict[str, Handler]]]:
    """Table routes; they must come before ``sobjects/{type}/{field}/{value}``."""
    s = base + "/sobjects"
    return [
        (s + "/ContentVersion/{id}/VersionData", {"GET": version_data}),
        (s + "/Attachment/{id}/Body", {"GET": attachment_body}),
    ]


def _create(call: Call) -> Response:
    """JSON with base64 VersionData / Body: in a worker thread (storing the bytes is
    blocking I/O), not the event loop's group-commit form of create."""
    return sobjects.create(call)


def _upload_endpoint(runtime: ApiRuntime, object_name: str) -> Any:
    org = runtime.org
    generic = endpoint(runtime, {"GET": sobjects.basic_info, "POST": _create})

    async def run(request: Request) -> Response:
        ctype = request.headers.get("content-type", "")
        if request.method != "POST" or ctype.split(";")[0].strip().lower() in _JSON:
            request.scope["path_params"] = {**request.path_params, "type": object_name}
            return await generic(request)  # JSON with base64, through the one create path
        limit_header: dict[str, str] = {}
        upload: MultipartUpload | None = None
        try:
            boundary = boundary_of(ctype)
            if boundary is None:
                raise UnsupportedMediaType(
                    f"Content type '{ctype.split(';')[0].strip() or '(none)'}' is not "
                    "supported: send application/json or multipart/form-data"
                )
            params = dict(request.path_params)

            def begin() -> WriteContext:
                version = versions.parse(params.get("version", ""))
                session = authenticate(org, bearer(request.headers))
                used, cap = org.usage.hit(session.client_id)
                limit_header.update(
                    {"Sforce-Limit-Info": org.usage.limit_info(used, cap, session.client_id)}
                )
                return WriteContext(session.user_id, "rest", version)

            ctx = await run_in_threadpool(begin)
            obj = org.schema.object(object_name)
            limit = org.files.config.max_version_bytes
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit + (1 << 20):
                raise too_large(object_name, limit)
            upload = MultipartUpload(org, obj, boundary, limit)
            try:
                async for chunk in request.stream():
                    if chunk:
                        upload.feed(chunk)
                        await upload.drain()
            except ClientDisconnect:
                raise InvalidUpload("The client closed the connection mid-upload") from None
            new_id = await upload.finish(ctx)
        except Exception as exc:
            if upload is not None:
                upload.abort()
            return render_error(exc, limit_header)
        return json_response({"id": new_id, "success": True, "errors": []}, 201, limit_header)

    return run


def files_raw_routes(base: str, runtime: ApiRuntime) -> list[Route]:
    """Routes that stream their body (multipart uploads), ahead of the table's."""
    s = base + "/sobjects"
    return [
        Route(s + "/" + name, _upload_endpoint(runtime, name), methods=["GET", "HEAD", "POST"])
        for name in STREAMED_UPLOADS
    ]


__all__ = ["attachment_body", "files_raw_routes", "files_routes", "version_data"]
