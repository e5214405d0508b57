"""Errors at the HTTP edge, and rendering any Switchboard error as Salesforce does.

SwitchboardError
└── ApiError                   terminal (all of them): a request the edge refuses
    ├── UnsupportedVersion     404 NOT_FOUND for an API version we do not serve
    ├── InvalidXml             400 XMLParserError: a Bulk API 1.0 body that is not XML/JSON
    ├── FunctionalityNotEnabled  400 FUNCTIONALITY_NOT_ENABLED: an API this org lacks
    │                            (the Tooling API; see api/fallbacks.py)
    ├── RangeNotSatisfiable    416 REQUESTED_RANGE_NOT_SATISFIABLE: a download's Range
    │                              outside the file
    ├── limits.BodyTooLarge    413 REQUEST_ENTITY_TOO_LARGE (a body over its resource's limit)
    ├── limits.UriTooLong      414 URI_TOO_LONG (path and query over 16,384 bytes)
    ├── composite.errors.CompositeError      composite resources' limits and references
    └── bulk2.errors.UnsupportedBulkQuery    SOQL that Bulk API 2.0 query jobs refuse
"""

from __future__ import annotations

import logging
import traceback

from sqlalchemy.exc import DBAPIError
from starlette.responses import Response

from ..core.errors import NotFound, SwitchboardError
from ..core.tracebacks import detach
from .responses import json_response

log = logging.getLogger("switchboard.api")


class ApiError(SwitchboardError):
    pass


class UnsupportedVersion(NotFound, ApiError):
    pass


class InvalidXml(ApiError):
    error_code = "XMLParserError"


class FunctionalityNotEnabled(ApiError):
    error_code = "FUNCTIONALITY_NOT_ENABLED"
    status = 400


class RangeNotSatisfiable(ApiError):
    error_code = "REQUESTED_RANGE_NOT_SATISFIABLE"
    status = 416


def render_error(exc: BaseException, headers: dict[str, str] | None = None) -> Response:
    """A Salesforce error array; anything unexpected is logged and becomes one too."""
    if isinstance(exc, SwitchboardError):
        detach(exc, keep_text=False)  # rendered: its frames (and the body they hold) may go
        return json_response([exc.to_salesforce()], exc.status, headers)
    _log_unexpected(exc)
    detach(exc, keep_text=False)
    body = [
        {
            "message": "An unexpected error occurred. Please include this ErrorId if you "
            "contact support: " + hex(id(exc))[2:],
            "errorCode": "UNKNOWN_EXCEPTION",
            "fields": [],
        }
    ]
    return json_response(body, 500, headers)


def _log_unexpected(exc: BaseException) -> None:
    """Log an unexpected error by its shape, never its data: a database error's text can
    quote record values (PostgreSQL's ``DETAIL: Key (name)=(...)``), so it is logged as
    its class, SQLSTATE and statement (the engines hide bound parameters)."""
    if isinstance(exc, DBAPIError):
        orig = exc.orig
        code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "-"
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.error(
            "unexpected database error %s (SQLSTATE %s) in statement: %s\n%s",
            type(orig).__name__,
            code,
            str(exc.statement or "")[:1000],
            frames,
        )
        return
    log.error("unexpected error", exc_info=exc)


__all__ = [
    "ApiError",
    "FunctionalityNotEnabled",
    "InvalidXml",
    "RangeNotSatisfiable",
    "UnsupportedVersion",
    "render_error",
]
