"""``POST /composite/batch``: up to 25 independent subrequests, each its own transaction."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ...core.errors import JsonParserError
from ..call import Call
from ..responses import json_response
from . import subrequest
from .errors import CompositeLimitExceeded, InvalidCompositeInput
from .router import Router

MAX_REQUESTS = 25


def batch(router: Router) -> Any:
    def handler(call: Call) -> Response:
        data = call.json_object()
        reqs = data.get("batchRequests")
        if not isinstance(reqs, list) or not reqs:
            raise JsonParserError("batchRequests: a non-empty array is required")
        if len(reqs) > MAX_REQUESTS:
            raise CompositeLimitExceeded(
                f"A batch cannot contain more than {MAX_REQUESTS} subrequests, got {len(reqs)}"
            )
        halt = bool(data.get("haltOnError", False))
        results: list[dict[str, Any]] = []
        halted = False
        for req in reqs:
            if halted:
                results.append(
                    {
                        "statusCode": 412,
                        "result": [
                            {
                                "errorCode": "BATCH_PROCESSING_HALTED",
                                "message": "Batch processing halted per request",
                            }
                        ],
                    }
                )
                continue
            if not isinstance(req, dict) or not req.get("method") or not req.get("url"):
                raise InvalidCompositeInput("Each batch subrequest needs a method and a url")
            if not isinstance(req["url"], str) or not isinstance(req["method"], str):
                raise InvalidCompositeInput("A batch subrequest's method and url are strings")
            url = req["url"].lstrip("/")
            if not url.startswith("services/data/"):
                url = "services/data/" + url
            r = subrequest.run(call, router, str(req["method"]), "/" + url, req.get("richInput"))
            results.append({"statusCode": r.status, "result": r.body})
            if not r.ok and halt:
                halted = True
        has_errors = any(r["statusCode"] >= 400 for r in results)
        return json_response({"hasErrors": has_errors, "results": results})

    return handler


__all__ = ["MAX_REQUESTS", "batch"]
