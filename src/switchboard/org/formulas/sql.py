"""A checked formula → one SQLAlchemy expression, for SOQL WHERE and ORDER BY.

Only what maps onto SQL with the same answer on SQLite and PostgreSQL compiles; the
rest raises :class:`NotSql` and the caller refuses the query (it never filters a page
in Python after LIMIT). The blank rules are the evaluator's: text reads ``''`` when
blank, comparisons and tests never yield NULL, division by zero gives NULL (#Error!),
blank-as-zero fields read 0, and a Text result of ``''`` is NULL as in Python.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol

import sqlalchemy as sa

from .ast import Binary, Call, FieldRef, Literal, Node, Unary
from .compiled import Formula
from .values import FieldInfo, FType


class NotSql(Exception):
    """The formula uses something with no SQL form here."""


class SqlDialect(Protocol):
    def days_between(self, later: Any, earlier: Any) -> Any: ...

    def round_to(self, value: Any, digits: int) -> Any: ...


class SqlTarget(Protocol):
    """Where a compiled formula runs: its references' columns, parameters, today."""

    @property
    def dialect(self) -> SqlDialect: ...

    def reference(self, info: FieldInfo) -> Any: ...  # raises NotSql when unreachable

    def param(self, value: Any) -> Any: ...

    def today(self) -> Any: ...


_TEXTUAL = (FType.TEXT, FType.PICKLIST)
_FALSE = sa.false()


def _truth(expr: Any) -> Any:
    """A condition that is never NULL (NULL counts as false, as in the evaluator)."""
    return sa.func.coalesce(expr, _FALSE)


class _Compiler:
    def __init__(self, formula: Formula, target: SqlTarget) -> None:
        self.typed = formula.typed
        self.target = target
        self.blanks_as_zero = formula.blanks_as_zero

    def t(self, node: Node) -> FType:
        return self.typed.types[id(node)]

    def text(self, node: Node) -> Any:
        return sa.func.coalesce(self.sql(node), "")

    def sql(self, node: Node) -> Any:
        if isinstance(node, Literal):
            if node.value is None:
                return sa.null()
            if isinstance(node.value, bool):
                return sa.true() if node.value else _FALSE
            value = float(node.value) if isinstance(node.value, Decimal) else node.value
            return self.target.param(value)
        if isinstance(node, FieldRef):
            info = self.typed.fields[id(node)]
            col = self.target.reference(info)
            if self.blanks_as_zero and info.ftype is FType.NUMBER:
                return sa.func.coalesce(col, 0.0)
            return col
        if isinstance(node, Unary):
            inner = self.sql(node.operand)
            return (
                sa.not_(_truth(inner)) if node.op == "!" else (-inner if node.op == "-" else inner)
            )
        if isinstance(node, Binary):
            return self.binary(node)
        assert isinstance(node, Call)
        handler = _CALLS.get(node.name)
        if handler is None:
            raise NotSql(node.name)
        return handler(self, node)

    def binary(self, node: Binary) -> Any:
        op, lt, rt = node.op, self.t(node.left), self.t(node.right)
        text = FType.TEXT in (lt, rt)
        if op in ("&&", "||"):
            a, b = _truth(self.sql(node.left)), _truth(self.sql(node.right))
            return sa.and_(a, b) if op == "&&" else sa.or_(a, b)
        if op == "&" or (op == "+" and text):
            return self.text(node.left).op("||")(self.text(node.right))
        if op in ("=", "!="):
            a, b = (self.text(node.left), self.text(node.right)) if text else (
                self.sql(node.left), self.sql(node.right))  # fmt: skip
            same = a == b if text else sa.func.coalesce(a == b, sa.and_(a.is_(None), b.is_(None)))
            return sa.not_(same) if op == "!=" else same
        if op in ("<", ">", "<=", ">="):
            a, b = (self.text(node.left), self.text(node.right)) if text else (
                self.sql(node.left), self.sql(node.right))  # fmt: skip
            return _truth(a.op(op, is_comparison=True)(b))
        if FType.NUMBER is lt is rt:
            a, b = self.sql(node.left), self.sql(node.right)
            if op == "/":
                return sa.cast(a, sa.Float) / sa.func.nullif(b, 0)
            if op in ("+", "-", "*"):
                return a.op(op)(b)
        if op == "-" and lt is rt is FType.DATE:
            return self.target.dialect.days_between(self.sql(node.left), self.sql(node.right))
        raise NotSql(op)

    def args(self, node: Call) -> list[Any]:
        return [self.sql(a) for a in node.args]


