"""What turns events into deliveries: change triggers, platform-event triggers.

A change trigger keeps a CDC event when its change type is one of ``types``, when one of
``changed`` is among its changed fields (a CREATE counts every field it set), and when
the record *after the change* satisfies ``when`` with the SOQL engine's semantics. The
condition is compiled once into ``SELECT <fields> FROM Obj WHERE (<when>)`` by the
org's SOQL compiler and run per event batch with the batch's ids bound
(``AND Id IN :ids``), so one query both filters a batch and reads the records the
templates see (the fields the callout's templates read, or ``FIELDS(ALL)`` when they
use the record as a whole). A record deleted since, or changed so it no longer matches, is skipped.
The templates see that record with the event's own values laid over it (the fields this
change wrote), so a consumer running behind the writers renders each change as it was.
DELETE events are not queried (the record is gone): ``when`` does not apply to them and
the template sees ``record.Id`` only.

Events whose change was written by this callout's own reply (``changeOrigin`` ends with
its client mark, see :func:`reply_client`) are skipped, so a reply's update never
fires the same callout again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ...events.replay import Event
from ...org.dml.changes import channel_for
from ...org.soql.compiler import FIELDS_LIMIT, compile_query
from ...org.soql.dialects import dialect_for
from ...org.soql.parser import parse
from ...org.soql.shape import record_maker
from .config import ChangeTrigger, EventTrigger
from .deliveries import NewDelivery

if TYPE_CHECKING:
    from ...org.runtime import Org

VERSION = "59.0"  # the record shape templates see (attributes.url)


def reply_client(callout: str) -> str:
    """The WriteContext client of a callout's own reply writes."""
    return f"switchboard-callout:{callout}"


@dataclass(slots=True)
class _Query:
    version: int
    stmt: Any
    dynamic: list[tuple[str, Any]]
    make: Any


