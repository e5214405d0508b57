"""Avro schemas of topics, derived from the object metadata, and payload encoding.

A change event schema is Salesforce's shape: a ``ChangeEventHeader`` record first, then
every field of the object, each a union with null (unchanged fields are null). A
platform event schema holds CreatedDate, CreatedById, EventUuid and the custom fields.
Schema ids are a hash of the schema JSON, so they are stable across restarts and
processes and change exactly when the schema does.

Compound fields (addresses, person names, geolocations) are nested records, as in
Salesforce's schemas (see :mod:`.compound`); a record type shared by several fields
(Address) is defined at its first use and named at the others, as Avro requires.

``changedFields``, ``nulledFields`` and ``diffFields`` travel as Salesforce's bitmaps
(Pub/Sub API guide, "Event Deserialization Considerations"): the first element is a hex
string (``0x`` then an even number of upper-case digits) whose bit *i*, least
significant first, names the schema's *i*-th top-level field that is not a compound;
each compound with changed members adds ``{position}-{bitmap}``, the bitmap over its
nested record's fields (``["0x2000", "5-0x02"]``: the field at 13, and City inside the
compound at 5). The first element is left out when no top-level field is named.
"""

from __future__ import annotations

import base64
import hashlib
import io
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import fastavro
import orjson

from ...core.errors import NotFound
from ...events.errors import UnknownTopic
from ...org.dml.coerce import parse_datetime
from ...org.schema.model import FieldDef, FieldType, ObjectDef
from ...org.schema.registry import Schema
from .compound import Compound, EventField, Nesting, flat_fields, layout

NAMESPACE = "com.sforce.eventbus"
_NOT_IN_EVENTS = {"id", "isdeleted", "systemmodstamp"}
_EPOCH = date(1970, 1, 1)

_HEADER: dict[str, Any] = {
    "type": "record",
    "name": "ChangeEventHeader",
    "namespace": NAMESPACE,
    "fields": [
        {"name": "entityName", "type": "string"},
        {"name": "recordIds", "type": {"type": "array", "items": "string"}},
        {
            "name": "changeType",
            "type": {
                "type": "enum",
                "name": "ChangeType",
                "namespace": NAMESPACE,
                "symbols": [
                    "CREATE",
                    "UPDATE",
                    "DELETE",
                    "UNDELETE",
                    "GAP_CREATE",
                    "GAP_UPDATE",
                    "GAP_DELETE",
                    "GAP_UNDELETE",
                    "GAP_OVERFLOW",
                    "SNAPSHOT",
                ],
            },
        },
        {"name": "changeOrigin", "type": "string"},
        {"name": "transactionKey", "type": "string"},
        {"name": "sequenceNumber", "type": "int"},
        {"name": "commitTimestamp", "type": "long"},
        {"name": "commitNumber", "type": "long"},
        {"name": "commitUser", "type": "string"},
        {"name": "nulledFields", "type": {"type": "array", "items": "string"}},
        {"name": "diffFields", "type": {"type": "array", "items": "string"}},
        {"name": "changedFields", "type": {"type": "array", "items": "string"}},
    ],
}


def _avro_type(f: FieldDef) -> str:
    if f.type == FieldType.BOOLEAN:
        return "boolean"
    if f.type == FieldType.INT:
        return "int"
    if f.type in (FieldType.DOUBLE, FieldType.CURRENCY, FieldType.PERCENT):
        return "double"
    if f.type in (FieldType.DATETIME, FieldType.TIME):
        return "long"
    if f.type == FieldType.DATE:
        return "int"
    return "string"


def _field(name: str, f: FieldDef) -> dict[str, Any]:
    return {
        "name": name,
        "type": ["null", _avro_type(f)],
        "doc": f"{name}:{f.type.value}",
        "default": None,
    }


