"""Storage: the database engine, write transactions, the backend's dialect object,
LISTEN, per-object tables and the per-layer migrations runner."""

from .engine import Store, open_store

__all__ = ["Store", "open_store"]