class ChangeMatcher:
    """Deliveries for a batch of one object's change events."""

    def __init__(
        self,
        org: Org,
        callout: str,
        trigger: ChangeTrigger,
        *,
        ordered: bool,
        fields: frozenset[str] | None = None,
    ) -> None:
        self.org = org
        # Only what the templates read (always Id): a narrower row and a smaller payload.
        self.fields = None if fields is None else sorted({"Id", *fields}, key=str.lower)
        self.callout = callout
        self.trigger = trigger
        self.ordered = ordered
        self.obj = org.schema.object(trigger.change)
        self.channel = channel_for(self.obj)
        self.types = frozenset(trigger.types)
        self.changed = {f.lower() for f in trigger.changed}
        self._own = ";client=" + reply_client(callout)
        self._query: _Query | None = None
        self.compile()  # a bad condition fails the project load, not the first batch

    def compile(self) -> _Query:
        """The condition's statement, recompiled when the schema changed."""
        schema = self.org.schema
        schema.refresh()
        q = self._query
        if q is not None and q.version == schema.version:
            return q
        where = f" WHERE ({self.trigger.when})" if self.trigger.when else ""
        # SOQL for the org's own parser (the project author's condition), never SQL.
        select = "FIELDS(ALL)" if self.fields is None else ", ".join(self.fields)
        text = f"SELECT {select} FROM {self.obj.name}{where} LIMIT {FIELDS_LIMIT}"  # noqa: S608
        dialect = dialect_for(self.org.store.dialect)
        compiled = compile_query(schema, parse(text), dialect)
        assert compiled.shape.id_index is not None
        id_col = compiled.stmt.selected_columns[compiled.shape.id_index]
        stmt = compiled.stmt.where(id_col.in_(sa.bindparam("_cids", expanding=True)))
        width = len(stmt.selected_columns)
        make = record_maker(compiled.shape, f"/services/data/v{VERSION}/sobjects/", width)
        q = self._query = _Query(schema.version, stmt, list(compiled.params.dynamic), make)
        return q

    def _wanted(self, payload: dict[str, Any]) -> bool:
        header = payload.get("ChangeEventHeader") or {}
        if header.get("changeType") not in self.types:
            return False
        if str(header.get("changeOrigin", "")).endswith(self._own):
            return False
        if self.changed:
            if header.get("changeType") == "CREATE":
                fields = {k.lower() for k, v in payload.items() if v is not None}
            else:
                fields = {f.lower() for f in header.get("changedFields") or ()}
                fields |= {f.lower() for f in header.get("nulledFields") or ()}
            if not self.changed & fields:
                return False
        return True

    def records(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The records among ``ids`` that satisfy ``when`` now, by id."""
        q = self.compile()
        out: dict[str, dict[str, Any]] = {}
        today = dt.datetime.now(dt.UTC).date()
        with self.org.store.read() as conn:
            for start in range(0, len(ids), 500):
                params: dict[str, Any] = {"_cids": list(ids[start : start + 500])}
                for name, fn in q.dynamic:
                    params[name] = fn(today)  # SQLAlchemy's own binding, by type
                rows = conn.execute(q.stmt, params).all()
                for record in q.make(rows, ()):
                    out[record["Id"]] = record
        return out

    def deliveries(self, events: Sequence[Event]) -> list[NewDelivery]:
        kept: list[tuple[Event, str]] = []
        for e in events:
            if e.channel != self.channel or not self._wanted(e.payload):
                continue
            for rid in e.payload["ChangeEventHeader"].get("recordIds") or ():
                kept.append((e, rid))
        if not kept:
            return []
        live = [rid for e, rid in kept if e.payload["ChangeEventHeader"]["changeType"] != "DELETE"]
        found = self.records(sorted(set(live))) if live else {}
        out = []
        for e, rid in kept:
            change = e.payload["ChangeEventHeader"]["changeType"]
            if change == "DELETE":
                record: dict[str, Any] | None = {"Id": rid}
            else:
                current = found.get(rid)
                if current is None:
                    continue
                record = _as_of(current, e.payload)
            out.append(
                NewDelivery(
                    callout=self.callout,
                    trigger="change",
                    idempotency_key=f"{self.callout}:{e.id}:{rid}",
                    # The record carries the values; the event its header (what changed).
                    payload={"record": record, "event": e.payload["ChangeEventHeader"]},
                    event_id=e.id,
                    record_id=rid,
                    order_key=rid if self.ordered else None,
                )
            )
        return out


def _as_of(record: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """``record`` (read when the batch is consumed, maybe after later changes) with the
    values this event's change wrote laid over it: a CREATE retried after an UPDATE, or
    a consumer behind the writers, still renders the values of *its* change, so ordered
    deliveries carry each change's values in commit order."""
    header = payload["ChangeEventHeader"]
    out = dict(record)
    # The names both hold (the set operation walks the smaller side: a record narrowed
    # to the templates' fields against a CREATE's every field).
    for name in out.keys() & payload.keys():
        if name != "ChangeEventHeader":
            out[name] = payload[name]
    for name in header.get("nulledFields") or ():
        if name in out:
            out[name] = None
    return out


class EventMatcher:
    """Deliveries for platform events of one channel: every event fires."""

    def __init__(self, callout: str, trigger: EventTrigger, *, ordered: bool) -> None:
        self.callout = callout
        self.channel = f"/event/{trigger.event}"
        self.ordered = ordered

    def deliveries(self, events: Sequence[Event]) -> list[NewDelivery]:
        return [
            NewDelivery(
                callout=self.callout,
                trigger="event",
                idempotency_key=f"{self.callout}:{e.id}",
                payload={"record": None, "event": e.payload},
                event_id=e.id,
                order_key=self.channel if self.ordered else None,
            )
            for e in events
            if e.channel == self.channel
        ]


Matcher = ChangeMatcher | EventMatcher

__all__ = ["ChangeMatcher", "EventMatcher", "Matcher", "reply_client"]
