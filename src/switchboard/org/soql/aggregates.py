"""Aggregate queries: COUNT() and friends, GROUP BY (plain, ROLLUP, CUBE), HAVING.

Results are flat ``AggregateResult`` rows keyed by the field's API name, the alias, or
``expr0, expr1, ...`` for unaliased functions, as Salesforce names them. ROLLUP and CUBE
are a UNION ALL of one grouping per level (SQLite has no GROUPING SETS, and one way of
doing it keeps both backends identical); ``GROUPING(f)`` is a constant in each branch.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..security.encryption import soql as encrypted
from . import ast
from .errors import MalformedQuery
from .filters import Typed, condition
from .shape import FIELD, RecordShape, converter_for_kind

if TYPE_CHECKING:
    from .compiler import Builder, Compiled


def aggregate_expr(b: Builder, fn: ast.Function) -> Typed:
    name = fn.name
    if name == "COUNT" and not fn.args:
        return Typed(sa.func.count(), "int", "COUNT", False)
    arg = b.typed(fn.args[0])
    if arg.cipher is not None and name != "COUNT":
        raise encrypted.not_aggregated(arg.name, name)
    if name == "COUNT":
        return Typed(sa.func.count(arg.sql), "int", name, False)
    if name == "COUNT_DISTINCT":
        return Typed(sa.func.count(sa.distinct(arg.sql)), "int", name, False)
    if name in ("SUM", "AVG") and arg.kind not in ("number", "int"):
        raise MalformedQuery(f"field {arg.name} does not support aggregate operator {name}")
    if arg.kind == "bool" or arg.kind == "multi":
        raise MalformedQuery(f"field {arg.name} does not support aggregate operator {name}")
    funcs: dict[str, Any] = {
        "SUM": sa.func.sum,
        "AVG": sa.func.avg,
        "MIN": sa.func.min,
        "MAX": sa.func.max,
    }
    sql = funcs[name]
    return Typed(sql(arg.sql), "number" if name == "AVG" else arg.kind, name)


def _same(a: ast.Expr, b: ast.Expr) -> bool:
    if isinstance(a, ast.Function) and isinstance(b, ast.Function):
        return a.name == b.name and a.args == b.args
    if isinstance(a, ast.Field) and isinstance(b, ast.Field):
        return tuple(p.lower() for p in a.path) == tuple(p.lower() for p in b.path)
    return False


def _grouping_sets(kind: str, n: int) -> list[tuple[int, ...]]:
    if kind == "ROLLUP":
        return [tuple(range(k)) for k in range(n, -1, -1)]
    if kind == "CUBE":
        return [c for k in range(n, -1, -1) for c in combinations(range(n), k)]
    return [tuple(range(n))]


def compile_aggregate(b: Builder, q: ast.Query, where: list[Any]) -> Compiled:
    from .compiler import Compiled

    groups: list[tuple[ast.Expr, Typed]] = []
    for g in q.group_by.items if q.group_by else ():
        t = b.typed(g)
        if t.cipher is not None:
            raise encrypted.not_grouped(t.name)
        if t.kind in ("multi",) or (isinstance(g, ast.Function) and g.is_aggregate):
            raise MalformedQuery(f"field '{t.name}' can not be grouped in a query call")
        groups.append((g, t))

    def group_index(e: ast.Expr) -> int | None:
        for i, (g, _gt) in enumerate(groups):
            if _same(g, e):
                return i
        if isinstance(e, ast.Field):
            col = b.typed(e).sql
            for i, (_, gt) in enumerate(groups):
                if gt.sql is col:
                    return i
        return None

    shape = RecordShape("AggregateResult", None)
    if (
        not groups
        and len(q.select) == 1
        and isinstance(q.select[0], ast.Function)
        and q.select[0].name == "COUNT"
        and not q.select[0].args
    ):
        stmt = sa.select(sa.func.count()).select_from(b.scope.from_clause()).where(*where)
        return Compiled(b.scope.obj, stmt, "count", shape, b.params, q.limit, q.offset)

    # outputs: (key, kind, make(grouping set) -> SQL)
    outputs: list[tuple[str, str, Callable[[tuple[int, ...]], Any]]] = []
    n_expr = 0
    for item in q.select:
        if isinstance(item, ast.Field):
            gi = group_index(item)
            if gi is None:
                raise MalformedQuery(f"Field must be grouped or aggregated: {item.path[-1]}")
            r = b.resolve(item)
            key = r.field.name
            outputs.append((key, groups[gi][1].kind, _grouped(groups[gi][1].sql, gi)))
            continue
        if not isinstance(item, ast.Function):
            raise MalformedQuery("Only fields and functions can be selected in an aggregate query")
        key = item.alias or f"expr{n_expr}"
        if item.alias is None:
            n_expr += 1
        if item.name == "GROUPING":
            gi = group_index(item.args[0])
            if gi is None:
                raise MalformedQuery("GROUPING needs a field of the GROUP BY clause")
            outputs.append((key, "int", _grouping_flag(gi)))
        elif item.is_aggregate:
            t = aggregate_expr(b, item)
            outputs.append((key, t.kind, _always(t.sql)))
        else:
            gi = group_index(item)
            if gi is None:
                raise MalformedQuery(f"Field must be grouped or aggregated: {key}")
            outputs.append((key, groups[gi][1].kind, _grouped(groups[gi][1].sql, gi)))
    for i, (key, kind, _) in enumerate(outputs):
        shape.add(FIELD, key, i, converter_for_kind(kind, b.dialect))

    having = condition(b, q.having) if q.having is not None else None
    sets = _grouping_sets(q.group_by.kind if q.group_by else "PLAIN", len(groups))
    out = Compiled(b.scope.obj, None, "aggregate", shape, b.params, q.limit, q.offset)
    if len(sets) == 1:
        cols = [make(sets[0]).label(f"c{i}") for i, (_, _, make) in enumerate(outputs)]
        stmt = sa.select(*cols).select_from(b.scope.from_clause()).where(*where)
        if groups:
            stmt = stmt.group_by(*(t.sql for _, t in groups))
        if having is not None:
            stmt = stmt.having(having)
        out.stmt = stmt.order_by(*b.order_by(q.order_by))
        out.count_stmt = sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
        return out
    branches = []
    for s in sets:
        cols = [make(s).label(f"c{i}") for i, (_, _, make) in enumerate(outputs)]
        branch = sa.select(*cols).select_from(b.scope.from_clause()).where(*where)
        if s:
            branch = branch.group_by(*(groups[i][1].sql for i in s))
        if having is not None:
            branch = branch.having(having)
        branches.append(branch)
    union = sa.union_all(*branches).subquery("u")
    order = []
    for oi in q.order_by:
        idx = next(
            (i for i, sel in enumerate(q.select) if _same(sel, oi.expr)),  # type: ignore[arg-type]
            None,
        )
        if idx is None:
            raise MalformedQuery("ORDER BY with ROLLUP or CUBE must use selected fields")
        col = union.c[f"c{idx}"]
        expr: Any = sa.func.lower(col) if outputs[idx][1] == "text" else col
        expr = expr.desc() if oi.descending else expr.asc()
        first = oi.nulls == "FIRST" if oi.nulls else not oi.descending
        order.append(expr.nulls_first() if first else expr.nulls_last())
    out.stmt = sa.select(*union.c).order_by(*order)
    out.count_stmt = sa.select(sa.func.count()).select_from(union)
    return out


def _grouped(sql: Any, index: int) -> Callable[[tuple[int, ...]], Any]:
    return lambda s: sql if index in s else sa.null()


def _grouping_flag(index: int) -> Callable[[tuple[int, ...]], Any]:
    return lambda s: sa.literal(0 if index in s else 1, sa.Integer)


def _always(sql: Any) -> Callable[[tuple[int, ...]], Any]:
    return lambda s: sql


__all__ = ["aggregate_expr", "compile_aggregate"]
