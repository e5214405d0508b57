"""The version list, the resource list and limits."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..call import Call, point_read
from ..responses import json_response
from ..versions import VERSIONS

_RESOURCES = [
    "sobjects",
    "query",
    "queryAll",
    "limits",
    "composite",
    "jobs",
    "search",
    "tooling",
]


async def versions(request: Request) -> Response:
    # Public in Salesforce too: clients call it before they log in to pick a version.
    return json_response(
        [{"label": f"Version {v}", "url": f"/services/data/v{v}", "version": v} for v in VERSIONS]
    )


@point_read
def resources(call: Call) -> Response:
    return json_response({r: f"/services/data/v{call.version}/{r}" for r in _RESOURCES})


@point_read
def limits(call: Call) -> Response:
    usage = call.org.usage
    cap = usage.limit
    used = usage.used()

    def pair(maximum: int, remaining: int) -> dict[str, int]:
        return {"Max": maximum, "Remaining": max(0, remaining)}

    return json_response(
        {
            "DailyApiRequests": pair(cap, cap - used),
            "DailyBulkV2QueryJobs": pair(10000, 10000),
            "DailyBulkV2QueryFileStorageMB": pair(976562, 976562),
            "DailyAsyncApexExecutions": pair(250000, 250000),
            "DataStorageMB": pair(1024, 1024),
            "FileStorageMB": pair(10240, 10240),
            "HourlyPublishedPlatformEvents": pair(250000, 250000),
            "DailyDeliveredPlatformEvents": pair(50000, 50000),
            "MonthlyPlatformEventsUsageEntitlement": pair(1500000, 1500000),
            "SingleEmail": pair(5000, 5000),
        }
    )


__all__ = ["limits", "resources", "versions"]
