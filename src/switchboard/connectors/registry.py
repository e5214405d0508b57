"""The one connector registry: kinds of connectors, and a client per credential.

Connector kinds are found through the ``switchboard.connectors`` entry points group,
built-ins included (``http`` is declared in Switchboard's own ``pyproject.toml``
exactly as a third-party package declares its own)::

    [project.entry-points."switchboard.connectors"]
    http = "switchboard.connectors.http.factory:factory"
    sql = "switchboard.connectors.sql.factory:factory"

An entry point is loaded when its kind is first used, so a hub that never calls a SQL
database never imports its driver. :meth:`ConnectorRegistry.register` adds a factory in
process (tests, embedding applications).

A factory has ``kind``, ``configuration`` (its pydantic model) and
``create(name, config, *, secrets, base_dir, breaker)``; it may offer
``breaker_key(config)`` (calls sharing a key share a circuit breaker: one per endpoint)
and ``from_named_credential(record)`` (an org's named credential as its config).

A project names what its clients reach in two sections: ``credentials:`` (HTTP named
credentials) and ``connections:`` (databases). Both land here by name; a name resolves
for a kind only to a config of that kind's ``configuration`` model, so an HTTP client is
never built from a database connection (project check keeps the names apart too).

The Runtime holds one registry (no module-level registry of live objects): it caches
one client per credential, swaps the project's credentials on reload (a client whose
credential changed is rebuilt; the old one is closed at stop, so calls in flight on it
finish), and closes every client when it stops (it is a Service).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .errors import UnknownConnector, UnknownCredential

if TYPE_CHECKING:
    from .http.client import HttpClient
    from .sql.client import SqlClient

GROUP = "switchboard.connectors"
log = logging.getLogger("switchboard.connectors")


class ConnectorFactory(Protocol):
    kind: str
    configuration: type[Any]

    def create(self, name: str, config: Any, *, secrets: Any = None,
               base_dir: Path | None = None, breaker: Any = None) -> Any: ...  # fmt: skip


class ConnectorRegistry:
    """Connector kinds and their clients; the Runtime's ``connectors``."""

    name = "connectors"

    def __init__(
        self,
        *,
        secrets: Any = None,
        org_credentials: Callable[[str], Mapping[str, Any] | None] | None = None,
        credentials: Mapping[str, Any] | None = None,
        base_dir: Path | None = None,
    ) -> None:
        self.secrets = secrets
        self._org_credentials = org_credentials
        self._credentials: dict[str, Any] = dict(credentials or {})
        self._connections: dict[str, Any] = {}
        self._base_dir = base_dir
        self._factories: dict[str, ConnectorFactory] = {}
        self._clients: dict[tuple[str, str], tuple[Any, Any]] = {}  # (kind, name) -> (config, client)
        self._retired: list[Any] = []
        self._breakers: dict[Any, Any] = {}

    # -- kinds ------------------------------------------------------------------------
    def register(self, kind: str, factory: ConnectorFactory) -> None:
        self._factories[kind] = factory

    def kinds(self) -> list[str]:
        found = {ep.name for ep in entry_points(group=GROUP)}
        return sorted(found | set(self._factories))

    def factory(self, kind: str) -> ConnectorFactory:
        found = self._factories.get(kind)
        if found is not None:
            return found
        for ep in entry_points(group=GROUP, name=kind):
            factory: ConnectorFactory = ep.load()
            self._factories[kind] = factory
            return factory
        kinds = self.kinds()
        hint = ("none: the package's entry points are missing; reinstall it "
                "(pip install -e .)") if not kinds else ", ".join(kinds)  # fmt: skip
        raise UnknownConnector(f"no connector of kind {kind!r}; installed: {hint}")

    # -- credentials ------------------------------------------------------------------
    def set_credentials(self, credentials: Mapping[str, Any], base_dir: Path | None = None) -> None:
        """The project's credentials (on load and on every validated reload)."""
        self._credentials = dict(credentials)
        if base_dir is not None:
            self._base_dir = base_dir

    def set_connections(self, connections: Mapping[str, Any]) -> None:
        """The project's database connections (``connections:``), on load and reload."""
        self._connections = dict(connections)

    def credential(self, name: str, kind: str = "http") -> Any:
        """The config of credential ``name`` for ``kind``: the project's (a credential or
        a connection whose model is the kind's), else the org's named one."""
        model = self.factory(kind).configuration
        for declared in (self._credentials, self._connections):
            found = declared.get(name)
            if found is not None and isinstance(found, model):
                return found
        record = self._org_credentials(name) if self._org_credentials is not None else None
        if record is not None:
            convert = getattr(self.factory(kind), "from_named_credential", None)
            if convert is not None:
                return convert(dict(record))
        raise UnknownCredential(f"no credential named {name!r} in the project or the org")

    def known(self, name: str) -> bool:
        try:
            self.credential(name)
        except UnknownCredential:
            return False
        return True

    # -- clients ----------------------------------------------------------------------
    def client(self, kind: str, name: str) -> Any:
        """The cached client of credential ``name`` (rebuilt when its config changed)."""
        config = self.credential(name, kind)
        key = (kind, name)
        cached = self._clients.get(key)
        # The same object first: comparing two configs field by field costs every call.
        if cached is not None and (cached[0] is config or cached[0] == config):
            return cached[1]
        factory = self.factory(kind)
        breaker = self._breaker(factory, config)
        client = factory.create(name, config, secrets=self.secrets, base_dir=self._base_dir,
                                breaker=breaker)  # fmt: skip
        if cached is not None:
            self._retired.append(cached[1])
        self._clients[key] = (config, client)
        return client

    def http(self, name: str) -> HttpClient:
        """The :class:`~.http.client.HttpClient` of credential ``name``."""
        return self.client("http", name)  # type: ignore[no-any-return]

    def sql(self, name: str) -> SqlClient:
        """The :class:`~.sql.client.SqlClient` of connection ``name``."""
        return self.client("sql", name)  # type: ignore[no-any-return]

    def _breaker(self, factory: Any, config: Any) -> Any:
        key_of = getattr(factory, "breaker_key", None)
        if key_of is None:
            return None
        key = key_of(config)
        found = self._breakers.get(key)
        if found is None:
            from .http.breaker import CircuitBreaker

            found = self._breakers[key] = CircuitBreaker(key[0], key[1])
        return found

    # -- Service ------------------------------------------------------------------------
    async def start(self) -> None:
        """Nothing to start: clients connect on their first call."""

    async def stop(self) -> None:
        clients = [c for _, c in self._clients.values()] + self._retired
        self._clients, self._retired = {}, []
        for client in clients:
            close = getattr(client, "close", None)
            if close is None:
                continue
            try:
                await close()
            except Exception:  # one client failing to close must not keep others open
                log.exception("closing a connector client failed")


__all__ = ["GROUP", "ConnectorFactory", "ConnectorRegistry"]
