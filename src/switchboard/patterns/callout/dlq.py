"""The dead-letter queue and delivery history: list, show, retry, discard.

Over ``sb_callout_delivery`` (:mod:`.deliveries` holds the queries). A dead letter is a
delivery whose retry budget ran out; it keeps its last request, response and error.
``retry`` re-drives each selected dead letter exactly once: it goes back to ``pending``,
due now, with a fresh budget and the *same* idempotency key, so an endpoint that did
receive an earlier try dedupes it; a letter that is no longer dead (already re-driven,
discarded, delivered) is skipped, so retrying twice never sends twice. ``discard`` sets a
dead letter aside for good (kept, state ``discarded``).

Everything shown passes :class:`.redact.Redactor`: credential headers (``Authorization``, API keys,
cookies, signatures) are replaced, and any secret value of the org's secret store found
in the text is masked, so no output — REST, CLI, JSON — carries a secret.

REST (authenticated like every route, mounted through the pattern)::

    GET    /services/data/vXX.X/hub/callouts/dlq[?callout=NAME&limit=N]
    POST   /services/data/vXX.X/hub/callouts/dlq/retry      {"ids": [..]} | {"all": true[, "callout": NAME]}
    GET    /services/data/vXX.X/hub/callouts/dlq/{id}
    POST   /services/data/vXX.X/hub/callouts/dlq/{id}/retry
    DELETE /services/data/vXX.X/hub/callouts/dlq/{id}          (discard)
    GET    /services/data/vXX.X/hub/callouts/{name}/deliveries[?limit=N]

Errors::

    patterns.callout.errors.CalloutError
    └── NotDead   terminal  discard asked of a delivery that is not a dead letter
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa

from ...core.errors import JsonParserError, NotFound
from . import deliveries
from .errors import CalloutError
from .invoke import PatternRoute
from .redact import Redactor, secret_values
from .tables import delivery


class NotDead(CalloutError):
    error_code = "INVALID_OPERATION"
    status = 400


_SUMMARY = ("id", "callout", "trigger", "record_id", "state", "attempts", "idempotency_key",
            "created_at", "updated_at", "next_attempt_at", "delivered_at", "last_error")  # fmt: skip


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _json_field(text: Any) -> Any:
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text


def _plain(value: Any) -> Any:
    return value.isoformat() + "Z" if isinstance(value, datetime) and value.tzinfo is None else (
        value.isoformat() if isinstance(value, datetime) else value)  # fmt: skip


def render(row: dict[str, Any], redactor: Redactor, *, full: bool = False) -> dict[str, Any]:
    """A delivery as shown (camelCase keys, ISO times, redacted)."""
    out = {_camel(k): _plain(row.get(k)) for k in _SUMMARY}
    if full:
        out["payload"] = _json_field(row.get("payload"))
        out["lastRequest"] = _json_field(row.get("last_request"))
        out["lastResponse"] = _json_field(row.get("last_response"))
        out["attemptsLog"] = [
            {_camel(k): _plain(v) for k, v in a.items() if k != "delivery_id"}
            for a in row.get("attempts_log", [])
        ]
    return redactor.tree(out)  # type: ignore[no-any-return]


@dataclass
class RetryOutcome:
    requeued: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # not dead (already re-driven, ...)

    def as_dict(self) -> dict[str, Any]:
        return {"requeued": self.requeued, "skipped": self.skipped}


def list_dead(store: Any, redactor: Redactor, callout: str | None = None,
              limit: int = 200) -> list[dict[str, Any]]:  # fmt: skip
    return [render(r, redactor) for r in deliveries.list_dead(store, callout, limit)]


def show(store: Any, redactor: Redactor, delivery_id: int) -> dict[str, Any]:
    row = deliveries.get(store, delivery_id)
    if row is None:
        raise NotFound(f"No delivery with id {delivery_id}")
    return render(row, redactor, full=True)


def dead_ids(store: Any, callout: str | None = None) -> list[int]:
    q = sa.select(delivery.c.id).where(delivery.c.state == "dead").order_by(delivery.c.id)
    if callout is not None:
        q = q.where(delivery.c.callout == callout)
    with store.read() as conn:
        return [int(i) for i in conn.execute(q).scalars()]


def retry(store: Any, ids: Sequence[int]) -> RetryOutcome:
    """Re-drive the dead letters among ``ids`` once each (see the module docstring)."""
    wanted = sorted(set(ids))
    if not wanted:
        return RetryOutcome()
    with store.read() as conn:
        dead = set(conn.execute(sa.select(delivery.c.id).where(
            delivery.c.id.in_(wanted), delivery.c.state == "dead")).scalars())  # fmt: skip
    # requeue moves only rows still dead (one guarded UPDATE), so a concurrent second
    # retry of the same letter finds nothing to move.
    deliveries.requeue(store, sorted(dead))
    with store.read() as conn:
        moved = set(conn.execute(sa.select(delivery.c.id).where(
            delivery.c.id.in_(sorted(dead)), delivery.c.state != "dead")).scalars())  # fmt: skip
    return RetryOutcome(sorted(moved), [i for i in wanted if i not in moved])


def retry_all(store: Any, callout: str | None = None) -> RetryOutcome:
    return retry(store, dead_ids(store, callout))


def discard(store: Any, delivery_id: int) -> None:
    if deliveries.discard(store, [delivery_id]) == 0:
        if deliveries.get(store, delivery_id) is None:
            raise NotFound(f"No delivery with id {delivery_id}")
        raise NotDead(f"Delivery {delivery_id} is not a dead letter; only dead letters "
                      "can be discarded")  # fmt: skip


def recent(store: Any, redactor: Redactor, callout: str, limit: int = 50) -> list[dict[str, Any]]:
    return [render(r, redactor) for r in deliveries.recent(store, callout, limit)]


def parse_id(text: str) -> int:
    try:
        value = int(text)
    except (TypeError, ValueError):
        raise NotFound(f"No delivery with id {text}") from None
    if value <= 0:
        raise NotFound(f"No delivery with id {text}")
    return value


def _limit(call: Any, default: int) -> int:
    raw = call.query.get("limit")
    if raw is None:
        return default
    try:
        return max(1, min(int(raw), 2000))
    except ValueError:
        raise JsonParserError(f"limit must be a whole number, not {raw[:20]!r}") from None


# -- REST ---------------------------------------------------------------------------------
def _json(status: int, body: Any) -> Any:
    from starlette.responses import Response

    if status == 204:
        return Response(status_code=204)
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def routes(pattern: Any) -> list[PatternRoute]:
    """The DLQ and delivery routes, mounted by ``api.app`` (authenticated like REST)."""
    base = "/services/data/{version}/hub/callouts"

    def store_and_redactor(call: Any) -> tuple[Any, Redactor]:
        return call.org.store, Redactor(secret_values(call.runtime))

    def listing(call: Any) -> Any:
        store, red = store_and_redactor(call)
        rows = list_dead(store, red, call.query.get("callout"), _limit(call, 200))
        return _json(200, {"totalSize": len(rows), "records": rows})

    def one(call: Any) -> Any:
        store, red = store_and_redactor(call)
        return _json(200, show(store, red, parse_id(call.params["id"])))

    def drop(call: Any) -> Any:
        discard(call.org.store, parse_id(call.params["id"]))
        return _json(204, None)

    def retry_one(call: Any) -> Any:
        delivery_id = parse_id(call.params["id"])
        if deliveries.get(call.org.store, delivery_id) is None:
            raise NotFound(f"No delivery with id {delivery_id}")
        return _json(200, retry(call.org.store, [delivery_id]).as_dict())

    def retry_many(call: Any) -> Any:
        body = call.json_object()
        if body.get("all") is True:
            callout = body.get("callout")
            if callout is not None and not isinstance(callout, str):
                raise JsonParserError("callout must be a callout's name")
            return _json(200, retry_all(call.org.store, callout).as_dict())
        ids = body.get("ids")
        if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool)
                                                for i in ids):  # fmt: skip
            raise JsonParserError('Send {"ids": [1, 2, ...]} or {"all": true}')
        # Due now: the claimers (this process's and any worker's) take them on their next poll.
        return _json(200, retry(call.org.store, ids).as_dict())

    def history(call: Any) -> Any:
        store, red = store_and_redactor(call)
        name = call.params["name"]
        rows = recent(store, red, name, _limit(call, 50))
        return _json(200, {"callout": name, "counts": deliveries.counts(store, name),
                           "totalSize": len(rows), "records": rows})  # fmt: skip

    return [
        PatternRoute(f"{base}/dlq", {"GET": listing}),
        PatternRoute(f"{base}/dlq/retry", {"POST": retry_many}),
        PatternRoute(f"{base}/dlq/{{id}}", {"GET": one, "DELETE": drop}),
        PatternRoute(f"{base}/dlq/{{id}}/retry", {"POST": retry_one}),
        PatternRoute(f"{base}/{{name}}/deliveries", {"GET": history}),
    ]


__all__ = [
    "NotDead", "Redactor", "RetryOutcome", "dead_ids", "discard", "list_dead",
    "parse_id", "recent", "render", "retry", "retry_all", "routes", "secret_values", "show",
]  # fmt: skip
