"""Running one subrequest through the REST handlers, in process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson
from starlette.datastructures import Headers, QueryParams

from ...core.errors import JsonParserError, NotFound, SwitchboardError
from ...core.tracebacks import detach
from ...core.untrusted import shown
from .. import versions
from ..call import Call, check_untrusted
from ..errors import render_error
from .router import Router

_PREFIX = "/services/data/"


@dataclass(slots=True)
class SubResult:
    status: int
    body: Any
    headers: dict[str, str]

    @property
    def ok(self) -> bool:
        return self.status < 400


def error_result(exc: SwitchboardError) -> SubResult:
    detach(exc, keep_text=False)  # rendered: keep no frame (nor the body it holds) alive
    return SubResult(exc.status, [exc.to_salesforce()], {})


_METHODS = frozenset({"GET", "HEAD", "POST", "PATCH", "PUT", "DELETE"})


def check_shape(method: Any, url: Any, headers: Any) -> None:
    """Refuse a subrequest whose parts have the wrong JSON type, as Salesforce's
    deserializer does, before anything runs (``"httpHeaders": "x"`` is JSON_PARSER_ERROR)."""
    if not isinstance(method, str) or method.upper() not in _METHODS:
        raise JsonParserError(f"Invalid HTTP method in subrequest: {shown(str(method), 20)}")
    if not isinstance(url, str):
        raise JsonParserError("Cannot deserialize instance of String for the subrequest url")
    if headers is None:
        return
    if not isinstance(headers, dict) or not all(
        isinstance(v, str | int | float) and not isinstance(v, bool) for v in headers.values()
    ):
        raise JsonParserError(
            "Cannot deserialize instance of Map<String,String> for httpHeaders: an object "
            "of header names to strings was expected"
        )


def run(
    parent: Call,
    router: Router,
    method: str,
    url: str,
    body: Any,
    headers: dict[str, str] | None = None,
) -> SubResult:
    """The status, JSON body and headers ``method url`` answers, as a REST call would."""
    try:
        check_shape(method, url, headers)
        parts = urlsplit(url)
        path = parts.path
        if not path.startswith(_PREFIX):
            raise NotFound(f"The requested resource does not exist: {path}")
        handler, params = router.match(method.upper(), path)
        version = versions.parse(params.pop("version", f"v{parent.version}"))
        query = QueryParams(parts.query)
        check_untrusted(params, query)
        merged = dict(parent.headers)
        for k, v in (headers or {}).items():
            merged[k.lower()] = str(v)
        call = Call(
            parent.org,
            parent.session,
            version,
            method.upper(),
            params,
            query,
            Headers(merged),
            orjson.dumps(body) if body is not None else b"",
            parent.base_url,
            parent.runtime,
            parent.principal,
        )
        response = handler(call)
    except SwitchboardError as exc:
        return error_result(exc)
    except Exception as exc:  # rendered like Salesforce's UNKNOWN_EXCEPTION, never raised
        response = render_error(exc)
    raw = bytes(response.body)
    out_headers: dict[str, str] = {}
    payload: Any = orjson.loads(raw) if raw else None
    if response.status_code == 201 and isinstance(payload, dict) and payload.get("id"):
        out_headers["Location"] = f"{path.rstrip('/')}/{payload['id']}"
    return SubResult(response.status_code, payload, out_headers)


__all__ = ["SubResult", "check_shape", "error_result", "run"]
