"""The HTTP transport's errors::

    connectors.errors.ConnectorError
    └── HttpError                          an outbound HTTP call failed
        ├── ConnectError         transient  no connection (refused, DNS, TLS handshake)
        ├── ConnectTimeout       transient  no connection within the connect timeout
        ├── ReadTimeout          transient  connected, but no full reply within the timeout
        ├── CircuitOpen          transient  the endpoint's breaker is open: it was not called
        ├── BulkheadFull         transient  the credential's calls in flight stayed at the
        │                                   limit for the whole timeout: it was not called
        ├── RateLimited          transient  the credential's rate limit had no token in time
        ├── HttpStatusError      by status  the endpoint answered non-2xx (``response`` kept):
        │                                   transient for 408, 425, 429 and 5xx but 501,
        │                                   terminal otherwise (4xx, 3xx — never followed —,
        │                                   410 Gone, 501)
        ├── AuthFailed           terminal   the token endpoint refused the client (or
        │                                   transient when it was unreachable or 5xx)
        └── CredentialInvalid    terminal   the credential cannot be used as configured
                                            (missing secret, unreadable certificate)

``retry_after`` holds the seconds from a ``Retry-After`` header (429/503) or until the
breaker half-opens; ``remote_status`` the endpoint's status. ``status`` is the HTTP status
Switchboard itself answers with when the error reaches one of its own callers (502, or
504 for a timeout), as every :class:`SwitchboardError`. Messages name the credential,
the method and the path, never a header value, a token or a body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ConnectorError

if TYPE_CHECKING:
    from .client import HttpResponse

# Statuses worth another try: the server is overloaded, restarting or asked us to wait.
TRANSIENT_STATUSES = frozenset({408, 425, 429}) | (frozenset(range(500, 600)) - {501})


class HttpError(ConnectorError):
    """An outbound HTTP call failed."""


class ConnectError(HttpError):
    transient = True


class ConnectTimeout(HttpError):
    transient = True
    error_code = "REQUEST_TIMEOUT"
    status = 504


class ReadTimeout(HttpError):
    transient = True
    error_code = "REQUEST_TIMEOUT"
    status = 504


class CircuitOpen(HttpError):
    transient = True
    status = 503
    error_code = "SERVER_UNAVAILABLE"


class BulkheadFull(HttpError):
    transient = True
    status = 503
    error_code = "SERVER_UNAVAILABLE"


class RateLimited(HttpError):
    transient = True
    status = 503
    error_code = "SERVER_UNAVAILABLE"


class HttpStatusError(HttpError):
    """A non-2xx reply; ``response`` is the reply (status, headers, body)."""

    def __init__(self, message: str, response: HttpResponse, *, retry_after: float | None) -> None:
        super().__init__(
            message,
            transient=response.status in TRANSIENT_STATUSES,
            retry_after=retry_after,
            status=response.status,
        )
        self.response = response


class AuthFailed(HttpError):
    transient = False


class CredentialInvalid(HttpError):
    transient = False
    error_code = "INVALID_CREDENTIAL"
    status = 400


__all__ = [
    "TRANSIENT_STATUSES",
    "AuthFailed",
    "BulkheadFull",
    "CircuitOpen",
    "ConnectError",
    "ConnectTimeout",
    "CredentialInvalid",
    "HttpError",
    "HttpStatusError",
    "RateLimited",
    "ReadTimeout",
]
