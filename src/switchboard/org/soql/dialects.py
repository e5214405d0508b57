"""What differs between the store backends, in one registry keyed by dialect name.

The compiler builds one SQLAlchemy statement for both backends; the few places where
SQLite and PostgreSQL spell things differently (date parts, "id in this list of ids",
the driver's form of a datetime) ask the :class:`Dialect` of the connection.
Plans are executed through the driver with precompiled SQL, so bound values are put in
the driver's form here rather than by SQLAlchemy's type processors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from ...core.clock import format_datetime
from ..security.sharing.predicate import NO_OWNER, OWNERS_PARAM

# Date functions as parts: (SQLite strftime format, PostgreSQL EXTRACT field).
_PARTS: dict[str, tuple[str, str]] = {
    "CALENDAR_YEAR": ("%Y", "year"),
    "FISCAL_YEAR": ("%Y", "year"),
    "CALENDAR_MONTH": ("%m", "month"),
    "FISCAL_MONTH": ("%m", "month"),
    "DAY_IN_MONTH": ("%d", "day"),
    "DAY_IN_YEAR": ("%j", "doy"),
    "HOUR_IN_DAY": ("%H", "hour"),
    "DAY_IN_WEEK": ("%w", "dow"),
}


def _n(value: int) -> Any:
    """A constant of our own written into the SQL text, not bound: PostgreSQL matches a
    SELECT or ORDER BY expression to its GROUP BY twin by text, and bound constants get
    a fresh name at each use."""
    return sa.literal_column(str(int(value)), sa.Integer)


class Dialect:
    """Base: the SQL spelling shared by both backends."""

    name = ""
    unlimited: int | None = None
    # The most owner-list slots for which a list ordered by the owner index's column is
    # read as one ordered arm per owner, merged (compiler._merged); 0: never.
    owner_arms = 0

    def part(self, fmt: str, col: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def date_function(self, name: str, col: Any) -> Any:
        """A SOQL date function over ``col`` as an integer (or a date for DAY_ONLY)."""
        if name == "DAY_ONLY":
            return self.day_only(col)
        if name in _PARTS:
            value = self.part(name, col)
            return value + _n(1) if name == "DAY_IN_WEEK" else value  # Salesforce: Sunday is 1
        if name in ("CALENDAR_QUARTER", "FISCAL_QUARTER"):
            return (self.part("CALENDAR_MONTH", col) + _n(2)) // _n(3)
        if name == "WEEK_IN_YEAR":
            return (self.part("DAY_IN_YEAR", col) - _n(1)) // _n(7) + _n(1)
        if name == "WEEK_IN_MONTH":
            return (self.part("DAY_IN_MONTH", col) - _n(1)) // _n(7) + _n(1)
        raise KeyError(name)

    def day_only(self, col: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def in_ids(self, col: Any, param: sa.BindParameter[Any]) -> Any:  # pragma: no cover
        raise NotImplementedError

    def ids_value(self, ids: list[str]) -> Any:
        return ids

    def in_select(self, col: Any, select: Any) -> Any:
        """``col IN (select)`` as this backend's planner can serve it from an index
        when it is one branch of an OR (the sharing predicate)."""
        return col.in_(select)

    def owned_by(self, col: Any, user: Any, others: Any) -> Any:
        """``col`` is ``user`` or one of ``others`` (a select), as this backend's planner
        serves from the index on ``col``: SQLite turns the OR into a MULTI-INDEX OR of
        index searches (an IN over a UNION ALL would scan the table)."""
        return sa.or_(col == user, col.in_(others))

    def owner_list(self, col: Any, slots: int) -> Any:
        """``col`` is one of the owner list's ``slots`` values (the sharing predicate's
        owners form): one placeholder per slot, each a constant to the planner."""
        return col.in_(sa.bindparam(OWNERS_PARAM, [NO_OWNER] * slots, expanding=True))

    def like_exact(self, col: Any, pattern: str, param: Callable[[Any], Any]) -> Any:
        """``col LIKE pattern`` with case respected; ``pattern`` keeps SOQL's escapes
        (``\\%``, ``\\_``, ``\\\\``) and ``param`` binds a value."""
        return col.like(param(pattern), escape="\\")

    def like_bounds(self, col: Any, pattern: str, param: Callable[[Any], Any]) -> list[Any]:
        """Range conditions on ``col`` implied by ``col LIKE pattern`` (its literal
        prefix), which an index on ``col`` can seek to; none where the backend's text
        order may not keep a prefix's strings together (a linguistic collation)."""
        return []

    def bind(self, value: Any) -> Any:
        """A Python value in the driver's form."""
        if isinstance(value, Decimal):
            return float(value)
        return value

    # formula fields compiled into SQL (formulas.sql)
    def days_between(self, later: Any, earlier: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def round_to(self, value: Any, digits: int) -> Any:
        """Half away from zero, as ROUND() and a formula's scale round."""
        return sa.func.round(value, digits)

    # result converters: raw driver value -> wire value
    def datetime_out(self) -> Callable[[Any], Any]:
        return lambda v: None if v is None else format_datetime(v)

    def date_out(self) -> Callable[[Any], Any]:
        return lambda v: None if v is None else v.isoformat()


class SQLite(Dialect):
    name = "sqlite"
    unlimited = -1
    # SQLite merges the arms of an ordered UNION ALL (MERGE (UNION ALL)), each an owner's
    # range of the owner index in order; a row passes every merge level on its way out,
    # so past 16 arms the Name walk with the IN test on its entries is the cheaper one
    # (bench/security.py data, ORDER BY Name LIMIT 200: 25 owners 0.98 ms merged, 0.71 ms
    # walked; 13 of 50, Industry = 'Banking': 4.7 ms merged, 5.8 ms walked).
    owner_arms = 16

    def days_between(self, later: Any, earlier: Any) -> Any:
        return sa.cast(sa.func.julianday(later) - sa.func.julianday(earlier), sa.Integer)

    def part(self, fmt: str, col: Any) -> Any:
        return sa.cast(sa.func.strftime(_PARTS[fmt][0], col), sa.Integer)

    def day_only(self, col: Any) -> Any:
        return sa.func.date(col)

    def in_ids(self, col: Any, param: sa.BindParameter[Any]) -> Any:
        # One bound JSON array keeps the SQL text constant whatever the number of ids.
        return col.in_(sa.select(sa.column("value")).select_from(sa.func.json_each(param)))

    def ids_value(self, ids: list[str]) -> Any:
        import orjson

        return orjson.dumps(ids).decode()

    def like_exact(self, col: Any, pattern: str, param: Callable[[Any], Any]) -> Any:
        # SQLite's LIKE ignores the case of ASCII letters; GLOB respects it.
        return col.op("GLOB")(param(_glob(pattern)))

    def like_bounds(self, col: Any, pattern: str, param: Callable[[Any], Any]) -> list[Any]:
        # SQLite's LIKE is not served by an index on lower(col) (only a column's own, and
        # only without ESCAPE): 'b%' read the index from its first entry. Text compares
        # as UTF-8 bytes, i.e. by code point, so the strings starting with a prefix are
        # exactly those from it up to its last character's successor. The LIKE stays as
        # the exact test. Measured (bench/security.py): 8.7 ms -> 0.5 ms.
        prefix = _like_prefix(pattern)
        if not prefix:
            return []
        out = [col >= param(prefix)]
        last = ord(prefix[-1])
        if last < 0xD7FF or 0xE000 <= last < 0x10FFFF:  # a successor that is a character
            out.append(col < param(prefix[:-1] + chr(last + 1)))
        return out

    def bind(self, value: Any) -> Any:
        # SQLAlchemy stores SQLite datetimes as text with microseconds; compare alike.
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, bool):
            return int(value)
        return super().bind(value)

    def datetime_out(self) -> Callable[[Any], Any]:
        def out(v: Any) -> Any:
            if v is None:
                return None
            if isinstance(v, dt.datetime):
                return format_datetime(v)
            # "YYYY-MM-DD HH:MM:SS.ffffff" -> "YYYY-MM-DDTHH:MM:SS.fff+0000"
            return f"{v[:10]}T{v[11:19]}.{(v[20:23] or '000').ljust(3, '0')}+0000"

        return out

    def date_out(self) -> Callable[[Any], Any]:
        return lambda v: None if v is None else (v if isinstance(v, str) else v.isoformat())


