"""The HTTP connector's entry in the registry (entry point ``switchboard.connectors:http``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .configuration import CredentialConfig


class HttpConnectorFactory:
    """Builds an :class:`~.client.HttpClient` per credential; aiohttp is imported on the
    first call, not when the registry loads this factory."""

    kind = "http"
    configuration = CredentialConfig

    def create(self, name: str, config: Any, *, secrets: Any = None,
               base_dir: Path | None = None, breaker: Any = None) -> Any:  # fmt: skip
        from .client import HttpClient

        return HttpClient(name, config, secrets=secrets, base_dir=base_dir, breaker=breaker)

    def breaker_key(self, config: CredentialConfig) -> tuple[str, Any]:
        """Calls to one endpoint (scheme, host, port) share one breaker."""
        from urllib.parse import urlsplit

        parts = urlsplit(config.url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return (f"{parts.scheme}://{parts.hostname}:{port}", config.breaker)

    def from_named_credential(self, record: dict[str, Any]) -> CredentialConfig:
        """An org's named credential (deployed from SFDX) as an HTTP credential."""
        from .named import credential_of

        return credential_of(record)


factory = HttpConnectorFactory()

__all__ = ["HttpConnectorFactory", "factory"]
