"""The SOQL compiler: an AST to SQLAlchemy Core statements plus record templates.

One query level compiles to one SELECT over its FROM table LEFT OUTER JOINed to the
parents its paths reach. Child subqueries compile to their own plans, run once per
page for all parent ids; polymorphic lookups are resolved after the page, one query per
target type. Aggregate queries are compiled by :mod:`.aggregates`.

Every value is a bound parameter; bounds of date literals are ``dynamic`` parameters
computed at execution time, and ``_lim``/``_off``/``_ids`` are supplied by the executor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.sql import visitors

from ...core.fieldtypes import COMPOUND_TYPES, NUMBER_TYPES, TEXT_TYPES, FieldType
from ..schema.model import FieldDef, ObjectDef
from ..schema.registry import Schema
from ..security.encryption import soql as encrypted
from ..security.encryption.column import cipher_of
from ..security.principal import Principal
from ..security.sharing.predicate import READ_ACCESS, access_predicate, owner_slot, owners_alone
from ..security.sharing.tables import owner_index
from . import access, ast
from .dialects import Dialect
from .errors import InvalidType, MalformedQuery
from .filters import Typed, condition
from .formula_sql import formula_expression
from .resolve import Resolved, Scope, lookup_object, no_such_column, no_such_relationship
from .shape import BLOB, CHILD, COMPOUND, FIELD, NULL, POLY, RecordShape, field_converter

MAX_OFFSET = 2000
FIELDS_LIMIT = 200
_PASS_THROUGH = frozenset({"TOLABEL", "FORMAT", "CONVERTCURRENCY"})


def kind_of(f: FieldDef) -> str:
    t = f.type
    if t in (FieldType.ID, FieldType.REFERENCE):
        return "id"
    if t == FieldType.MULTIPICKLIST:
        return "multi"
    if t in TEXT_TYPES:
        return "text"
    if t == FieldType.INT:
        return "int"
    if t in NUMBER_TYPES:
        return "number"
    return {
        FieldType.BOOLEAN: "bool",
        FieldType.DATE: "date",
        FieldType.DATETIME: "datetime",
        FieldType.TIME: "time",
    }.get(t, "text")


@dataclass(slots=True)
class Params:
    """Parameter names of one statement; values of dynamic ones come at execution."""

    dialect: Dialect
    count: int = 0
    dynamic: list[tuple[str, Callable[[dt.date], Any]]] = field(default_factory=list)
    # The newest key version held when literals compared with an encrypted field were
    # sealed (None: none were); the engine re-plans when the database has moved past it.
    sealed_under: int | None = None


@dataclass(slots=True)
class PolyRef:
    """A polymorphic lookup in the SELECT list (``What.Name`` or TYPEOF)."""

    key: str
    ref: FieldDef
    plain: list[str] = field(default_factory=list)
    whens: dict[str, list[str]] = field(default_factory=dict)
    else_: list[str] = field(default_factory=list)
    typeof: bool = False


@dataclass(slots=True)
class Compiled:
    """A query level before it is turned into driver SQL."""

    obj: ObjectDef
    stmt: Any
    mode: str  # records | aggregate | count
    shape: RecordShape
    params: Params
    limit: int | None = None
    offset: int | None = None
    children: list[tuple[str, Compiled, int]] = field(default_factory=list)  # key, plan, fk idx
    polys: list[PolyRef] = field(default_factory=list)
    count_stmt: Any = None


class Builder:
    """Compiles one query level; nested levels get their own Builder."""

    def __init__(
        self,
        schema: Schema,
        scope: Scope,
        params: Params,
        *,
        all_rows: bool = False,
        principal: Principal | None = None,
        mode: str | None = None,
        alone: bool = False,
        owners: int = 0,
    ) -> None:
        self.schema = schema
        # The caller has no users below their role, or a list of ``owners`` slots holds
        # them and the caller (sharing.predicate).
        self.alone = alone
        self.owners = owners
        # Whose query this is; None compiles in the org's own (system) context.
        self.principal = principal
        # The query's WITH SECURITY_ENFORCED / USER_MODE / SYSTEM_MODE (soql.access).
        self.mode = mode
        self.scope = scope
        self.params = params
        self.dialect = params.dialect
        self.all_rows = all_rows
        self.columns: list[Any] = []
        self._column_at: dict[Any, int] = {}

    # -- parameters ---------------------------------------------------------------------
    def param(self, value: Any) -> Any:
        self.params.count += 1
        return sa.bindparam(f"p{self.params.count}", self.dialect.bind(value))

    def dynamic(self, fn: Callable[[dt.date], Any]) -> Any:
        self.params.count += 1
        name = f"d{self.params.count}"
        self.params.dynamic.append((name, fn))
        return sa.bindparam(name, None)

    # -- expressions --------------------------------------------------------------------
    def column(self, expr: Any) -> int:
        key = expr if isinstance(expr, sa.ColumnClause | sa.Column) else id(expr)
        found = self._column_at.get(key)
        if found is None:
            found = len(self.columns)
            self.columns.append(expr.label(f"c{found}"))
            self._column_at[key] = found
        return found

    def resolve(self, f: ast.Field) -> Resolved:
        r = self.scope.resolve(f)
        if access.enforced(self.principal) is not None and r.poly is None:
            if r.join is not None and not access.can_read_object(self.principal, r.obj):
                raise no_such_relationship(r.join.names[-1])
            if not access.can_read(self.principal, r.obj, r.field):
                raise access.refuse_field(self.mode, f.name, r.obj)
        return r

    def typed(self, e: ast.Expr, *, where: bool = False) -> Typed:
        if isinstance(e, ast.Field):
            r = self.resolve(e)
            if r.poly is not None:
                return self._poly_typed(r, e)
            if r.column is None:
                if r.field.calculated and r.field.formula:
                    return self._formula_typed(r)
                raise no_such_column(e.name, r.obj)
            # Through a LEFT OUTER JOIN even a required parent field can be null.
            nullable = r.field.nillable or r.join is not None
            kind = kind_of(r.field)
            exact = kind == "text" and r.field.case_sensitive
            cipher = cipher_of(r.column) if r.field.encrypted else None
            return Typed(r.column, kind, r.field.name, nullable, exact, cipher)
        if isinstance(e, ast.Function):
            return self.function(e)
        raise MalformedQuery(f"unexpected literal: {e.text}")

    def _formula_typed(self, r: Resolved) -> Typed:
        """A formula field in WHERE or ORDER BY: its formula as SQL (formula_sql)."""
        table = r.join.table if r.join is not None else self.scope.table
        expr = formula_expression(
            self.schema, r.obj, r.field, table, self.dialect, self.param, self.dynamic
        )
        return Typed(expr, kind_of(r.field), r.field.name, True, False)

    def _poly_typed(self, r: Resolved, e: ast.Field) -> Typed:
        """``What.Type`` filters by key prefix; ``What.Id`` is the lookup itself."""
        name = (r.poly_field or "").lower()
        if name == "id":
            return Typed(r.column, "id", r.poly.name if r.poly else "")
        if name == "type":
            return Typed(_prefix_type(self.schema, r), "text", e.name)
        if name == "name":
            return Typed(_target_name(self.schema, r), "text", e.name)
        raise no_such_column(e.name, r.obj)

    def function(self, fn: ast.Function) -> Typed:
        if fn.name in _PASS_THROUGH and fn.args:
            return self.typed(fn.args[0])
        if fn.is_date_function:
            arg = self.typed(fn.args[0])
            if arg.kind not in ("date", "datetime"):
                raise MalformedQuery(f"Invalid field for date function {fn.name}: {arg.name}")
            kind = "date" if fn.name == "DAY_ONLY" else "int"
            return Typed(self.dialect.date_function(fn.name, arg.sql), kind, fn.name)
        if fn.name == "CONVERTTIMEZONE" and fn.args:
            return self.typed(fn.args[0])
        if fn.is_aggregate:
            from .aggregates import aggregate_expr

            return aggregate_expr(self, fn)
        raise MalformedQuery(f"function {fn.name} is not supported here")

    def semi_join(self, q: ast.Query) -> Any:
        obj = lookup_object(self.schema, q.from_.object)
        access.check_object(self.principal, obj, q.from_.object)
        scope = Scope(self.schema, obj, q.from_.alias, self.scope.depth + 1)
        inner = Builder(
            self.schema,
            scope,
            self.params,
            all_rows=self.all_rows,
            principal=self.principal,
            mode=self.mode,
            alone=self.alone,
            owners=self.owners,
        )
        if len(q.select) != 1 or not isinstance(q.select[0], ast.Field):
            raise MalformedQuery("semi join sub-selects can only select one Id or reference field")
        if q.offset is not None:  # never allowed in a WHERE subquery, as the docs say
            raise MalformedQuery("OFFSET is not allowed in a semi join or anti join subquery")
        t = inner.typed(q.select[0])
        if t.kind != "id":
            raise MalformedQuery(
                f"semi join sub-selects can only query id fields, cannot use: '{q.select[0].name}'"
            )
        where = [t.sql.isnot(None)]
        if not self.all_rows:
            where.append(scope.live())
        where += inner.sharing()
        if q.where is not None:
            where.append(condition(inner, q.where))
        return sa.select(t.sql).select_from(scope.from_clause()).where(*where)

    def sharing(self) -> list[Any]:
        """The record-sharing predicate of this level's object for the principal (the
        user and role are bind parameters the executor fills in), if any applies."""
        found = access_predicate(
            self.schema,
            self.scope.obj,
            self.scope.table,
            self.principal,
            READ_ACCESS,
            depth=self.scope.depth * 8,
            in_select=self.dialect.in_select,
            owned_by=self.dialect.owned_by,
            owner_list=self.dialect.owner_list,
            alone=self.alone,
            owners=self.owners,
        )
        return [] if found is None else [found]

    # -- ORDER BY -----------------------------------------------------------------------
    def order_by(self, items: tuple[ast.OrderItem, ...]) -> list[Any]:
        return [_ordered(*term[1:]) for term in self.order_terms(items)]

    def order_terms(self, items: tuple[ast.OrderItem, ...]) -> list[OrderTerm]:
        """Each ORDER BY item as (its column, the sort expression, descending, nulls
        first); nulls first is None for a field that is never null."""
        out = []
        for item in items:
            t = self.typed(item.expr)
            if t.cipher is not None:
                raise encrypted.not_sortable(t.name)
            expr = sa.func.lower(t.sql) if t.kind in ("text", "multi") else t.sql
            # No NULLS clause on a field that is never null (Id): PostgreSQL can only
            # walk an index in its own null order, and the clause would cost a sort.
            nulls_first = None
            if t.nullable:
                nulls_first = item.nulls == "FIRST" if item.nulls else not item.descending
            out.append(OrderTerm(t.sql, expr, item.descending, nulls_first))
        return out

    def owner_arms(self, terms: list[OrderTerm], filtered: Any) -> list[Any] | None:
        """``OwnerId = :slot`` for each slot of the owner list, when this level's rows
        are better read as one arm per owner merged in order (:func:`_merged`): the
        sharing predicate is the owner list alone, the dialect merges that many arms, the
        order leads with the owner index's Name ascending (its own order), and the
        query's filter (``filtered``) reads a column the index does not hold. Only then
        does the walk of Name's index pay for its entries of other owners: it tests the
        filter on the row of every visible entry and keeps a few, so each kept row costs
        1/(visible share) entries more; a filter the index entry answers (Name LIKE
        'b%', a range of that walk) or none costs the walk about 3 entries a row, less
        than a row's way through the merge (bench/security.py's data, SQLite, the
        director's Industry = 'Banking' ORDER BY Name LIMIT 200 through the engine: 3.6
        ms merged, 5.1 ms walked, 3.1 ms as the administrator; without a filter, or with
        Name LIKE 'b%', the merge read slower than the walk)."""
        obj, table = self.scope.obj, self.scope.table
        if not 1 < self.owners <= self.dialect.owner_arms or self.all_rows or not terms:
            return None
        index = owner_index(obj)
        if index is None or filtered is None:
            return None
        held = {column for column, _ in index.parts}
        lead = terms[0]
        if lead.column is not table.c[index.parts[2][0]] or lead.descending:
            return None
        if lead.nulls_first is False or not owners_alone(self.schema, obj, self.principal):
            return None
        if not _reads_rows(filtered, table, held):
            return None
        return [table.c.ownerid == owner_slot(i) for i in range(1, self.owners + 1)]


def _reads_rows(expr: Any, table: Any, held: set[str]) -> bool:
    """Whether ``expr`` reads a column other than ``held`` ones of ``table`` (another
    table's, a subquery's): a test made on the row, not on an index entry."""
    for element in visitors.iterate(expr):
        if isinstance(element, sa.ColumnClause) and (
            element.table is not table or element.key not in held
        ):
            return True
    return False


class OrderTerm(NamedTuple):
    column: Any  # the field's own column (or expression), as resolved
    expr: Any  # what rows sort by: lower(column) for text
    descending: bool
    nulls_first: bool | None  # None: never null, no NULLS clause


def _ordered(expr: Any, descending: bool, nulls_first: bool | None) -> Any:
    out = expr.desc() if descending else expr.asc()
    if nulls_first is None:
        return out
    return out.nulls_first() if nulls_first else out.nulls_last()


def _merged(b: Builder, where: list[Any], arms: list[Any], terms: list[OrderTerm]) -> Any:
    """The level's rows as one SELECT per owner (``arms``, each ``OwnerId = :slot``)
    under UNION ALL, ordered: the database merges the arms, each an owner's range of the
    owner index read in order, so a page reads about as many entries and rows as it
    returns, where the IN test walks the whole order's index and keeps a fraction
    (bench/security.py, SQLite: the director sees 26% of rows, ``Industry = 'Banking'
    ORDER BY Name LIMIT 200`` walks 5,400 entries to keep 200). The sort keys ride along
    as extra columns (a compound ORDER BY names its result columns); the record makers
    read the columns before them. The slots past the list's end hold an id no OwnerId
    equals (``NO_OWNER``), so no owner's rows come twice."""
    keys = [t.expr.label(f"k{i}") for i, t in enumerate(terms)]
    selects = [
        sa.select(*b.columns, *keys).select_from(b.scope.from_clause()).where(*where, arm)
        for arm in arms
    ]
    order = [
        _ordered(sa.literal_column(f"k{i}"), t.descending, t.nulls_first)
        for i, t in enumerate(terms)
    ]
    return sa.union_all(*selects).order_by(*order)


