"""sObject resources: describe, create, retrieve, update, delete, upsert by external id,
related records (sObject Relationships), and the updated/deleted lists of replication."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ...core import ids
from ...core.errors import NotFound
from ...org import replication
from ...org.errors import InvalidType
from ...org.records import record_url
from ...org.schema.describe import describe_global, describe_global_entry, describe_object
from ...org.schema.model import FieldDef, FieldType, ObjectDef
from ...org.security import fls
from ..call import Call, async_write, point_read
from ..responses import json_response, no_content


def _object(call: Call) -> ObjectDef:
    try:
        obj = call.org.schema.object(call.params["type"])
    except InvalidType:
        raise NotFound() from None
    if obj.kind == "external" or not fls.can_read_object(call.principal, obj):
        raise NotFound()  # an object the user cannot read does not exist for them
    return obj


def updated(call: Call) -> Response:
    """Get Updated: ids of the records added or changed within start..end."""
    reply = replication.updated(
        call.org, _object(call), call.query.get("start"), call.query.get("end")
    )
    return json_response(reply)


def deleted(call: Call) -> Response:
    """Get Deleted: the records deleted within start..end, from the delete log."""
    reply = replication.deleted(
        call.org, _object(call), call.query.get("start"), call.query.get("end")
    )
    return json_response(reply)


@point_read
def global_describe(call: Call) -> Response:
    reply = describe_global(call.org.schema, call.version)
    return json_response(fls.describe_global(call.principal, reply))


@point_read
def describe(call: Call) -> Response:
    obj = _object(call)
    reply = describe_object(call.org.schema, obj, call.version)
    return json_response(fls.describe(call.principal, obj, reply))


@point_read
def basic_info(call: Call) -> Response:
    obj = _object(call)
    return json_response(
        {
            "objectDescribe": fls.global_entry(
                call.principal, describe_global_entry(obj, call.version)
            ),
            "recentItems": [],
        }
    )


async def _create_async(call: Call) -> Response:
    obj = _object(call)
    if obj.kind == "platform_event":
        return await run_in_threadpool(create, call)
    new_id = await call.org.create_async(call.ctx(), obj.name, call.json_object())
    return json_response({"id": new_id, "success": True, "errors": []}, 201)


@async_write(_create_async)
def create(call: Call) -> Response:
    obj = _object(call)
    if obj.kind == "platform_event":
        from ...org.platform_events import publish

        out = publish(call.org, call.session.user_id, obj, [call.json_object()], call.principal)[0]
        if out.errors:
            raise out.errors[0]
        return json_response({"id": out.id, "success": True, "errors": []}, 201)
    new_id = call.org.create(call.ctx(), obj.name, call.json_object())
    return json_response({"id": new_id, "success": True, "errors": []}, 201)


def _fields_param(call: Call) -> list[str] | None:
    raw = call.query.get("fields")
    return [f for f in raw.split(",") if f.strip()] if raw else None


@point_read
def retrieve(call: Call) -> Response:
    obj = _object(call)
    record = call.org.retrieve(
        obj.name, call.params["id"], _fields_param(call), call.version, call.principal
    )
    return json_response(record)


def update(call: Call) -> Response:
    obj = _object(call)
    call.org.update(call.ctx(), obj.name, call.params["id"], call.json_object())
    return no_content()


def delete(call: Call) -> Response:
    obj = _object(call)
    call.org.delete(call.ctx(), obj.name, call.params["id"])
    return no_content()


# -- by external id -------------------------------------------------------------------
def _key_field(call: Call, obj: ObjectDef) -> FieldDef:
    f = call.org.schema.field(obj, call.params["field"])
    if f is None or not (f.external_id or f.type == FieldType.ID or f.id_lookup):
        raise NotFound(
            f"Provided external ID field does not exist or is not accessible: {call.params['field']}"
        )
    return f


def _several(call: Call, obj: ObjectDef, matches: list[str]) -> Response:
    return json_response([record_url(obj, m, call.version) for m in matches], 300)


def _related(call: Call, obj: ObjectDef) -> Response | None:
    """sObject Relationships, ``sobjects/T/{id}/{relationship}``: the parent record a
    lookup names, or the records of a child relationship as a query result; None when
    the path is not one (it is then a field and a value, an external id lookup)."""
    rid, name = call.params["field"], call.params["value"]
    if not ids.looks_like_id(rid) or rid[:3] != obj.key_prefix:
        return None
    schema = call.org.schema
    fields = _fields_param(call)
    lookup = obj.by_relationship(name)
    if lookup is not None and lookup.reference_to:
        record = call.org.retrieve(obj.name, rid, [lookup.name], call.version)
        parent = record.get(lookup.name)
        target = schema.by_id(parent) if parent else None
        if target is None or not parent:
            raise NotFound()  # no record on the other side of the lookup
        return json_response(call.org.retrieve(target.name, parent, fields, call.version))
    for rel in schema.children(obj):
        if rel.name and rel.name.lower() == name.lower() and rel.child.kind != "external":
            call.org.retrieve(obj.name, rid, ["Id"], call.version)  # the parent must exist
            names = [f.name for f in call.org.resolve_fields(rel.child, fields)]
            # SOQL, not SQL, of names from the schema and an id checked above; the
            # engine binds every value of it as a parameter.
            soql = (
                f"SELECT {', '.join(names)} FROM {rel.child.name} "  # noqa: S608
                f"WHERE {rel.field.name} = '{ids.normalize(rid)}'"
            )
            engine = call.runtime.soql
            return json_response(
                engine.query(soql, version=call.version, principal=call.principal)
            )
    return None


def retrieve_by_key(call: Call) -> Response:
    obj = _object(call)
    related = _related(call, obj)
    if related is not None:
        return related
    key = _key_field(call, obj)
    matches = call.org.find(obj, key, call.params["value"])
    if not matches:
        raise NotFound()
    if len(matches) > 1:
        return _several(call, obj, matches)
    return json_response(call.org.retrieve(obj.name, matches[0], _fields_param(call), call.version))


def upsert(call: Call) -> Response:
    obj = _object(call)
    key = _key_field(call, obj)
    value = call.params["value"]
    body = call.json_object()
    if key.type == FieldType.ID:
        # PATCH sobjects/T/Id/<id> is a plain update of that record.
        call.org.update(call.ctx(), obj.name, ids.normalize(value), body)
        return json_response(
            {"id": ids.normalize(value), "success": True, "errors": [], "created": False}, 200
        )
    update_only = call.query.get("updateOnly", "").lower() == "true"
    from ...org.errors import DuplicateExternalId

    try:
        out = call.org.upsert(call.ctx(), obj.name, key, value, body, update_only=update_only)
    except DuplicateExternalId as exc:
        if exc.matches:
            return _several(call, obj, exc.matches)
        raise
    return json_response(
        {"id": out.id, "success": True, "errors": [], "created": out.created},
        201 if out.created else 200,
    )


def delete_by_key(call: Call) -> Response:
    obj = _object(call)
    key = _key_field(call, obj)
    matches = call.org.find(obj, key, call.params["value"])
    if not matches:
        raise NotFound()
    if len(matches) > 1:
        return _several(call, obj, matches)
    call.org.delete(call.ctx(), obj.name, matches[0])
    return no_content()


__all__ = [
    "basic_info",
    "create",
    "delete",
    "delete_by_key",
    "describe",
    "global_describe",
    "retrieve",
    "retrieve_by_key",
    "update",
    "upsert",
]
