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
from ..security.sharing.predicate import NO_OWNER, OWNERS_PARAM, ROLE_PARAM, USER_PARAM
from .compiler import Compiled, Params, PolyRef
from .dialects import Dialect
from .formula_fields import fill_formulas
from .shape import POLY, Grouper, Maker, field_converter, grouped_maker, record_maker

# LIMIT and OFFSET are written into the SQL text as integers the executor computes (never
# from query text): a bound LIMIT makes PostgreSQL's generic prepared plan assume an
# unbounded result and pick a full hash join where a small ordered scan is right.
_LIM_MARK = 987654321987
_OFF_MARK = 987654321988
_LIM: Any = sa.literal_column(str(_LIM_MARK))
_OFF: Any = sa.literal_column(str(_OFF_MARK))


# The caller under sharing, None where no predicate applies: (user id, role id), and
# for a plan compiled with an owner list (sharing.predicate) a third item, the caller's
# id and those of the users below their role.
Access = tuple[str, str | None] | tuple[str, str | None, tuple[str, ...]] | None

# Page texts kept per statement ((limit, offset) pairs); past this many it starts over.
_PAGE_TEXTS = 32


def _utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@dataclass(slots=True)
class Statement:
    """Driver-ready SQL: text, parameter order (positional drivers) and static values.

    ``args`` are the driver's parameters when a run supplies none (no date literal, no
    parent ids), built once; ``pages`` the text with LIMIT and OFFSET written in, per
    page seen, so a repeated query neither rebuilds its parameters nor its text.
    """

    sql: str
    names: tuple[str, ...] | None
    static: dict[str, Any]
    dynamic: list[tuple[str, Callable[[dt.date], Any]]]
    dialect: Dialect
    args: Any = None
    pages: dict[tuple[int, int], str] = field(default_factory=dict)
    # Whether the SQL carries the sharing predicate's user parameter, and its role one
    # (users below the caller's role, shares to roles).
    shared: bool = False
    ranked: bool = False
    # The slots of the visible owners' list, in list order (empty: no list); or, where
    # the dialect binds the list as one array (PostgreSQL), that parameter is present.
    owner_slots: tuple[str, ...] = ()
    owner_array: bool = False
    # Run without the driver's server-side preparing. The driver prepares a statement
    # run five times and PostgreSQL then keeps its generic plan, which knows nothing of
    # the bound owner list: it guessed the director's share and sorted all 25,840 of
    # their rows for Name LIKE 'b%' ORDER BY Name LIMIT 200 (9.8 ms), and tested each
    # entry against the list one by one. Planned with the list in hand (about 0.1 ms),
    # it walks Name's index (1.6 ms) and tests a hashed list (bench/security.py).
    unprepared: bool = False

    @classmethod
    def build(cls, stmt: Any, sa_dialect: Any, params: Params) -> Statement:
        # The owner list is an expanding parameter: written out here as one placeholder
        # per slot, since the text is compiled once and run by the driver directly.
        compiled = stmt.compile(dialect=sa_dialect, compile_kwargs={"render_postcompile": True})
        names = tuple(compiled.positiontup) if compiled.positional else None
        static = {k: v for k, v in compiled.params.items()}
        out = cls(compiled.string, names, static, list(params.dynamic), params.dialect)
        slot = OWNERS_PARAM + "_"
        out.owner_slots = tuple(
            sorted((k for k in static if k.startswith(slot)), key=lambda k: int(k[len(slot) :]))
        )
        out.owner_array = OWNERS_PARAM in static
        out.unprepared = out.owner_array
        out.shared = USER_PARAM in static or bool(out.owner_slots) or out.owner_array
        out.ranked = ROLE_PARAM in static
        out.args = out._driver_args(static)
        return out

    def _driver_args(self, values: dict[str, Any]) -> Any:
        return values if self.names is None else tuple(values[n] for n in self.names)

    def _paged(self, limit: int, offset: int) -> str:
        key = (limit, offset)
        sql = self.pages.get(key)
        if sql is None:
            if len(self.pages) >= _PAGE_TEXTS:
                self.pages.clear()
            sql = self.sql.replace(str(_LIM_MARK), str(int(limit)))
            sql = self.pages[key] = sql.replace(str(_OFF_MARK), str(int(offset)))
        return sql

    def fetch(self, conn: Connection, values: dict[str, Any]) -> list[Any]:
        """The rows with the parameters given by name, read on the driver's own cursor
        of ``conn`` (its connection and transaction; errors translated as SQLAlchemy
        would). The engine's owner probe runs this before every shared query, and
        SQLAlchemy's execution around so small a statement cost twice the statement
        (SQLite, bench/security.py's role closure read: 42 us against 14 us)."""
        return _on_cursor(conn, self.sql, self._driver_args(values))

    def run(
        self,
        conn: Connection,
        today: dt.date | None,
        *,
        page: tuple[int, int] | None = None,
        ids: Any = None,
        access: Access = None,
    ) -> list[Any]:
        """The rows; ``page`` is (limit, offset), ``ids`` the parent ids of a child level,
        ``today`` (UTC) the day date literals are read from (now when None), ``access``
        the (user id, role id) the sharing predicate reads."""
        sql = self.sql if page is None else self._paged(*page)
        args = self.args
        shared = self.shared and access is not None
        if self.dynamic or ids is not None or shared:
            values = dict(self.static)
            if shared:
                assert access is not None
                values[USER_PARAM], values[ROLE_PARAM] = access[0], access[1]
                if self.owner_slots:
                    _fill_owners(values, self.owner_slots, access)
                elif self.owner_array:
                    values[OWNERS_PARAM] = list(_listed(access, len(self.static[OWNERS_PARAM])))
            if self.dynamic:
                day = today or _utc_today()
                bind = self.dialect.bind
                for name, fn in self.dynamic:
                    values[name] = bind(fn(day))
            if ids is not None:
                values["_ids"] = ids
            args = self._driver_args(values)
        if self.unprepared:
            return _fetch_unprepared(conn, sql, args)
        return _fetch(conn, sql, args)


