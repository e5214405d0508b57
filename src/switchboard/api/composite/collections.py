"""sObject Collections: ``/composite/sobjects`` create, update, upsert, delete, retrieve.

Each request is one transaction through the org's batch DML. Without ``allOrNone`` the
rows that fail are left out and the rest commit; with it, one failure rolls back all,
and the other rows report ``ALL_OR_NONE_OPERATION_ROLLED_BACK``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Connection
from starlette.responses import Response

from ...core.errors import JsonParserError, NotFound, SwitchboardError
from ...org.dml.writer import Outcome
from ...org.errors import InvalidType
from ...org.schema.model import FieldType, ObjectDef
from ..call import Call
from ..responses import json_response
from .errors import CompositeLimitExceeded, InvalidCompositeInput

MAX_RECORDS = 200
MAX_RETRIEVE = 2000
_ROLLED_BACK = {
    "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "message": "Record rolled back because not all records were valid and the request "
    "was using AllOrNone header",
    "fields": [],
}


class _RollBack(Exception):
    def __init__(self, outcomes: list[Outcome]) -> None:
        super().__init__("collection rolled back")
        self.outcomes = outcomes


def _error(exc: SwitchboardError) -> dict[str, Any]:
    return {"statusCode": exc.error_code, "message": exc.message, "fields": exc.fields}


def _render(outcomes: list[Outcome], *, upsert: bool = False, rolled_back: bool = False) -> Any:
    out = []
    for o in outcomes:
        item: dict[str, Any] = {
            "id": None if rolled_back else o.id,
            "success": o.success and not rolled_back,
            "errors": [_error(e) for e in o.errors]
            if o.errors
            else ([_ROLLED_BACK] if rolled_back else []),
        }
        if upsert:
            item["created"] = o.created and not rolled_back
        out.append(item)
    return out


def _records(call: Call) -> tuple[list[Any], bool]:
    data = call.json_object()
    records = data.get("records")
    if not isinstance(records, list):
        raise JsonParserError("records: an array of sObjects is required")
    if len(records) > MAX_RECORDS:
        raise CompositeLimitExceeded(
            f"Maximum number of records in a collection request is {MAX_RECORDS}: "
            f"got {len(records)}"
        )
    return records, bool(data.get("allOrNone", False))


def _object(call: Call, name: Any) -> ObjectDef:
    if not isinstance(name, str) or not name:
        raise InvalidCompositeInput("Each record needs attributes.type")
    try:
        return call.org.schema.object(name)
    except InvalidType:
        raise NotFound(f"sObject type '{name}' is not supported.") from None


def _transact(
    call: Call, all_or_none: bool, work: Callable[[Connection], list[Outcome]]
) -> tuple[list[Outcome], bool]:
    def run(conn: Connection) -> list[Outcome]:
        outcomes = work(conn)
        if all_or_none and not all(o.success for o in outcomes):
            raise _RollBack(outcomes)
        return outcomes

    try:
        return call.org.store.write(run), False
    except _RollBack as rb:
        return rb.outcomes, True


def _by_type(
    call: Call,
    records: list[Any],
    each: Callable[[Connection, ObjectDef, list[Any]], list[Outcome]],
) -> Callable[[Connection], list[Outcome]]:
    """Group records by attributes.type (order kept) and run ``each`` on each group."""
    groups: dict[str, tuple[ObjectDef, list[int]]] = {}
    for i, r in enumerate(records):
        if not isinstance(r, dict):
            raise JsonParserError("Each record must be a JSON object")
        obj = _object(call, (r.get("attributes") or {}).get("type"))
        groups.setdefault(obj.name, (obj, []))[1].append(i)

    def work(conn: Connection) -> list[Outcome]:
        outcomes: list[Outcome] = [Outcome() for _ in records]
        for obj, idx in groups.values():
            for i, o in zip(idx, each(conn, obj, [records[i] for i in idx]), strict=True):
                outcomes[i] = o
        return outcomes

    return work


def create(call: Call) -> Response:
    records, all_or_none = _records(call)
    for r in records:
        if isinstance(r, dict) and any(k.lower() == "id" for k in r):
            raise InvalidCompositeInput("Can't specify an Id on a record being created")
    ctx = call.ctx().fresh()
    dml = call.org.dml
    work = _by_type(call, records, lambda c, obj, rs: dml.insert(c, ctx, obj, rs))
    outcomes, rolled = _transact(call, all_or_none, work)
    return json_response(_render(outcomes, rolled_back=rolled))


def update(call: Call) -> Response:
    records, all_or_none = _records(call)
    ctx = call.ctx().fresh()
    dml = call.org.dml

    def each(conn: Connection, obj: ObjectDef, rs: list[dict[str, Any]]) -> list[Outcome]:
        changes = []
        for r in rs:
            rid = next((v for k, v in r.items() if k.lower() == "id"), None)
            body = {k: v for k, v in r.items() if k.lower() != "id"}
            changes.append((rid, body))
        return dml.update(conn, ctx, obj, changes)

    outcomes, rolled = _transact(call, all_or_none, _by_type(call, records, each))
    return json_response(_render(outcomes, rolled_back=rolled))


def upsert(call: Call) -> Response:
    records, all_or_none = _records(call)
    obj = _object(call, call.params["type"])
    key = call.org.schema.field(obj, call.params["field"])
    if key is None or not (key.external_id or key.type == FieldType.ID or key.id_lookup):
        raise NotFound(
            f"Provided external ID field does not exist or is not accessible: {call.params['field']}"
        )
    for r in records:
        if not isinstance(r, dict):
            raise JsonParserError("Each record must be a JSON object")
        rtype = (r.get("attributes") or {}).get("type")
        if rtype is not None and str(rtype).lower() != obj.name.lower():
            raise InvalidCompositeInput(
                f"Every record of an upsert must be of type {obj.name}; got {rtype}"
            )
    ctx = call.ctx().fresh()
    dml = call.org.dml
    outcomes, rolled = _transact(call, all_or_none, lambda c: dml.upsert(c, ctx, obj, key, records))
    return json_response(_render(outcomes, upsert=True, rolled_back=rolled))


def delete(call: Call) -> Response:
    raw = call.query.get("ids", "")
    record_ids = [i.strip() for i in raw.split(",") if i.strip()]
    if not record_ids:
        raise InvalidCompositeInput("ids: at least one record id is required")
    if len(record_ids) > MAX_RECORDS:
        raise CompositeLimitExceeded(
            f"Maximum number of records in a collection request is {MAX_RECORDS}: "
            f"got {len(record_ids)}"
        )
    all_or_none = call.query.get("allOrNone", "").lower() == "true"
    ctx = call.ctx().fresh()
    schema = call.org.schema
    groups: dict[str, tuple[ObjectDef | None, list[int]]] = {}
    for i, rid in enumerate(record_ids):
        obj = schema.by_id(rid) if len(rid) in (15, 18) else None
        groups.setdefault(obj.name if obj else "", (obj, []))[1].append(i)

    def work(conn: Connection) -> list[Outcome]:
        outcomes = [Outcome(id=None) for _ in record_ids]
        for obj, idx in groups.values():
            if obj is None:
                for i in idx:
                    outcomes[i].errors.append(
                        NotFound(f"The requested resource does not exist: {record_ids[i]}")
                    )
                    outcomes[i].errors[0].error_code = "INVALID_CROSS_REFERENCE_KEY"
                continue
            done = call.org.dml.delete(conn, ctx, obj, [record_ids[i] for i in idx])
            for i, o in zip(idx, done, strict=True):
                outcomes[i] = o
        for i, o in enumerate(outcomes):
            o.id = o.id or record_ids[i]
        return outcomes

    outcomes, rolled = _transact(call, all_or_none, work)
    body = _render(outcomes, rolled_back=rolled)
    for item, o in zip(body, outcomes, strict=True):
        item["id"] = o.id if item["success"] else item["id"]
    return json_response(body)


def retrieve(call: Call) -> Response:
    obj = _object(call, call.params["type"])
    if call.method == "POST":
        data = call.json_object()
        record_ids = [str(i) for i in data.get("ids") or []]
        fields = [str(f) for f in data.get("fields") or []]
    else:
        record_ids = [i.strip() for i in call.query.get("ids", "").split(",") if i.strip()]
        fields = [f.strip() for f in call.query.get("fields", "").split(",") if f.strip()]
    if not record_ids or not fields:
        raise InvalidCompositeInput("ids and fields are both required")
    if len(record_ids) > MAX_RETRIEVE:
        raise CompositeLimitExceeded(
            f"Maximum number of ids in a retrieve request is {MAX_RETRIEVE}: got {len(record_ids)}"
        )
    out: list[Any] = []
    for rid in record_ids:
        try:
            out.append(call.org.retrieve(obj.name, rid, fields, call.version))
        except (NotFound, SwitchboardError) as exc:
            if exc.error_code not in ("NOT_FOUND", "MALFORMED_ID"):
                raise
            out.append(None)
    return json_response(out)


__all__ = ["MAX_RECORDS", "create", "delete", "retrieve", "update", "upsert"]
