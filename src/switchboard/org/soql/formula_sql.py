"""Formula fields in SOQL WHERE and ORDER BY: the formula compiled into the query's SQL.

A reference to a field of the record reads the column of the table (or join alias)
holding the formula field; one through lookups reads a correlated subquery per hop; a
reference to another formula field inlines that formula. A formula with no SQL form
(``$User``, a function SQL lacks here) refuses the query with INVALID_FIELD naming the
field, rather than filter a page in Python after LIMIT and OFFSET cut it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from ..errors import InvalidField
from ..formulas.schema_scope import follow
from ..formulas.sql import NotSql, to_sql
from ..formulas.values import FieldInfo
from ..schema.model import FieldDef, ObjectDef
from ..schema.registry import Schema
from .dialects import Dialect

# A formula reading formulas reading formulas: inlining stops here.
_MAX_INLINE = 5


class _Target:
    def __init__(
        self,
        schema: Schema,
        obj: ObjectDef,
        table: Any,
        dialect: Dialect,
        param: Callable[[Any], Any],
        dynamic: Callable[[Callable[[dt.date], Any]], Any],
        depth: int,
    ) -> None:
        self.schema, self.obj, self.table = schema, obj, table
        self.dialect = dialect
        self._param, self._dynamic, self.depth = param, dynamic, depth

    def param(self, value: Any) -> Any:
        return self._param(value)

    def today(self) -> Any:
        return self._dynamic(lambda day: day)

    def reference(self, info: FieldInfo) -> Any:
        if info.root != "record":
            raise NotSql(info.name)
        obj, chain = self.obj, []
        for rel in info.key[:-1]:
            hop = follow(obj, rel, self.schema.get)
            if hop is None:
                raise NotSql(info.name)
            chain.append(hop)
            obj = hop[1]
        f = obj.field(info.key[-1])
        if f is None:
            raise NotSql(info.name)
        if not chain:
            return self._value(obj, self.table, f)
        # Account.Owner.Name: SELECT (SELECT u.name FROM user u WHERE u.id = a.ownerid)
        # FROM account a WHERE a.id = t.accountid, innermost hop first.
        aliases = [self.schema.table(parent).alias() for _, parent in chain]
        value = self._value(obj, aliases[-1], f)
        for i in range(len(chain) - 1, -1, -1):
            lookup = chain[i][0]
            fk = (self.table if i == 0 else aliases[i - 1]).c[lookup.column]
            value = sa.select(value).where(aliases[i].c.id == fk).scalar_subquery()
        return value

    def _value(self, obj: ObjectDef, table: Any, f: FieldDef) -> Any:
        if f.stored:
            return table.c[f.column]
        if f.calculated and f.formula and self.depth < _MAX_INLINE:
            return formula_expression(
                self.schema, obj, f, table, self.dialect, self._param, self._dynamic, self.depth + 1
            )
        raise NotSql(f.name)


def formula_expression(
    schema: Schema,
    obj: ObjectDef,
    f: FieldDef,
    table: Any,
    dialect: Dialect,
    param: Callable[[Any], Any],
    dynamic: Callable[[Callable[[dt.date], Any]], Any],
    depth: int = 0,
) -> Any:
    """The SQL of formula field ``f`` of ``obj`` over ``table``; raises InvalidField."""
    formula = next((fm for fd, fm in schema.formulas(obj).fields if fd.name == f.name), None)
    if formula is None:
        raise _refused(f)
    target = _Target(schema, obj, table, dialect, param, dynamic, depth)
    try:
        return to_sql(formula, target)
    except NotSql:
        if depth:
            raise
        raise _refused(f) from None


def _refused(f: FieldDef) -> InvalidField:
    return InvalidField(
        f"field '{f.name}' can not be filtered or sorted in a query: its formula uses a "
        "function or reference that is only evaluated when records are read",
        fields=[f.name],
    )


__all__ = ["formula_expression"]