def _like_chars(pattern: str) -> Iterator[tuple[str, bool]]:
    """A SOQL LIKE pattern as (character, is_wildcard) pairs, escapes resolved: ``\\%``
    is a literal ``%``, a bare ``%`` or ``_`` a wildcard."""
    chars = iter(pattern)
    for ch in chars:
        if ch == "\\":
            yield next(chars, "\\"), False
        else:
            yield ch, ch in "%_"


def _like_prefix(pattern: str) -> str:
    """The literal text a SOQL LIKE pattern starts with, up to its first wildcard."""
    out: list[str] = []
    for ch, wild in _like_chars(pattern):
        if wild:
            break
        out.append(ch)
    return "".join(out)


def _glob(pattern: str) -> str:
    """A SOQL LIKE pattern as a GLOB pattern: ``%`` and ``_`` become ``*`` and ``?``;
    escaped ones, and GLOB's own ``*``, ``?`` and ``[``, match themselves."""
    out: list[str] = []
    for ch, wild in _like_chars(pattern):
        if wild:
            out.append("*" if ch == "%" else "?")
        else:
            out.append(f"[{ch}]" if ch in "*?[" else ch)
    return "".join(out)


class PostgreSQL(Dialect):
    name = "postgresql"

    def days_between(self, later: Any, earlier: Any) -> Any:
        return sa.cast(later, sa.Date) - sa.cast(earlier, sa.Date)

    def round_to(self, value: Any, digits: int) -> Any:
        # round(double precision, int) does not exist; numeric rounds half away from zero.
        return sa.cast(sa.func.round(sa.cast(value, sa.Numeric), digits), sa.Float)

    def part(self, fmt: str, col: Any) -> Any:
        return sa.cast(sa.extract(_PARTS[fmt][1], col), sa.Integer)

    def day_only(self, col: Any) -> Any:
        return sa.cast(col, sa.Date)

    def in_ids(self, col: Any, param: sa.BindParameter[Any]) -> Any:
        return col == sa.any_(param)

    def owner_list(self, col: Any, slots: int) -> Any:
        # One text[] parameter. The driver prepares a statement run five times, and
        # PostgreSQL then keeps its generic plan, where a list of placeholders is an
        # ARRAY[$1::VARCHAR, ...] built again for every row tested (bench/security.py,
        # the director's ORDER BY Name LIMIT 200: 1.4 ms executing, 0.2 ms with constants).
        # One array parameter is read as it is: 0.3 ms, and no planning per run.
        return col == sa.any_(sa.bindparam(OWNERS_PARAM, [NO_OWNER] * slots, ARRAY(sa.Text)))

    def in_select(self, col: Any, select: Any) -> Any:
        # "IN (subquery)" under an OR is a hashed SubPlan filter, which forces a full scan;
        # "= ANY(ARRAY(subquery))" is an InitPlan array the OR's bitmap index scans use.
        return col == sa.any_(sa.func.ARRAY(select.scalar_subquery()))

    def owned_by(self, col: Any, user: Any, others: Any) -> Any:
        # One semi-join over (user UNION ALL others): PostgreSQL drives it from the index
        # (an OR of the two is a filter on every row).
        return col.in_(sa.union_all(sa.select(sa.cast(user, sa.String).label("id")), others))


DIALECTS: dict[str, Dialect] = {d.name: d for d in (SQLite(), PostgreSQL())}


def dialect_for(backend: Any) -> Dialect:
    """The SOQL compiler's dialect of a store backend (``store.dialect``) or its name."""
    return DIALECTS[getattr(backend, "name", backend)]


__all__ = ["DIALECTS", "Dialect", "dialect_for"]
