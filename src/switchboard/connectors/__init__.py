"""Connectors: how the hub reaches external systems.

Every connector lives in a folder of the same shape (``factory.py``, ``configuration.py``,
the client, ``errors.py``) and registers through the one :class:`ConnectorRegistry`
(entry points group ``switchboard.connectors``), built-ins exactly as third parties.
Importing this package imports no connector: each is loaded when first used.
"""

from .errors import ConnectorError, ConnectorTerminal, ConnectorTransient
from .registry import ConnectorFactory, ConnectorRegistry

__all__ = [
    "ConnectorError",
    "ConnectorFactory",
    "ConnectorRegistry",
    "ConnectorTerminal",
    "ConnectorTransient",
]
