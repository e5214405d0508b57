"""The version list, the resource list and limits."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ...org.limits import org_limits
from ..call import Call, point_read
from ..responses import json_response
from ..versions import VERSIONS

# Only resources this org serves: a client that follows a listed resource must not meet
# a 404 (SOSL search and the Tooling API are not implemented; Bulk API 2.0 lives under
# jobs/ingest and jobs/query, and jobs alone answers nothing).
_RESOURCES = ["sobjects", "query", "queryAll", "limits", "composite"]


async def versions(request: Request) -> Response:
    # Public in Salesforce too: clients call it before they log in to pick a version.
    return json_response(
        [{"label": f"Version {v}", "url": f"/services/data/v{v}", "version": v} for v in VERSIONS]
    )


@point_read
def resources(call: Call) -> Response:
    return json_response({r: f"/services/data/v{call.version}/{r}" for r in _RESOURCES})


def limits(call: Call) -> Response:
    # Not a point read: it counts the records of every object for DataStorageMB.
    return json_response(org_limits(call.org))


__all__ = ["limits", "resources", "versions"]
