"""Storage errors.

SwitchboardError
└── StoreError                 terminal: the database refused or failed an operation
    ├── StoreBusy              transient (also a TransientError): a lock or
    │                          serialization conflict outlived the store's own retries
    └── MigrationError         terminal: the data directory was made by a newer build
"""

from __future__ import annotations

from ..core.errors import SwitchboardError, TransientError


class StoreError(SwitchboardError):
    error_code = "UNKNOWN_EXCEPTION"
    status = 500


class StoreBusy(StoreError, TransientError):
    error_code = "SERVER_UNAVAILABLE"
    status = 503
    transient = True


class MigrationError(StoreError):
    pass


__all__ = ["MigrationError", "StoreBusy", "StoreError"]
