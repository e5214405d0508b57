"""The root of every Switchboard exception, and the whole tree.

Each layer subclasses :class:`SwitchboardError` in its own ``errors.py`` (with its part
of the tree in that module's docstring); an error knows the Salesforce ``errorCode`` it
renders as, its HTTP status, and whether retrying could help: ``transient`` (retry, with
:mod:`core.retry`; a durable delivery is attempted again) or terminal (the same input
fails the same way: answer it, or dead-letter the delivery). Terminal is the default;
every transient type says so below and sets ``transient = True``::

    SwitchboardError                           terminal unless marked transient
    ├── TransientError                         transient  503 SERVER_UNAVAILABLE
    ├── InvalidSession                         terminal   401 INVALID_SESSION_ID
    ├── RequestLimitExceeded                   terminal   403 REQUEST_LIMIT_EXCEEDED
    ├── NotFound                               terminal   404 NOT_FOUND
    ├── MethodNotAllowed                       terminal   405 METHOD_NOT_ALLOWED
    ├── MalformedId                            terminal   400 MALFORMED_ID
    ├── JsonParserError                        terminal   400 JSON_PARSER_ERROR
    ├── store.errors.StoreError                storage: StoreBusy (transient, also a
    │                                          TransientError), MigrationError
    ├── events.errors.EventError               replay ids, topics; ConsumerMoved
    │                                          (transient); relays.nats.RelayError
    ├── org.errors.OrgError                    records, DML, schema: terminal
    │   ├── org.formulas.errors.FormulaError   INVALID_FORMULA (a formula refused at deploy)
    │   ├── org.soql.errors.SoqlError          MALFORMED_QUERY, INVALID_QUERY_LOCATOR ...
    │   ├── org.bulk.errors.BulkError          bulk jobs and their CSV
    │   └── org.schema.errors.SchemaError      metadata and SFDX source
    ├── org.identity.errors.OAuthError         login and OAuth: terminal
    ├── api.errors.ApiError                    the HTTP edge: versions, composite, XML
    ├── core.crypto.CryptoError                terminal: an unusable key, a sealed value
    │                                          that does not open
    ├── connectors.errors.ConnectorError       outbound calls: each says (timeouts,
    │                                          5xx, 429, open circuit: transient)
    ├── patterns.project.errors.ProjectInvalid terminal: switchboard.yaml cannot be used
    ├── patterns.callout.errors.CalloutError   call-out templates and replies: terminal
    ├── patterns.sync.errors.SyncError         terminal: a sync cannot run as configured
    └── cli.errors.CliError                    terminal: a command cannot go on (one line)

``tests/core/test_error_tree.py`` checks that every error class appears in its module's
tree and that no two classes share a name.
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
    """Retrying the same operation later may succeed (a base for transient errors of
    any layer; ``transient`` is what retrying callers ask, see :mod:`core.retry`)."""

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
