"""A real aiohttp server on 127.0.0.1 for transport tests: the outside world a test controls.

Each route records what it received (headers, body) and counts hits, so a test can
prove what reached the endpoint (or that nothing did, when a breaker is open).
"""

from __future__ import annotations

import asyncio
import ssl
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from support.server import free_port

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    peer_cert: dict[str, Any] | None = None


@dataclass
class Endpoint:
    ssl_context: ssl.SSLContext | None = None
    port: int = field(default_factory=free_port)
    hits: Counter[str] = field(default_factory=Counter)
    seen: list[Seen] = field(default_factory=list)
    in_flight: int = 0
    peak: int = 0
    _routes: dict[tuple[str, str], Handler] = field(default_factory=dict)
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.ssl_context else 'http'}://127.0.0.1:{self.port}"

    def route(self, method: str, path: str, handler: Handler) -> None:
        self._routes[(method, path)] = handler

    def reply(self, method: str, path: str, status: int = 200, body: Any = None,
              headers: dict[str, str] | None = None, delay: float = 0.0) -> None:  # fmt: skip
        async def handler(request: web.Request) -> web.StreamResponse:
            if delay:
                await asyncio.sleep(delay)
            return web.json_response(body if body is not None else {"ok": True}, status=status,
                                     headers=headers)  # fmt: skip

        self.route(method, path, handler)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        key = (request.method, request.path)
        self.hits[request.path] += 1
        body = await request.read()
        transport = request.transport
        peer = transport.get_extra_info("peercert") if transport is not None else None
        self.seen.append(Seen(request.method, request.path_qs, dict(request.headers), body, peer))
        handler = self._routes.get(key)
        if handler is None:
            return web.json_response({"error": "no route"}, status=404)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            return await handler(request)
        finally:
            self.in_flight -= 1

    async def __aenter__(self) -> Endpoint:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, ssl_context=self.ssl_context)
        await site.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
