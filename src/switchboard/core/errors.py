"""The root of every Switchboard exception.

Each layer subclasses :class:`SwitchboardError` in its own ``errors.py``; an error knows
the Salesforce ``errorCode`` it renders as, its HTTP status, and whether retrying could
help (transient) or not (terminal)::

    SwitchboardError
    ├── TransientError             retry may succeed (store busy, endpoint down)
    ├── InvalidSession             401 INVALID_SESSION_ID
    ├── RequestLimitExceeded       403 REQUEST_LIMIT_EXCEEDED
    ├── NotFound                   404 NOT_FOUND
    ├── MethodNotAllowed           405 METHOD_NOT_ALLOWED
    ├── MalformedId                400 MALFORMED_ID
    ├── JsonParserError            400 JSON_PARSER_ERROR
    ├── store.errors.StoreError    storage failures
    ├── org.errors.OrgError        schema and DML failures (INVALID_FIELD, ...)
    ├── org.soql.errors.SoqlError  query failures (MALFORMED_QUERY, ...)
    └── api.errors.ApiError        protocol failures at the HTTP edge
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class SwitchboardError(Exception):
    """Base class: a failure that renders as one Salesforce error entry."""

    error_code: str = "UNKNOWN_EXCEPTION"
    status: int = 400
    transient: bool = False

    def __init__(
        self,
        message: str,
        *,
        fields: Iterable[str] = (),
        error_code: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = list(fields)
        if error_code is not None:
            self.error_code = error_code
        if status is not None:
            self.status = status

    def to_salesforce(self) -> dict[str, Any]:
        """The entry Salesforce puts in its error array."""
        return {"message": self.message, "errorCode": self.error_code, "fields": self.fields}


class TransientError(SwitchboardError):
    """Retrying the same operation later may succeed."""

    error_code = "SERVER_UNAVAILABLE"
    status = 503
    transient = True


class InvalidSession(SwitchboardError):
    error_code = "INVALID_SESSION_ID"
    status = 401

    def __init__(self, message: str = "Session expired or invalid") -> None:
        super().__init__(message)


class RequestLimitExceeded(SwitchboardError):
    error_code = "REQUEST_LIMIT_EXCEEDED"
    status = 403


class NotFound(SwitchboardError):
    error_code = "NOT_FOUND"
    status = 404

    def __init__(self, message: str = "The requested resource does not exist") -> None:
        super().__init__(message)


class MethodNotAllowed(SwitchboardError):
    error_code = "METHOD_NOT_ALLOWED"
    status = 405


class MalformedId(SwitchboardError):
    error_code = "MALFORMED_ID"
    status = 400


class JsonParserError(SwitchboardError):
    error_code = "JSON_PARSER_ERROR"
    status = 400


__all__ = [
    "InvalidSession",
    "JsonParserError",
    "MalformedId",
    "MethodNotAllowed",
    "NotFound",
    "RequestLimitExceeded",
    "SwitchboardError",
    "TransientError",
]
