"""Errors of the sync pattern::

    SwitchboardError
    └── SyncError                 terminal  a sync cannot run as configured
        └── UnknownSync           terminal  404: no sync of that name in the project

Source failures are the SQL connector's (``connectors.sql.errors``), transient or not;
a row the org refuses is no exception at all but a row of ``sb_sync_error``.
"""

from __future__ import annotations

from ...core.errors import SwitchboardError


class SyncError(SwitchboardError):
    error_code = "INVALID_SYNC"


class UnknownSync(SyncError):
    error_code = "NOT_FOUND"
    status = 404


__all__ = ["SyncError", "UnknownSync"]
