"""What the Runtime runs: services with a start and a stop, and the patterns that
contribute them.

A :class:`Service` is anything with a life: the event hub's pump, the bulk worker, the
Pub/Sub gRPC server, the HTTP server, a pattern's delivery loop. The Runtime starts its
services in the order they were added and stops them in reverse, on the event loop it
owns; a service that needs threads starts them in :meth:`Service.start` and joins them
in :meth:`Service.stop`.

A :class:`Pattern` (call-out, sync, virtualization, call-in, monitoring) is built by the
Runtime from the loaded project: it contributes HTTP routes (mounted by ``api.app``),
services, and takes a new validated project on reload (:meth:`Pattern.apply`) or keeps
the old one when the new one is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class ApiRoute:
    """A route a pattern contributes, authenticated like every REST route.

    ``handlers`` maps a method to a handler of one ``api.call.Call`` (the session, the
    version, the body, ``call.runtime``) returning a starlette ``Response``; a handler
    may be ``async def`` (it then runs on the event loop, after authentication in a
    worker thread). ``api.app.create_app`` wraps them with ``api.call.endpoint``, so a
    pattern gets bearer-token authentication, API usage counting and Salesforce-shaped
    errors without importing ``api`` (a layer above it). ``path`` may use
    ``{version}`` (``/services/data/{version}/...``).
    """

    path: str
    handlers: Mapping[str, Callable[[Any], Any]]
    counted: bool = True


@runtime_checkable
class Service(Protocol):
    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@runtime_checkable
class Pattern(Protocol):
    name: str

    def routes(self) -> Sequence[ApiRoute]:
        """HTTP routes: :class:`ApiRoute`s, authenticated by the API's machinery (a bare
        starlette route is refused: every route is authenticated)."""
        ...

    def services(self) -> Sequence[Service]: ...

    def apply(self, project: Any) -> None:
        """Swap in a new validated project; must not fail half-way (validate first)."""
        ...


__all__ = ["ApiRoute", "Pattern", "Service"]
