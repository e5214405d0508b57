"""The ASGI application: routes of the org's APIs, and the routes the hub's patterns
contribute, over one Runtime (:class:`api.call.ApiRuntime`: the org, its query engine,
event hub and bulk worker).

Starlette (with uvicorn) rather than a heavier framework: routing and a request object
are all the edge needs, and every microsecond spent here counts against the REST
throughput target (see bench/rest_crud.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from .bulk1.routes import bulk1_routes
from .bulk2.routes import bulk2_raw_routes, bulk2_routes
from .call import ApiRuntime, Handler, endpoint
from .composite.routes import Router, composite_routes
from .errors import render_error
from .fallbacks import not_found
from .limits import RequestLimits
from .oauth import authorize, introspect, revoke, token, userinfo
from .rest import query, resources, sobjects
from .rest.eventlog import eventlog_routes
from .rest.files import files_raw_routes, files_routes
from .soap import login as soap_login

_ALL = ["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE"]
V = "/services/data/{version}"


def _rest_table() -> list[tuple[str, dict[str, Handler]]]:
    """REST routes as (path, handlers); composite subrequests dispatch through these too."""
    return [
        *files_routes(V),  # before sobjects/{type}/{field}/{value}, which would match them
        *eventlog_routes(V),  # so is this
        (V, {"GET": resources.resources}),
        (V + "/limits", {"GET": resources.limits}),
        (V + "/query", {"GET": query.query}),
        (V + "/query/{locator}", {"GET": query.more}),
        (V + "/queryAll", {"GET": query.query_all}),
        (V + "/queryAll/{locator}", {"GET": query.more}),
        (V + "/sobjects", {"GET": sobjects.global_describe}),
        (V + "/sobjects/{type}", {"GET": sobjects.basic_info, "POST": sobjects.create}),
        (V + "/sobjects/{type}/describe", {"GET": sobjects.describe}),
        (V + "/sobjects/{type}/updated", {"GET": sobjects.updated}),
        (V + "/sobjects/{type}/deleted", {"GET": sobjects.deleted}),
        (
            V + "/sobjects/{type}/{id}",
            {"GET": sobjects.retrieve, "PATCH": sobjects.update, "DELETE": sobjects.delete},
        ),
        (
            V + "/sobjects/{type}/{field}/{value}",
            {
                "GET": sobjects.retrieve_by_key,
                "PATCH": sobjects.upsert,
                "DELETE": sobjects.delete_by_key,
            },
        ),
    ]


def _cometd(runtime: ApiRuntime) -> Any:
    from .streaming.cometd import CometD

    return CometD(runtime.org, runtime.hub).handle


def _pattern_routes(runtime: ApiRuntime) -> list[BaseRoute]:
    """What the Runtime's patterns contribute, each with the same authentication, usage
    counting and error shape as REST. Only ``ApiRoute``-shaped routes (``path``,
    ``handlers``, ``counted``; recognised by shape, as ``ApiRoute`` is declared in
    ``runtime.service``, above ``api``) are accepted: a bare starlette route would be
    an unauthenticated door, so it is refused when the app is built."""
    out: list[BaseRoute] = []
    for pattern in getattr(runtime, "patterns", ()):
        routes: Sequence[Any] = pattern.routes()
        for route in routes:
            if isinstance(route, BaseRoute) or not hasattr(route, "handlers"):
                raise TypeError(
                    f"pattern {pattern.name!r} contributed {route!r}: a pattern's routes "
                    "must be ApiRoutes, authenticated by api.call.endpoint"
                )
            wrapped = endpoint(runtime, dict(route.handlers), counted=route.counted)
            out.append(Route(route.path, wrapped, methods=_ALL))
    return out


def _routes(runtime: ApiRuntime) -> list[BaseRoute]:
    org = runtime.org

    def r(path: str, handlers: dict[str, Handler]) -> Route:
        # `limits` reports DailyApiRequests, so it neither spends nor is refused by it.
        counted = path != V + "/limits"
        return Route(path, endpoint(runtime, handlers, counted=counted), methods=_ALL)

    table = _rest_table()
    table += composite_routes(V, Router(table))
    table += bulk2_routes(V)
    return [
        Route("/services/data", resources.versions, methods=["GET", "HEAD"]),
        Route("/cometd/{version}", _cometd(runtime), methods=["POST"]),
        *bulk2_raw_routes(V, org),
        *files_raw_routes(V, runtime),
        *bulk1_routes(runtime),
        Route("/services/oauth2/token", token.token, methods=["POST"]),
        Route("/services/oauth2/authorize", authorize.authorize, methods=["GET", "POST"]),
        Route("/services/oauth2/revoke", revoke.revoke, methods=["GET", "POST"]),
        Route("/services/oauth2/introspect", introspect.introspect, methods=["POST"]),
        Route("/services/oauth2/userinfo", userinfo.userinfo, methods=["GET", "POST"]),
        Route("/id/{org}/{user}", userinfo.identity, methods=["GET", "POST"]),
        Route("/services/Soap/u/{version}", soap_login.soap, methods=["POST"]),
        Route("/services/Soap/u/{version}/{org}", soap_login.soap, methods=["POST"]),
        *(r(path, handlers) for path, handlers in table),
        # After the org's own: a pattern cannot shadow a Salesforce route.
        *_pattern_routes(runtime),
    ]


class _StripTrailingSlash:
    """Clients send ``query/`` and ``sobjects/Account/``; route them as if they had not."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if "//" in path:  # the sf CLI joins "https://host/" and "/services/data"
                path = "/" + "/".join(p for p in path.split("/") if p)
                scope = dict(scope, path=path)
            if len(path) > 1 and path.endswith("/"):
                scope = dict(scope, path=path.rstrip("/") or "/")
        await self.app(scope, receive, send)


async def _server_error(request: Request, exc: Exception) -> Response:
    return render_error(exc)


def create_app(runtime: ApiRuntime) -> Any:
    """The application over ``runtime``'s org; build it after ``runtime.open()``."""
    app = Starlette(
        routes=_routes(runtime),
        exception_handlers={404: not_found, 405: not_found, 500: _server_error},
    )
    app.state.org = runtime.org
    app.state.runtime = runtime
    return RequestLimits(
        _StripTrailingSlash(app), rest_max_body=runtime.org.settings.rest_max_body_mb << 20
    )


__all__ = ["create_app"]
