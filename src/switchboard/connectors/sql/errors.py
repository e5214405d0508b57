"""Errors of the SQL connector, in the connectors' tree (``connectors.errors``)::

    ConnectorError
    ├── SqlError                  a call to a SQL database failed
    │   ├── SqlUnavailable        transient  503: no connection, a dropped one, a lock
    │   │                                    timeout or deadlock (retrying may succeed)
    │   └── SqlInvalid            terminal   400: the connection or the query cannot work
    │                                        as configured (no such table or column, a
    │                                        missing driver, a secret not set, refused login)

Messages name the connection and the backend, never the URL, the password or the
statement's parameters.
"""

from __future__ import annotations

from ..errors import ConnectorError


class SqlError(ConnectorError):
    error_code = "SERVER_UNAVAILABLE"
    status = 503


class SqlUnavailable(SqlError):
    transient = True


class SqlInvalid(SqlError):
    transient = False
    error_code = "INVALID_FIELD"
    status = 400


__all__ = ["SqlError", "SqlInvalid", "SqlUnavailable"]