def _compound(c: Compound, defined: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The nested record field of a compound; ``defined`` holds the record types so far."""
    members = [_field(m, part) for m, part in c.members]
    name, n = c.record, 1
    while name in defined and defined[name] != members:
        n += 1
        name = f"{c.record}{n}"
    record: Any = name
    if name not in defined:
        defined[name] = members
        record = {"type": "record", "name": name, "namespace": NAMESPACE, "fields": members}
    return {
        "name": c.name,
        "type": ["null", record],
        "doc": f"{c.name}:{c.record}",
        "default": None,
    }


def _avro_fields(fields: tuple[EventField, ...]) -> list[dict[str, Any]]:
    defined: dict[str, list[dict[str, Any]]] = {}
    return [_compound(f, defined) if isinstance(f, Compound) else _field(f.name, f) for f in fields]


def _slots(fields: tuple[EventField, ...], first: int) -> dict[str, tuple[int, int | None]]:
    """Bitmap slots by lower-cased name: (position, None) for a top-level field,
    (position of the compound, member index) for a component, by either of its names."""
    slots: dict[str, tuple[int, int | None]] = {}
    for pos, f in enumerate(fields, start=first):
        if isinstance(f, Compound):
            for i, (m, part) in enumerate(f.members):
                slots[part.column] = slots[f"{f.name}.{m}".lower()] = (pos, i)
        else:
            slots[f.column] = (pos, None)
    return slots


@dataclass(frozen=True, slots=True)
class TopicSchema:
    topic: str
    obj: ObjectDef
    json: str
    id: str
    parsed: Any
    # Top-level fields in schema order (after the ChangeEventHeader of a change event).
    layout: tuple[EventField, ...]
    # Every object field an event carries, compound components included.
    fields: tuple[FieldDef, ...]
    change_event: bool
    slots: dict[str, tuple[int, int | None]]
    nesting: Nesting  # CometD's reshaping of logged change events


def object_for_topic(schema: Schema, topic: str) -> tuple[ObjectDef, bool]:
    """The object of ``/data/{Object}ChangeEvent`` or ``/event/Name__e``; UnknownTopic else."""
    obj: ObjectDef | None = None
    if topic.startswith("/data/") and topic.endswith("ChangeEvent"):
        base = topic[len("/data/") : -len("ChangeEvent")]
        name = base[:-2] + "__c" if base.endswith("__") else base
        obj = schema.get(name)
        if obj is not None and (obj.kind == "platform_event" or not obj.track_changes):
            obj = None
        return _found(obj, topic), True
    if topic.startswith("/event/"):
        obj = schema.get(topic[len("/event/") :])
        if obj is not None and obj.kind != "platform_event":
            obj = None
        return _found(obj, topic), False
    raise UnknownTopic(f"Topic not found: {topic}")


def _found(obj: ObjectDef | None, topic: str) -> ObjectDef:
    if obj is None:
        raise UnknownTopic(f"Topic not found: {topic}")
    return obj


class Schemas:
    """Topic schemas of one org, built on demand and kept by id (old ids stay readable)."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self._by_id: dict[str, TopicSchema] = {}
        self._by_topic: dict[tuple[str, int], TopicSchema] = {}
        self._lock = threading.Lock()

    def for_topic(self, topic: str) -> TopicSchema:
        self.schema.refresh()
        key = (topic, self.schema.version)
        found = self._by_topic.get(key)
        if found is not None:
            return found
        obj, cdc = object_for_topic(self.schema, topic)
        if cdc:
            fields = layout(obj, _NOT_IN_EVENTS)
            name = topic.rsplit("/", 1)[1]
            avro_fields = [{"name": "ChangeEventHeader", "type": _HEADER}]
        else:
            fields = layout(obj, ("replayid", "id"))
            name = obj.name
            avro_fields = []
        avro_fields += _avro_fields(fields)
        doc = {"type": "record", "name": name, "namespace": NAMESPACE, "fields": avro_fields}
        text = orjson.dumps(doc).decode()
        sid = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()[:16]).decode()
        ts = TopicSchema(
            topic,
            obj,
            text,
            sid.rstrip("="),
            fastavro.parse_schema(doc),
            fields,
            flat_fields(fields),
            cdc,
            _slots(fields, 1 if cdc else 0),
            Nesting(fields),
        )
        with self._lock:
            self._by_topic[key] = ts
            self._by_id[ts.id] = ts
        return ts

    def by_id(self, schema_id: str) -> TopicSchema:
        found = self._by_id.get(schema_id)
        if found is None:
            # Not built yet in this process: build every topic's schema once and look again.
            for obj in self.schema.objects():
                for topic in topics_of(obj):
                    self.for_topic(topic)
            found = self._by_id.get(schema_id)
        if found is None:
            raise NotFound(f"Schema not found: {schema_id}")
        return found


