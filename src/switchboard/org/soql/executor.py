"""Running plans: driver SQL, pages, child batches, polymorphic lookups, records.

A :class:`Plan` holds each statement as the driver's SQL text with its parameter names,
compiled once; executing it only fills in the parameter values (date literal bounds,
page limit and offset, parent ids) and hands it to the driver. Child subqueries run once
per page with all the page's parent ids, never once per parent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..schema.registry import Schema
from . import ast
from .compiler import Compiled, Params, PolyRef
from .dialects import Dialect
from .shape import POLY, field_converter, record_maker

# LIMIT and OFFSET are written into the SQL text as integers the executor computes (never
# from query text): a bound LIMIT makes PostgreSQL's generic prepared plan assume an
# unbounded result and pick a full hash join where a small ordered scan is right.
_LIM_MARK = 987654321987
_OFF_MARK = 987654321988
_LIM: Any = sa.literal_column(str(_LIM_MARK))
_OFF: Any = sa.literal_column(str(_OFF_MARK))


@dataclass(slots=True)
class Statement:
    """Driver-ready SQL: text, parameter order (positional drivers) and static values."""

    sql: str
    names: tuple[str, ...] | None
    static: dict[str, Any]
    dynamic: list[tuple[str, Callable[[dt.date], Any]]]
    dialect: Dialect

    @classmethod
    def build(cls, stmt: Any, sa_dialect: Any, params: Params) -> Statement:
        compiled = stmt.compile(dialect=sa_dialect)
        names = tuple(compiled.positiontup) if compiled.positional else None
        static = {k: v for k, v in compiled.params.items()}
        return cls(compiled.string, names, static, list(params.dynamic), params.dialect)

    def run(self, conn: Connection, today: dt.date, **extra: Any) -> list[Any]:
        sql = self.sql
        if "_lim" in extra:
            sql = sql.replace(str(_LIM_MARK), str(int(extra.pop("_lim")))).replace(
                str(_OFF_MARK), str(int(extra.pop("_off")))
            )
        values = self.static
        if self.dynamic or extra:
            values = dict(values)
            bind = self.dialect.bind
            for name, fn in self.dynamic:
                values[name] = bind(fn(today))
            values.update(extra)
        args: Any = values if self.names is None else tuple(values[n] for n in self.names)
        rows: Any = conn.exec_driver_sql(sql, args).fetchall()
        return rows  # a list already; not copied


@dataclass(slots=True)
class Plan:
    compiled: Compiled
    main: Statement
    count: Statement | None
    children: list[tuple[str, Plan, int]]
    poly_columns: list[int]
    makers: dict[str, Callable[[Any, Any], dict[str, Any]]] = field(default_factory=dict)

    @property
    def mode(self) -> str:
        return self.compiled.mode

    def maker(self, version: str) -> Callable[[Any, Any], dict[str, Any]]:
        make = self.makers.get(version)
        if make is None:
            make = record_maker(
                self.compiled.shape,
                f"/services/data/v{version}/sobjects/",
                aggregate=self.mode == "aggregate",
            )
            self.makers[version] = make
        return make


def prepare(compiled: Compiled, sa_dialect: Any, *, top: bool = True) -> Plan:
    stmt = compiled.stmt
    if top and compiled.mode != "count":
        stmt = stmt.limit(_LIM).offset(_OFF)
    main = Statement.build(stmt, sa_dialect, compiled.params)
    count = None
    if compiled.count_stmt is not None:
        count = Statement.build(compiled.count_stmt, sa_dialect, compiled.params)
    children = [
        (key, prepare(child, sa_dialect, top=False), fk) for key, child, fk in compiled.children
    ]
    polys = [e[3] for e in compiled.shape.entries if e[0] == POLY]
    return Plan(compiled, main, count, children, polys)


@dataclass(slots=True)
class Page:
    records: list[dict[str, Any]]
    total: int
    next_position: int  # rows returned so far, counting this page


def run_page(
    plan: Plan,
    conn: Connection,
    schema: Schema,
    *,
    position: int,
    batch: int,
    version: str,
    today: dt.date,
) -> Page:
    c = plan.compiled
    dialect = plan.main.dialect
    if c.mode == "count":
        total = int(plan.main.run(conn, today)[0][0])
        if c.limit is not None:
            total = min(total, c.limit)
        return Page([], total, 0)
    user_off = c.offset or 0
    remaining = None if c.limit is None else c.limit - position
    page_lim = batch if remaining is None else max(0, min(batch, remaining))
    rows = plan.main.run(conn, today, _lim=page_lim, _off=user_off + position) if page_lim else []
    if position == 0 and len(rows) < page_lim:
        total = len(rows)
    elif position == 0 and remaining is not None and len(rows) == remaining:
        total = len(rows)
    else:
        assert plan.count is not None
        counted = max(0, int(plan.count.run(conn, today)[0][0]) - user_off)
        total = counted if c.limit is None else min(counted, c.limit)
    extras: list[dict[str, Any]] = []
    if rows and plan.children:
        id_index = c.shape.id_index
        parent_ids = [r[id_index] for r in rows]
        for _key, child, fk in plan.children:
            extras.append(_children(child, conn, dialect, parent_ids, fk, version, today))
    if rows and c.polys:
        extras += [
            _poly(schema, conn, p, {r[i] for r in rows if r[i]}, version, dialect)
            for p, i in zip(c.polys, plan.poly_columns, strict=True)
        ]
    make = plan.maker(version)
    return Page([make(r, extras) for r in rows], total, position + len(rows))


def _children(
    child: Plan,
    conn: Connection,
    dialect: Dialect,
    parent_ids: list[str],
    fk: int,
    version: str,
    today: dt.date,
) -> dict[str, Any]:
    rows = child.main.run(conn, today, _ids=dialect.ids_value(parent_ids))
    limit = child.compiled.limit
    grouped: dict[str, list[Any]] = {}
    for r in rows:
        grouped.setdefault(r[fk], []).append(r)
    make = child.maker(version)
    nested: list[Any] = []
    if child.children or child.compiled.polys:
        raise AssertionError("nested subqueries are refused by the compiler")
    out = {}
    for parent, members in grouped.items():
        if limit is not None:
            members = members[:limit]
        if members:
            records = [make(r, nested) for r in members]
            out[parent] = {"totalSize": len(records), "done": True, "records": records}
    return out


def _poly(
    schema: Schema,
    conn: Connection,
    poly: PolyRef,
    ref_ids: set[str],
    version: str,
    dialect: Dialect,
) -> dict[str, Any]:
    """Targets of a polymorphic lookup, one query per target type."""
    by_type: dict[str, list[str]] = {}
    for rid in ref_ids:
        by_type.setdefault(rid[:3], []).append(rid)
    out: dict[str, Any] = {}
    for prefix, group in by_type.items():
        obj = schema.by_id(prefix + "000000000000")
        if obj is None:
            continue
        if poly.typeof:
            names = poly.whens.get(obj.name.lower(), poly.else_)
        else:
            names = poly.plain
        fields = []
        for name in names:
            # On the Name object behind What/Who, Type is the target's object type.
            fd = None if not poly.typeof and name.lower() == "type" else obj.field(name)
            fields.append((name if fd is None else fd.name, fd))
        table = schema.table(obj)
        cols = [table.c.id] + [table.c[fd.column] for _, fd in fields if fd and fd.stored]
        found = {}
        for i in range(0, len(group), 500):
            stmt = sa.select(*cols).where(table.c.id.in_(group[i : i + 500]))
            for row in conn.execute(stmt):
                found[row[0]] = row
        base = f"/services/data/v{version}/sobjects/{obj.name}/"
        for rid, row in found.items():
            rec: dict[str, Any] = {"attributes": {"type": obj.name, "url": base + rid}}
            i = 1
            for key, fd in fields:
                if fd is not None and fd.stored:
                    v = row[i]
                    i += 1
                    conv = field_converter(fd, dialect)
                    rec[key] = v if conv is None or v is None else conv(v)
                elif key.lower() == "type":
                    rec["Type"] = obj.name
                else:
                    rec[key] = None
            out[rid] = rec
    return out


def explain(plan: Plan, query: ast.Query) -> dict[str, Any]:
    """A plan in the shape of Salesforce's explain reply (a rough cost model)."""
    c = plan.compiled
    leading = "Index" if query.where is not None else "TableScan"
    return {
        "plans": [
            {
                "cardinality": 0,
                "fields": [],
                "leadingOperationType": leading,
                "notes": [],
                "relativeCost": 1.0 if leading == "TableScan" else 0.1,
                "sobjectCardinality": 0,
                "sobjectType": c.obj.name,
            }
        ],
        "sourceQuery": None,
    }


__all__ = ["Page", "Plan", "Statement", "explain", "prepare", "run_page"]