def _prefix_type(schema: Schema, r: Resolved) -> Any:
    """The object name of a polymorphic lookup's target, from the id's key prefix."""
    assert r.poly is not None
    whens = []
    for name in r.poly.reference_to:
        target = schema.get(name)
        if target is not None:
            whens.append((sa.func.substr(r.column, 1, 3) == target.key_prefix, target.name))
    return sa.case(*whens, else_=sa.null()) if whens else sa.null()


def _target_name(schema: Schema, r: Resolved) -> Any:
    """The name of a polymorphic lookup's target (``What.Name`` in WHERE or ORDER BY):
    each target's name field, looked up by id; key prefixes keep at most one non-null."""
    assert r.poly is not None
    names = []
    for i, name in enumerate(r.poly.reference_to):
        target = schema.get(name)
        field_ = target.name_field if target is not None else None
        if target is None or field_ is None or not field_.stored:
            continue
        t = schema.table(target).alias(f"n{i}")
        names.append(sa.select(t.c[field_.column]).where(t.c.id == r.column).scalar_subquery())
    if not names:
        return sa.null()
    return names[0] if len(names) == 1 else sa.func.coalesce(*names)


# -- records -------------------------------------------------------------------------
def _check_paging(q: ast.Query) -> None:
    if q.offset is not None and q.offset > MAX_OFFSET:
        raise MalformedQuery(f"Maximum SOQL offset allowed is {MAX_OFFSET}")


