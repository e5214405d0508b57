"""The SQL connector's entry in the registry (entry point ``switchboard.connectors:sql``):
a :class:`~.client.SqlClient` per connection of the project's ``connections:``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .configuration import ConnectionConfig


class SqlConnectorFactory:
    kind = "sql"
    configuration = ConnectionConfig

    def create(self, name: str, config: ConnectionConfig, *, secrets: Any = None,
               base_dir: Path | None = None, breaker: Any = None) -> Any:  # fmt: skip
        from .client import SqlClient

        return SqlClient(name, config, secrets=secrets, base_dir=base_dir)


factory = SqlConnectorFactory()

__all__ = ["SqlConnectorFactory", "factory"]
