"""Request-reply callouts as Invocable Actions: ``/services/data/vXX.X/actions/custom/callout``.

``POST .../actions/custom/callout/{name}`` with ``{"inputs": [{...}, ...]}`` runs the
callout once per input, synchronously, each within the callout's ``timeout`` (10 s by
default, at most 120 s, as an Apex callout), the inputs concurrently; at most 100 inputs
(Apex's callouts per transaction). It answers as Salesforce's Invocable Actions do: a JSON
array with one ``{actionName, errors, isSuccess, outputValues}`` per input, in order.
A call that runs out of time fails as Apex reports it
(``System.CalloutException: Read timed out``). The status is 200 when any input
succeeded, 400 when none did.

An input's keys are what the templates see as ``input``; ``record`` is the input's
``record`` map, or the record named by its ``recordId`` (read now, every field), or the
input itself. The callout's ``reply`` is applied as for a triggered delivery. Each
invocation is recorded as a delivery (trigger ``invoke``, its attempt and outcome), so
``switchboard callout deliveries NAME`` shows it; it is not retried (the caller has the
answer), a failed one is kept dead-lettered with its error.

``GET .../actions/custom/callout`` lists the loaded callouts.

Errors::

    patterns.callout.errors.CalloutError
    └── TooManyInvocations   terminal  more than 100 inputs in one request
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from starlette.responses import Response

from ...core import clock
from ...core.errors import JsonParserError, SwitchboardError
from .deliveries import NewDelivery, Result, insert, leased, record_results
from .engine import execute_once, outcome_of
from .errors import CalloutError, TemplateFailed
from .reply import apply_reply, has_reply, response_context
from .templates import Callout, render_request

MAX_INPUTS = 100  # Apex: 100 callouts per transaction
_LEASE_MARGIN = 10.0


@dataclass(frozen=True, slots=True)
class PatternRoute:
    """A route of this pattern in the shape ``api.app`` mounts as ``runtime.service.ApiRoute``
    (authenticated, counted, Salesforce-shaped errors); declared here because ``runtime``
    is a layer above ``patterns``."""

    path: str
    handlers: Mapping[str, Callable[[Any], Any]]
    counted: bool = True


class TooManyInvocations(CalloutError):
    error_code = "LIMIT_EXCEEDED"
    status = 400


def _json(status: int, body: Any) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def _inputs(call: Any) -> list[dict[str, Any]]:
    body = call.json_object()
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not all(isinstance(i, dict) for i in inputs):
        raise JsonParserError("The request body must be {\"inputs\": [{...}, ...]}: a list of "
                              "input maps, one per invocation")  # fmt: skip
    if len(inputs) > MAX_INPUTS:
        raise TooManyInvocations(f"Too many callouts: {len(inputs)} inputs, at most "
                                 f"{MAX_INPUTS} per request")  # fmt: skip
    return inputs


def _record(org: Any, given: Mapping[str, Any]) -> Any:
    record = given.get("record")
    if isinstance(record, dict):
        return record
    record_id = given.get("recordId")
    if isinstance(record_id, str) and record_id:
        obj = org.schema.by_id(record_id)
        if obj is None:
            raise SwitchboardError(
                f"recordId {record_id} names no object", error_code="MALFORMED_ID"
            )
        return org.retrieve(obj.name, record_id, None, "59.0")
    return dict(given)


def _error_entry(exc: BaseException) -> dict[str, Any]:
    """The error as Apex would report the callout's failure."""
    name = type(exc).__name__
    if isinstance(exc, TimeoutError) or name in ("ReadTimeout",):
        message = "System.CalloutException: Read timed out"
    elif name == "ConnectTimeout":
        message = "System.CalloutException: connect timed out"
    elif name in ("ConnectError", "CircuitOpen", "BulkheadFull", "RateLimited",
                  "HttpStatusError", "AuthFailed", "CredentialInvalid"):  # fmt: skip
        message = f"System.CalloutException: {getattr(exc, 'message', exc)}"
    else:
        message = getattr(exc, "message", None) or f"{name}: {exc}"
    code = getattr(exc, "error_code", "UNKNOWN_EXCEPTION")
    if name in ("ReadTimeout", "ConnectTimeout", "ConnectError", "HttpStatusError") or isinstance(
        exc, TimeoutError
    ):
        code = "UNKNOWN_EXCEPTION"  # an unhandled CalloutException, as Apex answers it
    return {"statusCode": code, "message": message, "fields": list(getattr(exc, "fields", []))}