def _select_field(b: Builder, shape: RecordShape, item: ast.Field, polys: list[PolyRef]) -> None:
    r = b.resolve(item)
    if r.poly is not None:
        key = r.poly.relationship_name or r.poly.name
        poly = next((p for p in polys if p.key == key and not p.typeof), None)
        if poly is None:
            poly = PolyRef(key, r.poly)
            polys.append(poly)
            shape.add(POLY, key, len(polys) - 1, b.column(r.column))
        if r.poly_field and r.poly_field.lower() not in (n.lower() for n in poly.plain):
            poly.plain.append(r.poly_field)
        return
    target = shape
    if r.join is not None:
        names = r.join.names
        for depth in range(1, len(names) + 1):
            join = b.scope.joins[tuple(n.lower() for n in names[:depth])]
            target = target.parent(names[depth - 1], join.obj.name, b.column(join.table.c.id))
    fd = r.field
    if fd.type in (FieldType.ADDRESS, FieldType.LOCATION):
        parts = [
            (key, b.column(col), field_converter(c, b.dialect))
            for key, c, col in b.scope.components(r)
            if access.can_read(b.principal, r.obj, c)
        ]
        target.add(COMPOUND, fd.name, parts)
    elif fd.blob:
        target.add(BLOB, fd.name)
    elif r.column is None:
        target.add(NULL, fd.name)
    else:
        conv = field_converter(fd, b.dialect)
        cipher = cipher_of(r.column) if fd.encrypted else None
        if cipher is not None:
            conv = encrypted.opening(cipher, conv)
        target.add(FIELD, fd.name, b.column(r.column), conv)


