"""``POST /composite/tree/{T}``: records with nested children, created all or none.

Records are flattened into levels (roots, their children, grandchildren...) and each
level is inserted as a batch per object, with each child's lookup set to its parent's
new id. Up to 200 records in all and five levels, as in Salesforce.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection
from starlette.responses import Response

from ...core.errors import JsonParserError, NotFound, SwitchboardError
from ...org.errors import InvalidType
from ...org.schema.model import FieldDef, ObjectDef
from ..call import Call
from ..responses import json_response
from .errors import CompositeLimitExceeded, InvalidCompositeInput
from .references import REFERENCE_ID

MAX_RECORDS = 200
MAX_DEPTH = 5


@dataclass(slots=True)
class _Node:
    obj: ObjectDef
    ref: str
    values: dict[str, Any]
    depth: int
    parent: int | None = None
    lookup: FieldDef | None = None
    id: str | None = None


class _Failed(Exception):
    def __init__(self, errors: list[tuple[str, SwitchboardError]]) -> None:
        super().__init__("tree rolled back")
        self.errors = errors


def _flatten(call: Call, root: ObjectDef, records: Any) -> list[_Node]:
    nodes: list[_Node] = []
    refs: set[str] = set()

    def visit(obj: ObjectDef, recs: Any, depth: int, parent: int | None, lookup: FieldDef | None):
        if not isinstance(recs, list):
            raise JsonParserError("records: an array of sObjects is required")
        if depth > MAX_DEPTH:
            raise InvalidCompositeInput(f"Records can be nested at most {MAX_DEPTH} levels deep")
        for rec in recs:
            if not isinstance(rec, dict):
                raise JsonParserError("Each record must be a JSON object")
            attrs = rec.get("attributes") or {}
            rtype, ref = attrs.get("type"), attrs.get("referenceId")
            if not isinstance(ref, str) or not REFERENCE_ID.match(ref):
                raise InvalidCompositeInput(
                    "Each record needs attributes.referenceId (letters, digits and underscore)"
                )
            if ref in refs:
                raise InvalidCompositeInput(f"Duplicate ReferenceId provided in the request: {ref}")
            refs.add(ref)
            if isinstance(rtype, str) and rtype.lower() != obj.name.lower():
                raise InvalidCompositeInput(
                    f"The type of record {ref} ({rtype}) does not match {obj.name}"
                )
            values: dict[str, Any] = {}
            children: list[tuple[ObjectDef, FieldDef, Any]] = []
            for key, value in rec.items():
                if key == "attributes":
                    continue
                if isinstance(value, dict) and "records" in value:
                    rel = next(
                        (
                            c
                            for c in call.org.schema.children(obj)
                            if c.name and c.name.lower() == key.lower()
                        ),
                        None,
                    )
                    if rel is None:
                        raise InvalidCompositeInput(
                            f"No such child relationship {key} on {obj.name}"
                        )
                    children.append((rel.child, rel.field, value["records"]))
                else:
                    values[key] = value
            nodes.append(_Node(obj, ref, values, depth, parent, lookup))
            if len(nodes) > MAX_RECORDS:
                raise CompositeLimitExceeded(
                    f"Too many records in the request: at most {MAX_RECORDS} records in all"
                )
            me = len(nodes) - 1
            for child, f, recs2 in children:
                visit(child, recs2, depth + 1, me, f)

    visit(root, records, 1, None, None)
    return nodes


def tree(call: Call) -> Response:
    try:
        root = call.org.schema.object(call.params["type"])
    except InvalidType:
        raise NotFound() from None
    data = call.json_object()
    nodes = _flatten(call, root, data.get("records"))
    ctx = call.ctx().fresh()
    dml = call.org.dml

    def work(conn: Connection) -> None:
        errors: list[tuple[str, SwitchboardError]] = []
        for depth in range(1, MAX_DEPTH + 1):
            level: dict[str, list[_Node]] = {}
            for n in nodes:
                if n.depth == depth:
                    level.setdefault(n.obj.name, []).append(n)
            for group in level.values():
                batch = []
                for n in group:
                    values = dict(n.values)
                    if n.parent is not None and n.lookup is not None:
                        values[n.lookup.name] = nodes[n.parent].id
                    batch.append(values)
                for n, out in zip(group, dml.insert(conn, ctx, group[0].obj, batch), strict=True):
                    n.id = out.id
                    errors.extend((n.ref, e) for e in out.errors)
            if errors:
                raise _Failed(errors)

    try:
        call.org.store.write(work)
    except _Failed as failed:
        return json_response(
            {
                "hasErrors": True,
                "results": [
                    {
                        "referenceId": ref,
                        "errors": [
                            {"statusCode": e.error_code, "message": e.message, "fields": e.fields}
                        ],
                    }
                    for ref, e in failed.errors
                ],
            },
            400,
        )
    return json_response(
        {"hasErrors": False, "results": [{"referenceId": n.ref, "id": n.id} for n in nodes]}, 201
    )


__all__ = ["MAX_RECORDS", "tree"]
