"""Storage: the database engine, write transactions, per-object tables and migrations."""

from .engine import Store, open_store

__all__ = ["Store", "open_store"]
