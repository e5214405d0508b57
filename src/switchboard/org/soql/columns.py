"""The ``columns=true`` form of a query: column metadata, which ``sf data query`` reads
to name its output columns (relationship paths and subqueries as ``joinColumns``).

The CLI reads ``aggregate`` as "not a plain field": a child subquery is an aggregate
column whose joinColumns are the child's fields (it lays out ``Contacts.totalSize`` and
``Contacts.records.N.LastName``); in an aggregate query only the function columns are,
each named by its alias or ``exprN`` with the function as its displayName (the CLI maps
``exprN`` to the N-th of them), while grouped fields stay plain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import ast
from .parser import parse
from .shape import BLOB, CHILD, COMPOUND, FIELD, NULL, PARENT, POLY, RecordShape

if TYPE_CHECKING:
    from ..security.principal import Principal
    from .compiler import Compiled
    from .engine import QueryEngine


def _column(
    name: str, aggregate: bool, joins: list[dict[str, Any]], display: str | None = None
) -> dict[str, Any]:
    return {
        "aggregate": aggregate,
        "apexType": None,
        "booleanType": False,
        "columnName": name,
        "custom": name.endswith("__c") or name.endswith("__r"),
        "displayName": display or name,
        "foreignKeyName": None,
        "insertable": False,
        "joinColumns": joins,
        "numberType": False,
        "textType": False,
        "updatable": False,
    }


def _poly_fields(c: Compiled, index: int) -> list[str]:
    poly = c.polys[index]
    names: list[str] = []
    for name in [*poly.plain, *(n for ns in poly.whens.values() for n in ns), *poly.else_]:
        if name.lower() not in (n.lower() for n in names):
            names.append(name)
    return names


def _columns(shape: RecordShape, c: Compiled | None) -> list[dict[str, Any]]:
    """The columns of one record level (``c`` is None below a parent relationship, where
    neither subqueries nor polymorphic lookups occur)."""
    out = []
    for entry in shape.entries:
        kind, key = entry[0], entry[1]
        if kind == PARENT:
            out.append(_column(key, False, _columns(entry[2], None)))
        elif kind == CHILD and c is not None:
            child = c.children[entry[2]][1]
            out.append(_column(key, True, _columns(child.shape, child)))
        elif kind == POLY and c is not None:
            joins = [_column(n, False, []) for n in _poly_fields(c, entry[2])]
            out.append(_column(key, False, joins))
        elif kind in (FIELD, COMPOUND, NULL, POLY, BLOB):
            out.append(_column(key, False, []))
    return out


def column_paths(c: Compiled) -> list[str]:
    """The flat column names of a record query in SELECT order, parent and polymorphic
    fields as paths (``Account.Name``, ``What.Name``), as a Bulk API CSV names them."""
    out: list[str] = []

    def walk(columns: list[dict[str, Any]], prefix: str) -> None:
        for col in columns:
            name = prefix + col["columnName"]
            if col["joinColumns"] and not col["aggregate"]:
                walk(col["joinColumns"], name + ".")
            else:
                out.append(name)

    walk(_columns(c.shape, c), "")
    return out


def _text(e: Any) -> str:
    if isinstance(e, ast.Function):
        return f"{e.name}({', '.join(_text(a) for a in e.args)})"
    return str(getattr(e, "name", ""))


def _aggregate_columns(shape: RecordShape, text: str) -> list[dict[str, Any]]:
    """Function columns by the keys the compiler gives them (alias, else ``exprN``
    counting unaliased functions), grouped fields as plain columns."""
    functions: dict[str, str] = {}
    n = 0
    for item in parse(text).select:
        if isinstance(item, ast.Function):
            if item.alias is None:
                functions[f"expr{n}"] = _text(item)
                n += 1
            else:
                functions[item.alias] = _text(item)
    return [_column(e[1], e[1] in functions, [], functions.get(e[1])) for e in shape.entries]


def column_metadata(
    engine: QueryEngine, text: str, principal: Principal | None = None
) -> dict[str, Any]:
    plan = engine.plan(text, False, principal)
    c = plan.compiled
    aggregate = c.mode != "records"
    columns = _aggregate_columns(c.shape, text) if aggregate else _columns(c.shape, c)
    return {
        "columnMetadata": columns,
        "entityName": "AggregateResult" if aggregate else c.obj.name,
        "groupBy": c.mode == "aggregate",
        "idSelected": any(e[0] == FIELD and e[1] == "Id" for e in c.shape.entries),
        "keyPrefix": None if aggregate else c.obj.key_prefix,
    }


__all__ = ["column_metadata", "column_paths"]
