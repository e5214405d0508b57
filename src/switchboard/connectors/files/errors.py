"""Errors of the fsspec file stores, in the connectors' tree (``connectors.errors``).

ConnectorError
├── ConnectorTransient
│   └── StoreIOError        503, transient: the store failed a read or write
│                           (network, throttling)
└── ConnectorTerminal
    └── StoreConfigError    503: no fsspec filesystem for the URL, or bad options
"""

from __future__ import annotations

from ..errors import ConnectorTerminal, ConnectorTransient


class StoreIOError(ConnectorTransient):
    error_code = "SERVER_UNAVAILABLE"
    status = 503


class StoreConfigError(ConnectorTerminal):
    error_code = "SERVER_UNAVAILABLE"
    status = 503


__all__ = ["StoreConfigError", "StoreIOError"]
