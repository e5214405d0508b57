"""``POST /composite``: up to 25 subrequests, with references and allOrNone.

With ``allOrNone`` every subrequest runs in one database transaction (the org's helpers
join it through :meth:`Org.bound`), so the first failure rolls back all of them. Without
it each subrequest commits on its own, and only those referring to a failed one fail.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection
from starlette.responses import Response

from ...core.errors import JsonParserError, SwitchboardError
from ..call import Call
from ..responses import json_response
from . import subrequest
from .errors import CompositeLimitExceeded, InvalidCompositeInput, InvalidReference
from .references import REFERENCE_ID, resolve
from .router import Router
from .subrequest import SubResult

MAX_SUBREQUESTS = 25
_HALTED = "PROCESSING_HALTED"
_ROLLED_BACK = (
    "The transaction was rolled back since another operation in the same transaction failed."
)


class _RollBack(Exception):
    def __init__(self, results: list[SubResult]) -> None:
        super().__init__("composite rolled back")
        self.results = results


def _parse(call: Call) -> tuple[list[dict[str, Any]], bool]:
    data = call.json_object()
    subs = check_subrequests(data.get("compositeRequest"), MAX_SUBREQUESTS)
    return subs, bool(data.get("allOrNone", False))


def check_subrequests(subs: Any, limit: int) -> list[dict[str, Any]]:
    """``subs`` as a list of well-formed subrequests, at most ``limit`` of them."""
    if not isinstance(subs, list) or not subs:
        raise JsonParserError("compositeRequest: a non-empty array of subrequests is required")
    if len(subs) > limit:
        raise CompositeLimitExceeded(
            f"Composite request limited to {limit} subrequests, got {len(subs)}"
        )
    seen: set[str] = set()
    for sub in subs:
        if not isinstance(sub, dict):
            raise JsonParserError("Each subrequest must be a JSON object")
        for key in ("method", "url", "referenceId"):
            if not isinstance(sub.get(key), str) or not sub[key]:
                raise InvalidCompositeInput(f"Subrequest is missing a required field: {key}")
        subrequest.check_shape(sub["method"], sub["url"], sub.get("httpHeaders"))
        ref = sub["referenceId"]
        if not REFERENCE_ID.match(ref):
            raise InvalidCompositeInput(
                f"Invalid referenceId ({ref}): letters, digits and underscore only"
            )
        if ref in seen:
            raise InvalidCompositeInput(f"Duplicate referenceId provided in the request: {ref}")
        seen.add(ref)
    return subs


def _one(call: Call, router: Router, sub: dict[str, Any], done: dict[str, Any]) -> SubResult:
    try:
        url = resolve(sub["url"], done)
        body = resolve(sub.get("body"), done)
    except SwitchboardError as exc:
        return subrequest.error_result(exc)
    headers = sub.get("httpHeaders") or {}
    return subrequest.run(call, router, sub["method"], str(url), body, headers)


def _run_all(
    call: Call, router: Router, subs: list[dict[str, Any]], strict: bool
) -> list[SubResult]:
    done: dict[str, Any] = {}
    results: list[SubResult] = []
    for sub in subs:
        result = _one(call, router, sub, done)
        results.append(result)
        if result.ok:
            done[sub["referenceId"]] = result.body
        elif strict:
            raise _RollBack(results)
    return results


def run_together(call: Call, router: Router, subs: list[dict[str, Any]]) -> list[SubResult]:
    """Every subrequest in one transaction: the first failure rolls all of them back,
    keeps its own error and halts the others."""

    def work(conn: Connection) -> list[SubResult]:
        with call.org.bound(conn):
            return _run_all(call, router, subs, strict=True)

    try:
        results: list[SubResult] = call.org.store.write(work)
    except _RollBack as rb:
        failed = len(rb.results) - 1
        results = [rb.results[i] if i == failed else halted(_ROLLED_BACK) for i in range(len(subs))]
    return results


def halted(message: str) -> SubResult:
    return SubResult(400, [{"errorCode": _HALTED, "message": message}], {})


def response_entries(subs: list[dict[str, Any]], results: list[SubResult]) -> list[Any]:
    return [
        {
            "body": r.body,
            "httpHeaders": r.headers,
            "httpStatusCode": r.status,
            "referenceId": sub["referenceId"],
        }
        for sub, r in zip(subs, results, strict=True)
    ]


def composite(router: Router) -> Any:
    def handler(call: Call) -> Response:
        subs, all_or_none = _parse(call)
        if all_or_none:
            results = run_together(call, router, subs)
        else:
            results = _run_all(call, router, subs, strict=False)
        return json_response({"compositeResponse": response_entries(subs, results)})

    return handler


__all__ = [
    "MAX_SUBREQUESTS",
    "InvalidReference",
    "check_subrequests",
    "composite",
    "halted",
    "response_entries",
    "run_together",
]
