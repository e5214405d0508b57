"""Errors of the fsspec file stores.

SwitchboardError
├── TransientError
│   └── StoreIOError        the store failed a read or write (network, throttling)
└── StoreConfigError        no fsspec filesystem for the URL, or bad options (terminal)
"""

from __future__ import annotations

from ...core.errors import SwitchboardError, TransientError


class StoreIOError(TransientError):
    pass


class StoreConfigError(SwitchboardError):
    error_code = "SERVER_UNAVAILABLE"
    status = 503


__all__ = ["StoreConfigError", "StoreIOError"]
