"""``query?explain=``: how a query would run, in the shape of Salesforce's Query Plan.

Salesforce's optimizer weighs each filter of the WHERE clause that can lead the query
through an index against a table scan, and reports one plan per candidate, cheapest
first. Here the candidates are the top-level filters (the whole WHERE, or each operand
of a top-level AND) that compare an indexed field of the queried object with ``=``,
``IN``, a range, or a LIKE with a fixed prefix; the indexes are the ones the org's
tables really have (:func:`..schema.registry.has_index`: Id, the name field, lookups,
unique and external id fields, SystemModstamp). Cardinalities are not estimates but
counts, taken with the same compiled filters the query would run.

``relativeCost`` compares a plan's cardinality with Salesforce's selectivity threshold
for its index: for standard indexes (Id, Name, SystemModstamp, lookups) 30% of the
first million records and 15% of the rest, at most 1,000,000; for custom indexes
(custom unique and external id fields) 10% and 5%, at most 333,333. Above 1.0 the
filter is not selective. A table scan reads every record, so its cost is the object's
cardinality against the standard threshold. Filters on fields without an index are
named in each plan's notes, as Salesforce names them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..schema.model import FieldType
from ..schema.registry import has_index
from . import ast
from .compiler import compile_query
from .executor import prepare, run_page
from .parser import parse

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from ..runtime import Org
    from ..schema.model import FieldDef, ObjectDef
    from .dialects import Dialect

_OPTIMIZABLE = {"=", "<", "<=", ">", ">="}
_MILLION = 1_000_000
_COUNT = parse("SELECT COUNT() FROM Account")  # its FROM and WHERE are replaced per use


def threshold(records: int, *, custom: bool) -> float:
    """How many records a filter on such an index may match and still be selective."""
    first, rest, cap = (0.10, 0.05, 333_333) if custom else (0.30, 0.15, _MILLION)
    within = min(records, _MILLION)
    return min(first * within + rest * max(0, records - _MILLION), cap)


def _conjuncts(where: ast.Condition | None) -> list[ast.Condition]:
    if where is None:
        return []
    return list(where.operands) if isinstance(where, ast.And) else [where]


def _field_of(obj: ObjectDef, org: Org, q: ast.Query, cond: ast.Condition) -> FieldDef | None:
    """The field of the queried object ``cond`` tests, written plainly or after the
    object's alias or name; None for a relationship path or an expression."""
    left = getattr(cond, "left", None)
    if not isinstance(left, ast.Field):
        return None
    path = left.path
    prefixes = {obj.name.lower(), (q.from_.alias or "").lower()} - {""}
    if len(path) == 2 and path[0].lower() in prefixes:
        path = path[1:]
    if len(path) != 1:
        return None
    return org.schema.field(obj, path[0])


def _optimizable(cond: ast.Condition) -> bool:
    if isinstance(cond, ast.InList):
        return not cond.negated
    if isinstance(cond, ast.Comparison):
        value = cond.right
        if isinstance(value, ast.Literal) and value.value is None:
            return False  # "= null" reads no index
        if cond.op.upper() == "LIKE":
            text = value.value if isinstance(value, ast.Literal) else None
            return isinstance(text, str) and not text.startswith(("%", "_"))
        return cond.op in _OPTIMIZABLE
    return False


def explain(org: Org, dialect: Dialect, query: ast.Query) -> dict[str, Any]:
    # Every count on one connection: one snapshot, so the plans' figures agree.
    with org.store.read() as conn:
        return _explain(org, dialect, query, conn)


def _explain(org: Org, dialect: Dialect, query: ast.Query, conn: Connection) -> dict[str, Any]:
    obj = org.schema.object(query.from_.object)
    sa_dialect = org.store.engine.dialect
    counted: dict[int, int] = {}  # by id() of the condition: a lone filter is counted once

    def count(where: ast.Condition | None) -> int:
        if id(where) not in counted:
            q = replace(_COUNT, from_=query.from_, where=where)
            plan = prepare(compile_query(org.schema, q, dialect), sa_dialect)
            # The version shapes records only, and COUNT() returns none.
            page = run_page(plan, conn, org.schema, position=0, batch=1, version="59.0")
            counted[id(where)] = page.total
        return counted[id(where)]

    records = count(None)
    notes: list[dict[str, Any]] = []
    candidates: list[tuple[FieldDef, ast.Condition]] = []
    for cond in _conjuncts(query.where):
        f = _field_of(obj, org, query, cond)
        if f is None:
            continue
        if not has_index(f):
            notes.append(
                {
                    "description": "Not considering filter for optimization because unindexed",
                    "fields": [f.name],
                    "tableEnumOrId": obj.name,
                }
            )
        elif _optimizable(cond):
            candidates.append((f, cond))
    plans = []
    for f, cond in candidates:
        found = count(cond)
        # Lookups are foreign keys, indexed as standard fields are, custom or not.
        limit = threshold(records, custom=f.custom and f.type != FieldType.REFERENCE)
        plans.append(_plan("Index", [f.name], found, found / limit if limit else 0.0))
    scan_limit = threshold(records, custom=False)
    matched = count(query.where)
    plans.append(_plan("TableScan", [], matched, records / scan_limit if scan_limit else 0.0))
    for p in plans:
        p.update(notes=notes, sobjectCardinality=records, sobjectType=obj.name)
    # On a tie the scan goes first: an index that reads every record gains nothing.
    plans.sort(key=lambda p: (p["relativeCost"], p["leadingOperationType"] != "TableScan"))
    return {"plans": plans, "sourceQuery": None}


def _plan(kind: str, fields: list[str], cardinality: int, cost: float) -> dict[str, Any]:
    return {
        "cardinality": cardinality,
        "fields": fields,
        "leadingOperationType": kind,
        "relativeCost": round(cost, 7),
    }


__all__ = ["explain", "threshold"]