def _fill_owners(values: dict[str, Any], slots: tuple[str, ...], access: Any) -> None:
    """The owner list into its slots; slots past the list's end hold ``NO_OWNER``, which
    no OwnerId equals, so that a plan reading one arm per slot (compiler._merged) reads
    no owner twice (and not NULL: on every entry ``OwnerId IN (...)`` misses, SQLite
    then asks whether the list holds a NULL). A plan with slots run without a list that
    fits would match the wrong records, so that is a bug and raises."""
    owners = _listed(access, len(slots))
    for i, slot in enumerate(slots):
        values[slot] = owners[i] if i < len(owners) else NO_OWNER


def _listed(access: Any, slots: int) -> tuple[str, ...]:
    """The owner list of ``access``, checked to fit the plan's ``slots``."""
    owners: tuple[str, ...] = access[2] if len(access) > 2 else ()
    if not owners or len(owners) > slots:
        raise AssertionError("a plan with an owner list run without a list that fits it")
    return owners


def _on_cursor(conn: Connection, sql: str, args: Any, **options: Any) -> list[Any]:
    """The rows, read on the driver's own cursor of ``conn`` (its connection and
    transaction), errors translated as SQLAlchemy would; ``options`` go to the
    driver's execute."""
    raw: Any = conn.connection.dbapi_connection
    dbapi = conn.dialect.loaded_dbapi
    try:
        cursor = raw.cursor()
        try:
            cursor.execute(sql, args, **options)
            rows: list[Any] = cursor.fetchall()
        finally:
            cursor.close()
    except dbapi.Error as exc:
        raise sa.exc.DBAPIError.instance(sql, args, exc, dbapi.Error) from exc
    return rows


def _fetch_unprepared(conn: Connection, sql: str, args: Any) -> list[Any]:
    """The rows, planned by PostgreSQL for these values (psycopg's ``prepare=False``)."""
    return _on_cursor(conn, sql, args, prepare=False)


def _fetch(conn: Connection, sql: str, args: Any) -> list[Any]:
    """The rows as the driver's tuples. SQLAlchemy executes the statement (its events,
    its error translation); the rows are read off its cursor rather than wrapped one by
    one in a ``Row`` that the record makers would only index by position."""
    result = conn.exec_driver_sql(sql, args)
    try:
        rows: Any = result.cursor.fetchall()
    except conn.dialect.loaded_dbapi.Error as exc:  # as SQLAlchemy's own fetch would
        raise sa.exc.DBAPIError.instance(sql, args, exc, conn.dialect.loaded_dbapi.Error) from exc
    finally:
        result.close()
    return rows


@dataclass(slots=True)
class Plan:
    compiled: Compiled
    main: Statement
    count: Statement | None
    children: list[tuple[str, Plan, int]]
    poly_columns: list[int]
    dated: bool  # has date literals: its statements need to know today
    # Literals sealed for encrypted fields cover key versions up to this (None: none).
    sealed_under: int | None = None
    makers: dict[str, Maker] = field(default_factory=dict)
    groupers: dict[tuple[str, int], Grouper] = field(default_factory=dict)

    @property
    def mode(self) -> str:
        return self.compiled.mode

    @property
    def width(self) -> int:
        """Columns in a row of the main statement."""
        return len(self.compiled.stmt.selected_columns)

    def _prefix(self, version: str) -> str:
        return f"/services/data/v{version}/sobjects/"

    def maker(self, version: str) -> Maker:
        make = self.makers.get(version)
        if make is None:
            make = record_maker(
                self.compiled.shape,
                self._prefix(version),
                self.width,
                aggregate=self.mode == "aggregate",
            )
            self.makers[version] = make
        return make

    def grouper(self, version: str, key_index: int) -> Grouper:
        """The records of a child level's rows by parent id (column ``key_index``)."""
        make = self.groupers.get((version, key_index))
        if make is None:
            make = grouped_maker(self.compiled.shape, self._prefix(version), self.width, key_index)
            self.groupers[(version, key_index)] = make
        return make


