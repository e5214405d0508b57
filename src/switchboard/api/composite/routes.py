"""The composite routes, as (path, handlers) pairs for the application's table."""

from __future__ import annotations

from ..call import Handler
from . import collections, tree
from .batch import batch
from .composite import composite
from .graph import graph
from .router import Router


def composite_routes(base: str, router: Router) -> list[tuple[str, dict[str, Handler]]]:
    """``router`` matches the REST routes subrequests may call."""
    c = base + "/composite"
    return [
        (c, {"POST": composite(router)}),
        (c + "/batch", {"POST": batch(router)}),
        (c + "/graph", {"POST": graph(router)}),
        (c + "/tree/{type}", {"POST": tree.tree}),
        (
            c + "/sobjects",
            {"POST": collections.create, "PATCH": collections.update, "DELETE": collections.delete},
        ),
        (c + "/sobjects/{type}", {"GET": collections.retrieve, "POST": collections.retrieve}),
        (c + "/sobjects/{type}/{field}", {"PATCH": collections.upsert}),
    ]


__all__ = ["Router", "composite_routes"]