def _fields_selector(b: Builder, q: ast.Query, item: ast.FieldsSelector) -> list[ast.Field]:
    if item.kind in ("ALL", "CUSTOM") and (q.limit is None or q.limit > FIELDS_LIMIT):
        raise MalformedQuery(
            f"The SOQL FIELDS function must have a LIMIT of at most {FIELDS_LIMIT}"
        )
    obj = b.scope.obj
    wanted = [
        f
        for f in obj.fields.values()
        if item.kind == "ALL" or (f.custom if item.kind == "CUSTOM" else not f.custom)
    ]
    # An address or geolocation stands for its components, which are left to it; a
    # person name's parts (FirstName, LastName, ...) are ordinary fields beside the Name
    # text, so they stay.
    structured = {f.name.lower() for f in obj.fields.values() if f.type in COMPOUND_TYPES}
    return [
        ast.Field((f.name,), item.pos)
        for f in wanted
        if (f.compound_field_name or "").lower() not in structured
        and access.can_read(b.principal, obj, f)
    ]


def _typeof(b: Builder, shape: RecordShape, item: ast.TypeOf, polys: list[PolyRef]) -> None:
    if len(item.field.path) != 1:
        raise no_such_relationship(item.field.name)
    ref = b.scope.obj.by_relationship(item.field.path[0])
    if ref is None:
        raise no_such_relationship(item.field.name)
    poly = PolyRef(ref.relationship_name or ref.name, ref, typeof=True)
    allowed = {n.lower() for n in ref.reference_to}
    for when in item.whens:
        target = lookup_object(b.schema, when.object)
        if target.name.lower() not in allowed:
            raise InvalidType(f"TYPEOF: '{when.object}' is not a type of {item.field.name}")
        names = []
        for f in when.fields:
            fd = b.schema.field(target, f.name) if len(f.path) == 1 else None
            if fd is None:
                raise no_such_column(f.name, target)
            names.append(fd.name)
        poly.whens[target.name.lower()] = names
    poly.else_ = [f.name for f in item.else_]
    polys.append(poly)
    shape.add(POLY, poly.key, len(polys) - 1, b.column(b.scope.table.c[ref.column]))