def _if(c: _Compiler, n: Call) -> Any:
    cond, yes, no = c.args(n)
    return sa.case((_truth(cond), yes), else_=no)


def _case(c: _Compiler, n: Call) -> Any:
    textual = c.t(n.args[0]) in _TEXTUAL
    pick: Callable[[Node], Any] = c.text if textual else c.sql
    subject, rest = pick(n.args[0]), n.args[1:]
    whens = [(subject == pick(rest[i]), c.sql(rest[i + 1])) for i in range(0, len(rest) - 1, 2)]
    return sa.case(*whens, else_=c.sql(rest[-1]))


def _logic(fn: Callable[..., Any]) -> Callable[[_Compiler, Call], Any]:
    return lambda c, n: fn(*[_truth(a) for a in c.args(n)])


def _isblank(c: _Compiler, n: Call) -> Any:
    if c.t(n.args[0]) in _TEXTUAL:
        return c.text(n.args[0]) == ""
    return c.sql(n.args[0]).is_(None)


def _isnull(c: _Compiler, n: Call) -> Any:
    return _FALSE if c.t(n.args[0]) in _TEXTUAL else c.sql(n.args[0]).is_(None)


def _blankvalue(c: _Compiler, n: Call) -> Any:
    value, other = c.args(n)
    if c.t(n.args[0]) in _TEXTUAL:
        return sa.case((c.text(n.args[0]) == "", other), else_=value)
    return sa.func.coalesce(value, other)


def _nullvalue(c: _Compiler, n: Call) -> Any:
    if c.t(n.args[0]) in _TEXTUAL:
        return c.sql(n.args[0])
    return sa.func.coalesce(*c.args(n))


def _ispickval(c: _Compiler, n: Call) -> Any:
    return c.text(n.args[0]) == c.target.param(n.args[1].value)  # type: ignore[attr-defined]


def _text1(fn: Callable[[Any], Any]) -> Callable[[_Compiler, Call], Any]:
    return lambda c, n: fn(c.text(n.args[0]))


def _join(*parts: Any) -> Any:
    out = parts[0]
    for part in parts[1:]:
        out = out.op("||")(part)
    return out


def _image(c: _Compiler, n: Call) -> Any:
    if len(n.args) != 2:
        raise NotSql("IMAGE with a size")
    p = c.target.param
    return _join(p('<img src="'), c.text(n.args[0]), p('" alt="'), c.text(n.args[1]),
                 p('" border="0"/>'))  # fmt: skip


def _hyperlink(c: _Compiler, n: Call) -> Any:
    p = c.target.param
    target = c.text(n.args[2]) if len(n.args) > 2 else p("_blank")
    return _join(p('<a href="'), c.text(n.args[0]), p('" target="'), target, p('">'),
                 c.text(n.args[1]), p("</a>"))  # fmt: skip


_CALLS: dict[str, Callable[[_Compiler, Call], Any]] = {
    "IMAGE": _image,
    "HYPERLINK": _hyperlink,
    "IF": _if,
    "CASE": _case,
    "AND": _logic(sa.and_),
    "OR": _logic(sa.or_),
    "NOT": lambda c, n: sa.not_(_truth(c.sql(n.args[0]))),
    "ISBLANK": _isblank,
    "ISNULL": _isnull,
    "BLANKVALUE": _blankvalue,
    "NULLVALUE": _nullvalue,
    "ISPICKVAL": _ispickval,
    "ABS": lambda c, n: sa.func.abs(c.sql(n.args[0])),
    "LEN": _text1(sa.func.length),
    "UPPER": _text1(sa.func.upper),
    "LOWER": _text1(sa.func.lower),
    "TODAY": lambda c, n: c.target.today(),
}


def to_sql(formula: Formula, target: SqlTarget) -> Any:
    """The formula as one SQL expression over ``target``'s columns; raises NotSql."""
    c = _Compiler(formula, target)
    expr = c.sql(formula.typed.root)
    if formula.ftype is FType.BOOLEAN:
        return _truth(expr)
    if formula.ftype is FType.TEXT:
        return sa.func.nullif(expr, "")
    if formula.ftype is FType.NUMBER and formula.scale is not None:
        return target.dialect.round_to(expr, formula.scale)
    return expr


__all__ = ["NotSql", "SqlDialect", "SqlTarget", "to_sql"]