def prepare(compiled: Compiled, sa_dialect: Any, *, top: bool = True) -> Plan:
    stmt = compiled.stmt
    count = None
    if top and compiled.mode == "aggregate":
        # All the groups in one statement, paged by run_page: every group is computed
        # before the first is known anyway, while a page's LIMIT below PostgreSQL's
        # group estimate (one group per distinct value under CALENDAR_YEAR(CreatedDate),
        # say) makes it trade a hash aggregate for a slower sorted, parallel one. Only
        # the query's own LIMIT and OFFSET are written in (integers from the query).
        if compiled.limit is not None:
            stmt = stmt.limit(sa.literal_column(str(int(compiled.limit))))
        if compiled.offset:
            stmt = stmt.offset(sa.literal_column(str(int(compiled.offset))))
    elif top and compiled.mode == "records":
        stmt = stmt.limit(_LIM).offset(_OFF)
        count = Statement.build(compiled.count_stmt, sa_dialect, compiled.params)
    main = Statement.build(stmt, sa_dialect, compiled.params)
    children = [
        (key, prepare(child, sa_dialect, top=False), fk) for key, child, fk in compiled.children
    ]
    polys = [e[3] for e in compiled.shape.entries if e[0] == POLY]
    dated = bool(compiled.params.dynamic) or any(child.dated for _, child, _ in children)
    sealed = [compiled.params.sealed_under] + [c.sealed_under for _, c, _ in children]
    sealed_under = min((v for v in sealed if v is not None), default=None)
    return Plan(compiled, main, count, children, polys, dated, sealed_under=sealed_under)


@dataclass(slots=True)
class Page:
    records: list[dict[str, Any]]
    total: int
    next_position: int  # rows returned so far, counting this page
    groups: list[Any] | None = None  # an aggregate's rows, all pages of them


def run_page(
    plan: Plan,
    conn: Connection,
    schema: Schema,
    *,
    position: int,
    batch: int,
    version: str,
    today: dt.date | None = None,
    groups: list[Any] | None = None,
    access: Access = None,
) -> Page:
    """One page of records from ``position`` on; ``today`` (UTC) pins date literals.

    For an aggregate query, ``groups`` are its rows as an earlier page computed them
    (:attr:`Page.groups`), so that this page is cut from them instead of recomputed."""
    if today is None and plan.dated:
        today = _utc_today()  # once, so every statement of the page reads the same day
    c = plan.compiled
    if c.mode == "count":
        total = int(plan.main.run(conn, today, access=access)[0][0])
        if c.limit is not None:
            total = min(total, c.limit)
        return Page([], total, 0)
    if c.mode == "aggregate":
        if groups is None:
            groups = plan.main.run(conn, today, access=access)
        rows = groups[position : position + batch]
        return Page(plan.maker(version)(rows, ()), len(groups), position + len(rows), groups)
    user_off = c.offset or 0
    remaining = None if c.limit is None else c.limit - position
    page_lim = batch if remaining is None else max(0, min(batch, remaining))
    rows = plan.main.run(conn, today, page=(page_lim, user_off + position), access=access) if page_lim else []
    if position == 0 and len(rows) < page_lim:
        total = len(rows)
    elif position == 0 and remaining is not None and len(rows) == remaining:
        total = len(rows)
    else:
        assert plan.count is not None
        counted = max(0, int(plan.count.run(conn, today, access=access)[0][0]) - user_off)
        total = counted if c.limit is None else min(counted, c.limit)
    extras: list[dict[str, Any]] = []
    if rows and plan.children:
        dialect = plan.main.dialect
        id_index = c.shape.id_index
        parent_ids = [r[id_index] for r in rows]
        for _key, child, fk in plan.children:
            extras.append(_children(child, conn, dialect, parent_ids, fk, version, today, access))
    if rows and c.polys:
        extras += [
            _poly(schema, conn, p, {r[i] for r in rows if r[i]}, version, plan.main.dialect)
            for p, i in zip(c.polys, plan.poly_columns, strict=True)
        ]
    records = plan.maker(version)(rows, extras)
    if rows and c.shape.id_index is not None:
        ids = [r[c.shape.id_index] for r in rows]
        fill_formulas(schema, conn, c.shape, ids, records)
    return Page(records, total, position + len(rows))


def _children(
    child: Plan,
    conn: Connection,
    dialect: Dialect,
    parent_ids: list[str],
    fk: int,
    version: str,
    today: dt.date | None,
    access: Access = None,
) -> dict[str, Any]:
    """Each parent's child records as a nested query reply, by parent id."""
    if child.children or child.compiled.polys:
        raise AssertionError("nested subqueries are refused by the compiler")
    if child.compiled.limit == 0:
        return {}  # LIMIT 0: no parent has a child record
    # A LIMIT is applied per parent by the statement itself (compiler._first_per_parent).
    rows = child.main.run(conn, today, ids=dialect.ids_value(parent_ids), access=access)
    groups = child.grouper(version, fk)(rows)
    return {p: {"totalSize": len(r), "done": True, "records": r} for p, r in groups.items()}


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


__all__ = ["Page", "Plan", "Statement", "prepare", "run_page"]
