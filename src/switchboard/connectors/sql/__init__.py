"""SQL databases reached through SQLAlchemy (SQLite, PostgreSQL, MariaDB/MySQL, and any
dialect whose driver is installed). Registered as the ``sql`` kind of the connector
registry (``factory.factory``); the engine and its driver load on first use."""

from .configuration import ConnectionConfig
from .errors import SqlError, SqlInvalid, SqlUnavailable

__all__ = ["ConnectionConfig", "SqlError", "SqlInvalid", "SqlUnavailable"]
