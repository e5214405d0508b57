"""The ``columns=true`` form of a query: column metadata, which ``sf data query`` reads
to name its output columns (relationship paths and subqueries as ``joinColumns``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .shape import CHILD, COMPOUND, FIELD, NULL, PARENT, POLY, RecordShape

if TYPE_CHECKING:
    from .engine import QueryEngine


def _column(name: str, aggregate: bool, joins: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "aggregate": aggregate,
        "apexType": None,
        "booleanType": False,
        "columnName": name,
        "custom": name.endswith("__c") or name.endswith("__r"),
        "displayName": name,
        "foreignKeyName": None,
        "insertable": False,
        "joinColumns": joins,
        "numberType": False,
        "textType": False,
        "updatable": False,
    }


def _columns(shape: RecordShape, aggregate: bool, children: list[Any]) -> list[dict[str, Any]]:
    out = []
    for entry in shape.entries:
        kind, key = entry[0], entry[1]
        if kind in (FIELD, COMPOUND, NULL, POLY):
            out.append(_column(key, aggregate, []))
        elif kind == PARENT:
            out.append(_column(key, False, _columns(entry[2], False, [])))
        elif kind == CHILD:
            child = children[entry[2]][1]
            out.append(_column(key, False, _columns(child.shape, False, [])))
    return out


def column_metadata(engine: QueryEngine, text: str) -> dict[str, Any]:
    plan = engine.plan(text, False)
    c = plan.compiled
    aggregate = c.mode != "records"
    return {
        "columnMetadata": _columns(c.shape, aggregate, c.children),
        "entityName": "AggregateResult" if aggregate else c.obj.name,
        "groupBy": c.mode == "aggregate",
        "idSelected": any(e[0] == FIELD and e[1] == "Id" for e in c.shape.entries),
        "keyPrefix": None if aggregate else c.obj.key_prefix,
    }


__all__ = ["column_metadata"]