def _child(b: Builder, shape: RecordShape, sub: ast.Subquery, out: Compiled) -> None:
    q = sub.query
    rel = q.from_.object
    found = next(
        (c for c in b.schema.children(b.scope.obj) if c.name and c.name.lower() == rel.lower()),
        None,
    )
    if found is not None and not access.can_read_object(b.principal, found.child):
        found = None  # a child the user cannot read is no relationship of theirs
    if found is None:
        raise InvalidType(
            f"Didn't understand relationship '{rel}' in FROM part of query call. If you are "
            "attempting to use a custom relationship, be sure to append the '__r' after the "
            "custom relationship name. Please reference your WSDL or the describe call for "
            "the appropriate names."
        )
    scope = Scope(b.schema, found.child, q.from_.alias, b.scope.depth + 1)
    params = Params(b.dialect)
    inner = Builder(
        b.schema,
        scope,
        params,
        all_rows=b.all_rows,
        principal=b.principal,
        mode=b.mode,
        alone=b.alone,
        owners=b.owners,
    )
    fk = scope.table.c[found.field.column]
    ids: Any = sa.bindparam("_ids", None)
    fk_index = inner.column(fk)
    plan = compile_level(inner, q, extra_where=[b.dialect.in_ids(fk, ids)], child=fk)
    out.children.append((found.name or rel, plan, fk_index))
    shape.add(CHILD, found.name or rel, len(out.children) - 1, shape.id_index)


