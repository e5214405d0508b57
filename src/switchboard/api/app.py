"""The ASGI application: routes of the org's APIs over one :class:`Org`.

Starlette (with uvicorn) rather than a heavier framework: routing and a request object
are all the edge needs, and every microsecond spent here counts against the REST
throughput target (see bench/rest_crud.py).
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ..core.errors import NotFound
from ..org.runtime import Org
from .call import Handler, endpoint
from .errors import render_error
from .rest import resources, sobjects

_ALL = ["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE"]
V = "/services/data/{version}"


def _routes(org: Org) -> list[Route]:
    def r(path: str, handlers: dict[str, Handler]) -> Route:
        return Route(path, endpoint(org, handlers), methods=_ALL)

    return [
        Route("/services/data", resources.versions, methods=["GET", "HEAD"]),
        r(V, {"GET": resources.resources}),
        r(V + "/limits", {"GET": resources.limits}),
        r(V + "/sobjects", {"GET": sobjects.global_describe}),
        r(V + "/sobjects/{type}", {"GET": sobjects.basic_info, "POST": sobjects.create}),
        r(V + "/sobjects/{type}/describe", {"GET": sobjects.describe}),
        r(
            V + "/sobjects/{type}/{id}",
            {"GET": sobjects.retrieve, "PATCH": sobjects.update, "DELETE": sobjects.delete},
        ),
        r(
            V + "/sobjects/{type}/{field}/{value}",
            {
                "GET": sobjects.retrieve_by_key,
                "PATCH": sobjects.upsert,
                "DELETE": sobjects.delete_by_key,
            },
        ),
    ]


class _StripTrailingSlash:
    """Clients send ``query/`` and ``sobjects/Account/``; route them as if they had not."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if len(path) > 1 and path.endswith("/"):
                scope = dict(scope, path=path.rstrip("/") or "/")
        await self.app(scope, receive, send)


async def _not_found(request: Request, exc: Exception) -> Response:
    return render_error(NotFound())


async def _server_error(request: Request, exc: Exception) -> Response:
    return render_error(exc)


def create_app(org: Org) -> Any:
    app = Starlette(
        routes=_routes(org),
        exception_handlers={404: _not_found, 405: _not_found, 500: _server_error},
    )
    app.state.org = org
    return _StripTrailingSlash(app)


__all__ = ["create_app"]