class Invoker:
    """Runs one callout for a list of inputs (see the module docstring)."""

    def __init__(self, runtime: Any, callout: Callout) -> None:
        self.runtime = runtime
        self.callout = callout
        self.owner = f"invoke:{id(self):x}"

    async def run(self, inputs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        org = self.runtime.org
        answers: list[dict[str, Any] | None] = []
        contexts: list[dict[str, Any]] = []
        for given in inputs:
            try:
                record = await asyncio.to_thread(_record, org, given)
            except SwitchboardError as exc:  # this input's answer; nothing is called for it
                answers.append({"actionName": self.callout.name, "isSuccess": False,
                                "errors": [_error_entry(exc)], "outputValues": None})  # fmt: skip
                continue
            answers.append(None)
            contexts.append({"record": record, "event": None, "input": given})
        done: list[tuple[Result, dict[str, Any]]] = []
        if contexts:
            done = await self._calls(contexts)
        results = iter(entry for _, entry in done)
        return [a if a is not None else next(results) for a in answers]

    async def _calls(self, contexts: list[dict[str, Any]]) -> list[tuple[Result, dict[str, Any]]]:
        org = self.runtime.org
        timeout = self.callout.config.timeout
        rows = [NewDelivery(self.callout.name, "invoke", f"invoke:{uuid.uuid4()}", ctx,
                            record_id=(ctx["record"] or {}).get("Id")) for ctx in contexts]  # fmt: skip
        until = clock.now() + timedelta(seconds=timeout + _LEASE_MARGIN)
        owner = self.owner

        def begin(conn: Any) -> list[Any]:
            insert(conn, rows, lease=(owner, until))
            return leased(conn, rows, until)

        deliveries = await org.store.write_async(begin)
        done = await asyncio.gather(*(self._one(d, ctx, timeout)
                                      for d, ctx in zip(deliveries, contexts, strict=True)))  # fmt: skip
        await org.store.write_async(lambda conn: record_results(conn, owner, [r for r, _ in done]))
        return list(done)

    async def _one(
        self, dl: Any, ctx: dict[str, Any], timeout: float
    ) -> tuple[Result, dict[str, Any]]:
        started = clock.now()
        t0 = time.perf_counter()
        name = self.callout.name
        response = None
        entry: dict[str, Any]
        try:
            # The transport enforces the timeout; the outer bound only guards a stall
            # before the request leaves (auth, bulkhead), so the answer is always in time.
            try:
                response = await asyncio.wait_for(
                    execute_once(self.runtime, self.callout, ctx, timeout, dl.idempotency_key),
                    timeout + 1.0,
                )
            except TimeoutError:
                raise TimeoutError(f"no reply within {timeout:g}s") from None
            seen = response_context(response.status, response.headers, response.body)
            body = seen["json"] if seen["json"] is not None else seen["text"]
            outputs: dict[str, Any] = {"statusCode": response.status, "body": body}
            if has_reply(self.callout):
                outputs["reply"] = await apply_reply(self.runtime, self.callout, ctx, response)
            exc: BaseException | None = None
            entry = {"actionName": name, "errors": None, "isSuccess": True, "outputValues": outputs}
        except Exception as failure:  # every failure is this input's answer
            exc = failure
            response = getattr(failure, "response", None)
            entry = {"actionName": name, "errors": [_error_entry(failure)], "isSuccess": False,
                     "outputValues": None}  # fmt: skip
        duration = (time.perf_counter() - t0) * 1000
        finished = started + timedelta(milliseconds=int(duration))
        status = getattr(response, "status", None) or getattr(exc, "remote_status", None)
        result = Result(dl.id, dl.attempts, "delivered" if exc is None else "dead",
                        "ok" if exc is None else outcome_of(exc), started, finished, duration,
                        status)  # fmt: skip
        if response is not None and hasattr(response, "body"):
            result.response = {"status": response.status,
                               "body": bytes(response.body[:10_000]).decode("utf-8", "replace")}  # fmt: skip
        if exc is not None:
            result.error = f"{type(exc).__name__}: {exc}"[:4000]
            try:
                result.request = render_request(self.callout, {**ctx, "credential": {}}).redacted()
            except (TemplateFailed, SwitchboardError):
                result.request = None
        return result, entry


def routes(pattern: Any) -> list[PatternRoute]:
    """The action routes, mounted by ``api.app`` (authenticated like REST)."""

    async def invoke(call: Any) -> Response:
        callout = pattern.callout(call.params["name"])  # UnknownCallout: 404 NOT_FOUND
        results = await Invoker(call.runtime, callout).run(_inputs(call))
        ok = any(r["isSuccess"] for r in results) or not results
        return _json(200 if ok else 400, results)

    def listing(call: Any) -> Response:
        actions = [{"label": name, "name": name, "type": "CALLOUT",
                    "trigger": getattr(c.config.on, "kind", None)}
                   for name, c in sorted(pattern.callouts.items())]  # fmt: skip
        return _json(200, {"actions": actions})

    return [
        PatternRoute("/services/data/{version}/actions/custom/callout", {"GET": listing}),
        PatternRoute("/services/data/{version}/actions/custom/callout/{name}", {"POST": invoke}),
    ]


__all__ = ["MAX_INPUTS", "Invoker", "PatternRoute", "TooManyInvocations", "routes"]