def compile_level(
    b: Builder,
    q: ast.Query,
    *,
    extra_where: list[Any] | None = None,
    child: sa.ColumnElement[Any] | None = None,
) -> Compiled:
    """Compile one query level: the top query, or a child subquery when ``child`` is the
    column of its foreign key to the parent."""
    _check_paging(q)
    for related in (q.from_.related,):
        b.scope.add_related(related)
    has_aggregate = any(isinstance(i, ast.Function) and i.is_aggregate for i in q.select) or (
        q.group_by is not None
    )
    where = list(extra_where or [])
    if not b.all_rows:
        where.append(b.scope.live())
    # Sharing is part of the statement, so COUNT(), GROUP BY, LIMIT/OFFSET and child
    # rows all see exactly the visible records.
    shared = b.sharing()
    unshared = list(where)
    where += shared
    filtered = None
    if q.where is not None:
        filtered = condition(b, q.where)
        where.append(filtered)
        unshared.append(filtered)
    if has_aggregate:
        if child is not None:
            raise MalformedQuery("Aggregate functions are not supported in subqueries")
        from .aggregates import compile_aggregate

        return compile_aggregate(b, q, where)
    shape = RecordShape(b.scope.obj.name, b.column(b.scope.table.c.id))
    out = Compiled(b.scope.obj, None, "records", shape, b.params, q.limit, q.offset)
    for item in q.select:
        if isinstance(item, ast.Field):
            _select_field(b, shape, item, out.polys)
        elif isinstance(item, ast.FieldsSelector):
            for f in _fields_selector(b, q, item):
                _select_field(b, shape, f, out.polys)
        elif isinstance(item, ast.TypeOf):
            _typeof(b, shape, item, out.polys)
        elif isinstance(item, ast.Subquery):
            if child is not None:
                raise MalformedQuery("Nested subqueries are not supported")
            if item.query.offset is not None and q.limit != 1:
                # Salesforce allows a child subquery's OFFSET only under a parent LIMIT 1.
                raise MalformedQuery(
                    "OFFSET is allowed in a subquery only when the outer query has LIMIT 1"
                )
            _child(b, shape, item, out)
        elif isinstance(item, ast.Function) and item.name in _PASS_THROUGH and item.args:
            arg = item.args[0]
            if not isinstance(arg, ast.Field):
                raise MalformedQuery(f"{item.name} needs a field")
            _select_field(b, shape, arg, out.polys)
        else:
            raise MalformedQuery(
                f"Only aggregate expressions use field aliasing: {getattr(item, 'name', '')}"
            )
    terms = b.order_terms(q.order_by)
    order = [_ordered(*t[1:]) for t in terms]
    order.append(b.scope.table.c.id.asc())  # a total order, so pages never overlap
    base = sa.select(*b.columns).select_from(b.scope.from_clause()).where(*where)
    out.count_stmt = base.with_only_columns(sa.func.count()).order_by(None)
    out.stmt = base.order_by(*order)
    if child is not None and (q.limit is not None or q.offset):
        out.stmt = _first_per_parent(base, child, order, q.limit, q.offset or 0)
    arms = b.owner_arms(terms, filtered) if child is None else None
    if arms is not None:
        id_col = b.scope.table.c.id
        out.stmt = _merged(b, unshared, arms, [*terms, OrderTerm(id_col, id_col, False, None)])
    return out


def _first_per_parent(
    base: Any, fk: sa.ColumnElement[Any], order: list[Any], limit: int | None, skip: int
) -> Any:
    """A child level's rows cut to its OFFSET and LIMIT per parent in SQL: each row
    numbered within its parent in the level's own total order (nulls placed as in ORDER
    BY, ties broken by Id), the first ``skip`` dropped and the next ``limit`` kept. Ordered
    by that number, the rows of one parent still come in query order, which is all the
    grouping of child rows needs."""
    rn = sa.func.row_number().over(partition_by=fk, order_by=order).label("rn")
    numbered = base.add_columns(rn).subquery("w")
    cols = [c for c in numbered.c if c.key != "rn"]
    # OFFSET and LIMIT are integers of the query, written in like the top level's bounds.
    keep = []
    if skip:
        keep.append(numbered.c.rn > sa.literal_column(str(int(skip))))
    if limit is not None:
        keep.append(numbered.c.rn <= sa.literal_column(str(int(skip) + int(limit))))
    return sa.select(*cols).where(*keep).order_by(numbered.c.rn)


def compile_query(
    schema: Schema,
    q: ast.Query,
    dialect: Dialect,
    *,
    all_rows: bool = False,
    principal: Principal | None = None,
    alone: bool = False,
    owners: int = 0,
) -> Compiled:
    """``alone``: the caller has no users below their role, so every level's sharing
    predicate takes its OwnerId = :user form; ``owners``: ownership is OwnerId IN a list
    of that many bound slots (sharing.predicate)."""
    obj = lookup_object(schema, q.from_.object)
    access.check_object(principal, obj, q.from_.object)
    scope = Scope(schema, obj, q.from_.alias)
    mode = q.with_.mode if isinstance(q.with_, ast.WithMode) else None
    b = Builder(
        schema,
        scope,
        Params(dialect),
        all_rows=all_rows,
        principal=principal,
        mode=mode,
        alone=alone,
        owners=owners,
    )
    return compile_level(b, q)


__all__ = ["Builder", "Compiled", "Params", "PolyRef", "compile_query", "kind_of"]
