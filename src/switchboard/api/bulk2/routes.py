"""The Bulk API 2.0 routes, as (path, handlers) pairs for the application's table."""

from __future__ import annotations

from starlette.routing import Route

from ...org.runtime import Org
from ..call import Handler
from . import ingest, query
from .errors import bulk_errors


def bulk2_routes(base: str) -> list[tuple[str, dict[str, Handler]]]:
    j = base + "/jobs/ingest"
    q = base + "/jobs/query"
    table: list[tuple[str, dict[str, Handler]]] = [
        (j, {"POST": ingest.create, "GET": ingest.list_jobs}),
        (j + "/{id}", {"GET": ingest.info, "PATCH": ingest.change_state, "DELETE": ingest.delete}),
        (j + "/{id}/successfulResults", {"GET": ingest.successful}),
        (j + "/{id}/failedResults", {"GET": ingest.failed}),
        (j + "/{id}/unprocessedrecords", {"GET": ingest.unprocessed}),
        (q, {"POST": query.create, "GET": query.list_jobs}),
        (q + "/{id}", {"GET": query.info, "PATCH": query.change_state, "DELETE": query.delete}),
        (q + "/{id}/results", {"GET": query.results}),
    ]
    return [(path, {m: bulk_errors(h) for m, h in handlers.items()}) for path, handlers in table]


def bulk2_raw_routes(base: str, org: Org) -> list[Route]:
    """Routes that stream their body and so bypass the buffered endpoint wrapper."""
    return [Route(base + "/jobs/ingest/{id}/batches", ingest.upload_endpoint(org), methods=["PUT"])]


__all__ = ["bulk2_raw_routes", "bulk2_routes"]
