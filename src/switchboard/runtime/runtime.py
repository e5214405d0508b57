"""The Runtime: builds and owns everything that runs, starts it in order, stops it in reverse.

Before it, each part found its collaborators through module-level registries (the event
hub by ``id(store)``, the query engine by org, the bulk workers in a list), so two orgs
in one process shared or leaked them and nothing stopped them in a known order. Now one
:class:`Runtime` holds the one Org, EventHub, QueryEngine and BulkWorker of its process,
hands them to whoever needs them (the API through ``create_app(runtime)``, the Pub/Sub
server, CometD, the patterns), and runs every :class:`~runtime.service.Service`:

* :meth:`open` opens the org (migrating every layer's tables), builds the hub, the
  engine, the bulk worker, the patterns (from ``patterns.PATTERN_FACTORIES``) and adds
  their services — nothing runs yet;
* :meth:`start` starts the services in the order added (the hub first, then the bulk
  worker, the connector registry, the org's file stores, the patterns' services, and
  in :meth:`serve` the gRPC and HTTP servers);
* :meth:`stop` stops them in reverse (HTTP first: no request arrives at a stopped part),
  then closes the org; it is idempotent and also undoes a half-done :meth:`start`.

:meth:`serve` is ``switchboard up``: start, serve until SIGINT or SIGTERM, stop, return
(exit 0). A second signal while stopping stops waiting for open HTTP connections.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.settings import Settings
from ..events.hub import EventHub
from ..org.bulk.worker import BulkWorker
from ..org.runtime import Org
from ..org.soql.engine import QueryEngine
from .heap import freeze_startup_heap
from .servers import HttpService, ThreadedService, serving_loop
from .service import Pattern, Service

if TYPE_CHECKING:
    from ..core.tls import TlsFiles

log = logging.getLogger("switchboard.runtime")


class Runtime:
    org: Org
    hub: EventHub
    soql: QueryEngine
    bulk: BulkWorker

    def __init__(self, settings: Settings, *, project_dir: Path | None = None) -> None:
        self.settings = settings
        # ``--project`` wins over the setting (SWITCHBOARD_PROJECT, once declared).
        self.project_dir = project_dir or getattr(settings, "project", None)
        # B's connector registry, secret store and loaded project (see HUB_CONTRACT.md).
        self.connectors: Any = None
        self.secrets: Any = None
        self.project: Any = None
        self.patterns: list[Pattern] = []
        self.services: list[Service] = []
        self._started: list[Service] = []
        self._opened = False
        self._closed = False
        self._http: HttpService | None = None

    # -- building -----------------------------------------------------------------------
    def open(self) -> Runtime:
        """Open the org and build every part; starts nothing. Returns ``self``."""
        if self._opened:
            return self
        self.org = Org.open(self.settings)
        self._opened = True
        try:
            self._build()
        except BaseException:
            self.org.close()
            self._closed = True
            raise
        return self

    @classmethod
    def around(cls, org: Org) -> Runtime:
        """A Runtime over an org opened elsewhere (tests and benchmarks that share one
        org between modules); its :meth:`stop` closes that org too."""
        runtime = cls(org.settings)
        runtime.org = org
        runtime._opened = True
        runtime._build()
        return runtime

    def _build(self) -> None:
        from ..patterns import PATTERN_CHAINS, PATTERN_FACTORIES
        from ..store.migrations import migrate

        store = self.org.store
        if PATTERN_CHAINS:
            migrate(store, PATTERN_CHAINS)
        self.hub = EventHub.from_settings(store, self.settings)
        self.soql = QueryEngine(self.org)
        self.bulk = BulkWorker(self.org, soql=self.soql)
        self.add_service(ThreadedService("event-hub", self.hub.start, self.hub.close))
        # Bulk jobs are applied in the background; an InProgress job left by a crash resumes.
        self.add_service(ThreadedService("bulk-worker", self.bulk.start, self.bulk.stop))
        capture = self.org.event_capture
        self.add_service(ThreadedService("event-capture", capture.start, capture.stop))
        self._open_integrations()
        self.patterns = [factory(self) for factory in PATTERN_FACTORIES]
        for pattern in self.patterns:
            for service in pattern.services():
                self.add_service(service)
        if self.project_dir is not None:
            from ..patterns.project import ProjectWatcher

            # Last to start, first to stop: a reload reaches only running patterns.
            interval = self.settings.project_poll_interval
            self.add_service(ProjectWatcher(self, Path(self.project_dir), interval=interval))

    def _open_integrations(self) -> None:
        """The secret store, the connector registry and the project, before the
        patterns are built (they read all three). The registry is a service: it closes
        its clients when the Runtime stops, after the patterns' services that use them.
        """
        from ..connectors.registry import ConnectorRegistry
        from ..org.secrets import NamedCredentials, SecretStore

        self.secrets = SecretStore.from_settings(self.org.store, self.settings)
        # A credential the project does not define may be one of the org's named
        # credentials (deployed from SFDX source).
        self.connectors = ConnectorRegistry(
            secrets=self.secrets, org_credentials=NamedCredentials(self.org.store).get
        )
        self.add_service(self.connectors)
        from .files import FileStoresService

        # After the registry (stopped before it), before the patterns and the servers.
        self.add_service(FileStoresService(self.org.files, self.connectors))
        if self.project_dir is not None:
            from ..patterns.project import load_checked_project

            # Every mistake, semantic ones included, refuses the start (nothing
            # half-loaded); ProjectInvalid lists them as switchboard.yaml:LINE: message.
            self.apply_project(load_checked_project(Path(self.project_dir), self.org))

    def add_service(self, service: Service) -> None:
        """Run ``service`` with the others: started after those added before it."""
        self.services.append(service)

    def apply_project(self, project: Any) -> None:
        """Load or hot-reload a validated project: the registry's credentials, then
        every pattern. Whole or not at all: if a pattern refuses it, the ones that took
        it and the credentials go back to the old project, and the error propagates
        (the watcher logs it and keeps the old)."""
        old = self.project
        applied: list[Pattern] = []
        try:
            self._credentials_of(project)
            for pattern in self.patterns:
                pattern.apply(project)
                applied.append(pattern)
        except BaseException:
            if old is not None:
                self._credentials_of(old)
                for pattern in applied:
                    pattern.apply(old)
            raise
        self.project = project

    def _credentials_of(self, project: Any) -> None:
        credentials = getattr(project, "credentials", None)
        if self.connectors is not None and credentials is not None:
            self.connectors.set_credentials(credentials, getattr(project, "directory", None))
        connections = getattr(project, "connections", None)
        if self.connectors is not None and connections is not None:
            self.connectors.set_connections(connections)

    # -- running ------------------------------------------------------------------------
    async def start(self) -> None:
        """Start the services not yet started, in the order added."""
        self.open()
        try:
            for service in self.services:
                if service in self._started:
                    continue
                log.debug("starting %s", service.name)
                await service.start()
                self._started.append(service)
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop what started, in reverse, then close the org; safe to call again."""
        while self._started:
            service = self._started.pop()
            try:
                log.debug("stopping %s", service.name)
                await service.stop()
            except Exception:  # one part failing to stop must not keep the rest running
                log.exception("stopping %s failed", service.name)
        if self._opened and not self._closed:
            self._closed = True
            self.org.close()

    def serve(
        self,
        *,
        tls: TlsFiles | None = None,
        on_ready: Callable[[], None] | None = None,
    ) -> None:
        """``switchboard up``: start everything, serve HTTP and gRPC until SIGINT or
        SIGTERM, then stop everything. ``on_ready`` runs once both servers listen."""
        from .allocator import tune_allocator

        tune_allocator()  # before the first request's buffers (see runtime/allocator.py)
        with asyncio.Runner(loop_factory=serving_loop()) as runner:
            runner.run(self._serve(tls, on_ready))

    async def _serve(self, tls: TlsFiles | None, on_ready: Callable[[], None] | None) -> None:
        loop = asyncio.get_running_loop()
        stopping = asyncio.Event()

        def on_signal() -> None:
            if stopping.is_set() and self._http is not None:
                self._http.force()
            stopping.set()

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, on_signal)
        try:
            self.open()
            self._add_servers(tls)
            await self.start()
            freeze_startup_heap()  # this process's one Runtime (see runtime/heap.py)
            if on_ready is not None:
                on_ready()
            assert self._http is not None and self._http.task is not None
            waiting = asyncio.ensure_future(stopping.wait())
            # Either a signal, or the HTTP server ended by itself (then stop the rest).
            await asyncio.wait({waiting, self._http.task}, return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
        finally:
            await self.stop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    def _add_servers(self, tls: TlsFiles | None) -> None:
        import uvicorn

        from ..api.app import create_app
        from ..api.http_protocol import ShapedHttpToolsProtocol
        from ..api.pubsub.server import PubSubServer

        pubsub = PubSubServer(self.org, self.hub, self.settings, tls)
        self.add_service(ThreadedService("pubsub", pubsub.start, pubsub.stop))
        config = uvicorn.Config(
            create_app(self),
            host=self.settings.host,
            port=self.settings.port,
            log_level=self.settings.log_level,
            access_log=False,
            lifespan="on",
            http=ShapedHttpToolsProtocol,  # canonical header case; JSON errors for unparseable requests
            timeout_keep_alive=30,
            # Keep-alive connections (TLS ones especially) otherwise hold a stop for 15 s.
            timeout_graceful_shutdown=2,
            ssl_certfile=str(tls.cert) if tls else None,
            ssl_keyfile=str(tls.key) if tls else None,
        )
        self._http = HttpService(config)
        self.add_service(self._http)


__all__ = ["Runtime"]
