"""Storage errors.

SwitchboardError
└── StoreError                 the database refused or failed an operation
    ├── StoreBusy              (transient) lock or serialization conflict outlived retries
    └── MigrationError         the data directory was made by a newer build
"""

from __future__ import annotations

from ..core.errors import SwitchboardError


class StoreError(SwitchboardError):
    error_code = "UNKNOWN_EXCEPTION"
    status = 500


class StoreBusy(StoreError):
    error_code = "SERVER_UNAVAILABLE"
    status = 503
    transient = True


class MigrationError(StoreError):
    pass


__all__ = ["MigrationError", "StoreBusy", "StoreError"]
