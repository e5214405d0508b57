"""Publishing platform events (``Name__e``): the org's one publishing path, for REST
``POST sobjects/Name__e``, the Pub/Sub API and the hub's patterns (a call-out's reply)
alike. It lives in the org, not the API, because publishing is org behaviour that
non-HTTP callers need too.

Fields go through the org's own preparation and coercion (``org.dml.prepare``), so a bad
value fails as it would on a record. Salesforce's two publish behaviours differ only for
publishes made inside a larger transaction (Apex): PublishAfterCommit waits for that
transaction, PublishImmediately does not. A publish through an API is a transaction of
its own, so both append the event in their own write transaction here and the event is
delivered once that commits.

Publishing needs the Create permission on the event object, as Salesforce's profiles
and permission sets grant it (platform events have Read and Create only); a publisher
without it gets ``INSUFFICIENT_ACCESS_OR_READONLY`` per event and nothing is appended.
The org's own publishes (a call-out's reply, run as the org) pass no principal.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core import clock, ids
from ..core.errors import SwitchboardError
from ..events import log
from .dml.prepare import prepare
from .records import wire_value
from .schema.model import ObjectDef
from .security.errors import InsufficientAccess

if TYPE_CHECKING:
    from .runtime import Org
    from .security.principal import Principal

_SYSTEM = {"replayid", "eventuuid", "createddate", "createdbyid"}


def channel_for(obj: ObjectDef) -> str:
    return f"/event/{obj.name}"


@dataclass(slots=True)
class Published:
    id: str | None = None
    event_id: int | None = None
    errors: list[SwitchboardError] = field(default_factory=list)


def may_publish(principal: Principal | None, obj: ObjectDef) -> bool:
    """Whether ``principal`` holds Create on the event object (None: the org itself)."""
    if principal is None or principal.system or principal.modify_all_data:
        return True
    return bool(principal.object(obj.name).create)


def publish(
    org: Org,
    user_id: str,
    obj: ObjectDef,
    records: list[dict[str, Any]],
    principal: Principal | None = None,
) -> list[Published]:
    """Validate and append events of ``obj``; all valid ones commit together."""
    if not may_publish(principal, obj):
        refused = InsufficientAccess("insufficient access rights on object id", fields=[])
        return [Published(errors=[refused]) for _ in records]
    at = clock.now()
    outcomes: list[Published] = []
    events: list[tuple[str, dict[str, Any]]] = []
    for raw in records:
        p = prepare(org.schema, obj, raw, creating=True)
        if p.errors:
            outcomes.append(Published(errors=p.errors))
            continue
        payload: dict[str, Any] = {
            "CreatedDate": clock.format_datetime(at),
            "CreatedById": user_id,
            "EventUuid": str(uuid.uuid4()),
        }
        for f in obj.fields.values():
            if f.column in _SYSTEM or not f.stored:
                continue
            value = p.values.get(f.column)
            if value is not None:
                payload[f.name] = wire_value(f, value)
        events.append((channel_for(obj), payload))
        outcomes.append(Published(id=ids.new_id("e00")))
    if events:
        event_ids = iter(org.store.write(lambda c: log.append(c, events, at, returning=True)))
        for out in outcomes:
            if out.id is not None:
                out.event_id = next(event_ids)
    return outcomes


__all__ = ["Published", "channel_for", "publish"]
