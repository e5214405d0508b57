"""The connectors' error root; each connector's ``errors.py`` subclasses it::

    SwitchboardError
    └── ConnectorError                 a call to an external system failed
        ├── ConnectorTransient         retrying later may succeed
        ├── ConnectorTerminal          retrying cannot help (bad config, 4xx, no secret)
        │   ├── UnknownConnector       no connector of that kind is registered
        │   └── UnknownCredential      no credential of that name (project or org)
        └── connectors.http.errors.HttpError   the HTTP transport's own tree

Every error carries ``transient`` (what :class:`core.retry.RetryPolicy` asks),
``retry_after`` (seconds the remote side asked us to wait, or ``None``) and ``status``
(the remote HTTP status when there was one). Messages never hold a secret: they name
the credential and the endpoint, never a header value or a body sent.
"""

from __future__ import annotations

from ..core.errors import SwitchboardError


class ConnectorError(SwitchboardError):
    """A call to an external system failed."""

    error_code = "CALLOUT_ERROR"
    status = 502

    def __init__(
        self,
        message: str,
        *,
        transient: bool | None = None,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        if transient is not None:
            self.transient = transient
        self.retry_after = retry_after
        self.remote_status = status

    # ``status`` on SwitchboardError is the HTTP status *we* answer with; the remote
    # status an HTTP connector saw is ``remote_status`` (also readable as ``http_status``).
    @property
    def http_status(self) -> int | None:
        return self.remote_status


class ConnectorTransient(ConnectorError):
    transient = True


class ConnectorTerminal(ConnectorError):
    transient = False


class UnknownConnector(ConnectorTerminal):
    error_code = "INVALID_TYPE"
    status = 400


class UnknownCredential(ConnectorTerminal):
    error_code = "INVALID_CREDENTIAL"
    status = 400


__all__ = [
    "ConnectorError",
    "ConnectorTerminal",
    "ConnectorTransient",
    "UnknownConnector",
    "UnknownCredential",
]