def topics_of(obj: ObjectDef) -> list[str]:
    if obj.kind == "platform_event":
        return [f"/event/{obj.name}"]
    if obj.kind == "external" or not obj.track_changes:
        return []
    base = obj.name[:-3] + "__" if obj.name.endswith("__c") else obj.name
    return [f"/data/{base}ChangeEvent"]


# -- values -----------------------------------------------------------------------------
def _to_avro(f: FieldDef, value: Any) -> Any:
    if value is None:
        return None
    kind = _avro_type(f)
    if f.type == FieldType.DATETIME and isinstance(value, str):
        parsed = parse_datetime(value)
        return int(parsed.replace(tzinfo=UTC).timestamp() * 1000) if parsed else None
    if f.type == FieldType.DATE and isinstance(value, str):
        return (date.fromisoformat(value[:10]) - _EPOCH).days
    if f.type == FieldType.TIME and isinstance(value, str):
        h, m, rest = value.rstrip("Z").split(":")
        return int((int(h) * 3600 + int(m) * 60 + float(rest)) * 1000)
    if kind == "double":
        return float(value)
    if kind == "int":
        return int(value)
    if kind == "boolean":
        return bool(value)
    return value if isinstance(value, str) else str(value)


def from_avro(f: FieldDef, value: Any) -> Any:
    """An Avro value back to the JSON form DML coercion accepts."""
    if value is None:
        return None
    if f.type == FieldType.DATETIME:
        return datetime.fromtimestamp(value / 1000, UTC).isoformat()
    if f.type == FieldType.DATE:
        return date.fromordinal(_EPOCH.toordinal() + value).isoformat()
    return value


def _hex(bits: int) -> str:
    # Whole bytes, as Salesforce writes them ("0x06", "0x650004E0"): the Java sample of
    # the Pub/Sub API repository reads the digits two at a time.
    digits = f"{bits:X}"
    return "0x" + "0" * (len(digits) % 2) + digits


def bitmap(ts: TopicSchema, names: list[str]) -> list[str]:
    """Field names (flat API names or ``Compound.Member``) as Salesforce's bitmap list."""
    top = 0
    nested: dict[int, int] = {}
    for name in names:
        slot = ts.slots.get(name.lower())
        if slot is None:
            continue  # e.g. a person name's derived full text: no slot of its own
        pos, member = slot
        if member is None:
            top |= 1 << pos
        else:
            nested[pos] = nested.get(pos, 0) | 1 << member
    out = [_hex(top)] if top else []
    return out + [f"{pos}-{_hex(bits)}" for pos, bits in sorted(nested.items())]


def to_record(ts: TopicSchema, payload: dict[str, Any], event_id: int) -> dict[str, Any]:
    """A logged (flat) payload as the Avro record of ``ts``: compounds nested, every
    schema field present (null when the event does not carry it)."""
    record: dict[str, Any] = {}
    if ts.change_event:
        header = dict(payload["ChangeEventHeader"])
        header["commitNumber"] = event_id
        for key in ("changedFields", "nulledFields", "diffFields"):
            header[key] = bitmap(ts, header.get(key) or [])
        record["ChangeEventHeader"] = header
    for f in ts.layout:
        if isinstance(f, Compound):
            carried = any(part.name in payload for _, part in f.members)
            record[f.name] = (
                {m: _to_avro(part, payload.get(part.name)) for m, part in f.members}
                if carried
                else None
            )
        else:
            record[f.name] = _to_avro(f, payload.get(f.name))
    return record


def encode(ts: TopicSchema, record: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    fastavro.schemaless_writer(out, ts.parsed, record)
    return out.getvalue()


def decode(ts: TopicSchema, data: bytes) -> dict[str, Any]:
    value = fastavro.schemaless_reader(io.BytesIO(data), ts.parsed, None)
    assert isinstance(value, dict)
    return value


__all__ = [
    "Schemas",
    "TopicSchema",
    "bitmap",
    "decode",
    "encode",
    "from_avro",
    "object_for_topic",
    "to_record",
    "topics_of",
]
