"""WHERE and HAVING: conditions to SQL, with Salesforce's comparison semantics.

- Text compares case-insensitively (``lower()`` on the column; the value is lowered
  here), except a unique case-sensitive field, which compares exactly, as Salesforce
  documents; ids exactly (15-character ids are widened to 18).
- Logic is two-valued as in SOQL: ``Name != 'x'`` and ``NOT IN`` keep rows whose field
  is null, every other test is false on null. SQL's ``col > x`` is unknown on null, which
  WHERE and HAVING already treat as false, and AND/OR cannot turn an unknown into true;
  only a ``NOT`` above a test can (NOT unknown is unknown, where SOQL wants true). So a
  test gets its ``IS NOT NULL`` guard only where it sits under a NOT (``safe``): the guard
  costs a check per scanned row, and in a plain filter it would never change the result.
- A date literal (``THIS_MONTH``) is a range; its bounds are bound at execution time.
- Every value is a bound parameter; nothing from the query text reaches the SQL text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

import sqlalchemy as sa

from ...core import ids
from ..security.encryption import soql as encrypted
from . import ast
from ._grouping import balanced
from .dates import as_datetimes, date_range
from .errors import InvalidField, InvalidQueryFilterOperator

if TYPE_CHECKING:
    from .compiler import Builder


class Typed(NamedTuple):
    """A compiled expression with the SOQL kind that decides how it compares."""

    sql: Any
    kind: str  # text id multi number int bool date datetime time
    name: str
    nullable: bool = True
    exact: bool = False  # text of a case-sensitive field: compared as written
    # An encrypted field's cipher (security.encryption): compared as ciphertext.
    cipher: Any = None


class _Range(NamedTuple):
    """Day bounds known only at execution time: a date literal, or a date on a datetime."""

    start: Any
    end: Any


_TYPE_NAMES = {
    "number": "double",
    "int": "int",
    "bool": "boolean",
    "date": "date",
    "datetime": "dateTime",
    "time": "time",
}


def _wrong_type(t: Typed) -> InvalidField:
    if t.kind in ("text", "id", "multi"):
        return InvalidField(
            f"value of filter criterion for field '{t.name}' must be of type string "
            "and should be enclosed in quotes",
            fields=[t.name],
        )
    return InvalidField(
        f"value of filter criterion for field '{t.name}' must be of type "
        f"{_TYPE_NAMES.get(t.kind, 'string')} and should not be enclosed in quotes",
        fields=[t.name],
    )


def _bad_operator(op: str, t: Typed) -> InvalidQueryFilterOperator:
    return InvalidQueryFilterOperator(
        f"invalid operator on {_TYPE_NAMES.get(t.kind, 'string')} field: {op} ({t.name})"
    )


def _range(b: Builder, t: Typed, days: Callable[[dt.date], tuple[dt.date, dt.date]]) -> _Range:
    if t.kind == "datetime":
        return _Range(
            b.dynamic(lambda today: as_datetimes(days(today))[0]),
            b.dynamic(lambda today: as_datetimes(days(today))[1]),
        )
    return _Range(b.dynamic(lambda today: days(today)[0]), b.dynamic(lambda today: days(today)[1]))


def value(b: Builder, t: Typed, v: ast.Value) -> Any:
    """The bound parameter for ``v`` compared with ``t``, a _Range, or None for null."""
    if isinstance(v, ast.DateLiteral):
        if t.kind not in ("date", "datetime"):
            raise _wrong_type(t)
        name, n = v.name, v.n
        return _range(b, t, lambda today: date_range(name, n, today))
    if isinstance(v, ast.Currency):
        if t.kind != "number":
            raise _wrong_type(t)
        return b.param(float(v.amount))
    raw = v.value
    if raw is None:
        return None
    kind = t.kind
    if kind in ("text", "multi", "time"):
        if not isinstance(raw, str):
            raise _wrong_type(t)
        return b.param(raw if kind == "time" or t.exact else raw.lower())
    if kind == "id":
        if not isinstance(raw, str):
            raise _wrong_type(t)
        if ids.looks_like_id(raw):
            return b.param(ids.to18(raw[:15]))
        if raw == "":
            return b.param(raw)
        raise InvalidQueryFilterOperator(f"invalid ID field: {raw}")
    if kind in ("number", "int"):
        if isinstance(raw, bool) or not isinstance(raw, int | Decimal):
            raise _wrong_type(t)
        return b.param(int(raw) if kind == "int" and isinstance(raw, int) else float(raw))
    if kind == "bool":
        if not isinstance(raw, bool):
            raise _wrong_type(t)
        return b.param(raw)
    if kind == "date":
        if isinstance(raw, dt.datetime) or not isinstance(raw, dt.date):
            raise _wrong_type(t)
        return b.param(raw)
    if kind == "datetime":
        if isinstance(raw, dt.datetime):
            return b.param(raw.astimezone(dt.UTC).replace(tzinfo=None))
        if isinstance(raw, dt.date):  # a whole day, as a date literal would be
            day = raw
            return _range(b, t, lambda _today: (day, day + dt.timedelta(days=1)))
        raise _wrong_type(t)
    raise _wrong_type(t)


def _left(t: Typed) -> Any:
    return sa.func.lower(t.sql) if t.kind in ("text", "multi") and not t.exact else t.sql


def _guard(t: Typed, pred: Any, *, safe: bool, keep_nulls: bool = False) -> Any:
    """``pred`` with SOQL's answer on a null field: true when ``keep_nulls`` (``!=``),
    else false, spelled out only when ``safe`` asks for a two-valued result."""
    if not t.nullable:
        return pred
    if keep_nulls:
        return sa.or_(t.sql.is_(None), pred)
    return sa.and_(t.sql.isnot(None), pred) if safe else pred


_CMP: dict[str, Callable[[Any, Any], Any]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _compare(t: Typed, op: str, v: Any, safe: bool) -> Any:
    if v is None:
        if op == "=":
            return t.sql.is_(None)
        if op == "!=":
            return t.sql.isnot(None)
        return sa.false()
    if isinstance(v, _Range):
        col = t.sql
        inside = sa.and_(col >= v.start, col < v.end)
        pred = {
            "=": inside,
            "!=": sa.not_(inside),
            "<": col < v.start,
            "<=": col < v.end,
            ">": col >= v.end,
            ">=": col >= v.start,
        }[op]
        return _guard(t, pred, safe=safe, keep_nulls=op == "!=")
    return _guard(t, _CMP[op](_left(t), v), safe=safe, keep_nulls=op == "!=")


def _sealing(b: Builder, cipher: Any) -> None:
    """Note the key version the literals about to be sealed cannot be older than: read
    before sealing, so it is at most the newest version the sealed forms cover."""
    known = cipher.keyring.newest_known()
    held = b.params.sealed_under
    b.params.sealed_under = known if held is None else min(held, known)


def comparison(b: Builder, c: ast.Comparison, safe: bool) -> Any:
    t = b.typed(c.left, where=True)
    if t.cipher is not None:
        if not isinstance(c.right, ast.Literal):
            raise encrypted.not_filterable(t.name)
        texts = encrypted.literal_texts(t.name, [c.right])
        _sealing(b, t.cipher)
        return encrypted.equality(t.cipher, t.sql, t.name, c.op, texts)
    if c.op == "LIKE":
        if t.kind not in ("text", "id"):  # multipicklists take only = != INCLUDES EXCLUDES
            raise _bad_operator("LIKE", t)
        if not isinstance(c.right, ast.Literal) or not isinstance(c.right.value, str):
            raise _wrong_type(t)
        if t.exact:
            return _guard(t, b.dialect.like_exact(t.sql, c.right.value, b.param), safe=safe)
        text = c.right.value.lower()
        folded = sa.func.lower(t.sql)
        like = folded.like(b.param(text), escape="\\")
        bounds = b.dialect.like_bounds(folded, text, b.param)
        return _guard(t, sa.and_(like, *bounds) if bounds else like, safe=safe)
    if t.kind in ("bool", "multi") and c.op not in ("=", "!="):
        raise _bad_operator(c.op, t)
    return _compare(t, c.op, value(b, t, c.right), safe)


def in_list(b: Builder, c: ast.InList, safe: bool) -> Any:
    t = b.typed(c.left, where=True)
    if t.cipher is not None:
        if not all(isinstance(v, ast.Literal) for v in c.values):
            raise encrypted.not_filterable(t.name)
        texts = encrypted.literal_texts(t.name, list(c.values))
        _sealing(b, t.cipher)
        return encrypted.equality(t.cipher, t.sql, t.name, "IN", texts, negated=c.negated)
    if t.kind == "bool":
        raise _bad_operator("IN", t)
    values = [value(b, t, v) for v in c.values]
    plain = [v for v in values if v is not None and not isinstance(v, _Range)]
    # NOT IN is spelled "null, or not a hit": the hit is only looked at on a non-null
    # field, where it is two-valued already.
    safe = safe and not c.negated
    preds = []
    if plain:
        preds.append(_guard(t, _left(t).in_(plain), safe=safe))
    preds += [_compare(t, "=", v, safe) for v in values if isinstance(v, _Range)]
    if any(v is None for v in values):
        preds.append(t.sql.is_(None))
    hit = sa.or_(*preds) if len(preds) > 1 else preds[0]
    if not c.negated:
        return hit
    return sa.or_(t.sql.is_(None), sa.not_(hit)) if t.nullable else sa.not_(hit)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def includes(b: Builder, c: ast.Includes, safe: bool) -> Any:
    t = b.typed(c.left, where=True)
    if t.cipher is not None:
        raise encrypted.not_filterable(t.name)
    if t.kind != "multi":
        raise InvalidQueryFilterOperator(
            "includes or excludes operator only valid on multipicklist field"
        )
    wrapped = b.param(";") + sa.func.lower(t.sql) + b.param(";")
    alternatives = []
    for v in c.values:
        if not isinstance(v, ast.Literal) or not isinstance(v.value, str):
            raise _wrong_type(t)
        terms = [s.strip().lower() for s in v.value.split(";") if s.strip()]
        alternatives.append(
            sa.and_(
                *(wrapped.like(b.param(f"%;{_like_escape(term)};%"), escape="\\") for term in terms)
            )
            if terms
            else sa.false()
        )
    # EXCLUDES is NOT INCLUDES: the hit needs its guard when exactly one NOT is above it.
    hit = _guard(t, sa.or_(*alternatives), safe=safe != c.excludes)
    return sa.not_(hit) if c.excludes else hit


def in_subquery(b: Builder, c: ast.InSubquery) -> Any:
    t = b.typed(c.left, where=True)
    if t.kind != "id":
        raise InvalidQueryFilterOperator(
            f"Invalid operator on field '{t.name}': semi join and anti join subqueries "
            "need an Id or reference field on the left"
        )
    inner = b.semi_join(c.query)
    if c.negated:
        return sa.or_(t.sql.is_(None), t.sql.not_in(inner)) if t.nullable else t.sql.not_in(inner)
    return t.sql.in_(inner)


def _one_field_equalities(c: ast.Or) -> ast.InList | None:
    """``f = v1 OR f = v2 ...`` (one field, plain literals) as ``f IN (v1, v2, ...)``:
    the same rows, and a long chain of them (clients build 1,000-term ones) becomes one
    index lookup instead of a scan comparing every row with every term."""
    first = c.operands[0]
    if not isinstance(first, ast.Comparison) or len(c.operands) < 3:
        return None
    for o in c.operands:
        if not (
            isinstance(o, ast.Comparison)
            and o.op == "="
            and o.left == first.left
            and type(o.right) is ast.Literal
            and o.right.value is not None
        ):
            return None
    values = tuple(o.right for o in c.operands)  # type: ignore[union-attr]
    return ast.InList(first.left, values, False, first.pos)


def condition(b: Builder, c: ast.Condition, *, safe: bool = False) -> Any:
    """A WHERE or HAVING condition; ``safe`` (under an odd number of NOTs) makes every
    test two-valued, since there an unknown would be negated into the wrong answer."""
    if isinstance(c, ast.Comparison):
        return comparison(b, c, safe)
    if isinstance(c, ast.InList):
        return in_list(b, c, safe)
    if isinstance(c, ast.Includes):
        return includes(b, c, safe)
    if isinstance(c, ast.InSubquery):
        return in_subquery(b, c)
    if isinstance(c, ast.And):
        return balanced(sa.and_, [condition(b, o, safe=safe) for o in c.operands])
    if isinstance(c, ast.Or):
        same = _one_field_equalities(c)
        if same is not None:  # a = 1 OR a = 2 ...: one IN list, which an index serves
            return in_list(b, same, safe)
        return balanced(sa.or_, [condition(b, o, safe=safe) for o in c.operands])
    return sa.not_(condition(b, c.operand, safe=not safe))


__all__ = ["Typed", "condition", "value"]
