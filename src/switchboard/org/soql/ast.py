"""The SOQL syntax tree: frozen dataclasses, each carrying its source position.

Identifiers keep the spelling the query used (for error messages); keywords, function
names and date literal names are upper-cased. ``pos`` is excluded from equality so
that tests and rewrites can compare trees built by hand with parsed ones.

Shape of a query::

    Query
    ├── select: Field | Function | FieldsSelector | TypeOf | Subquery, ...
    ├── from_: From (object, alias, scope, related FromRelated items)
    ├── where / having: Comparison | InList | Includes | InSubquery | And | Or | Not
    ├── with_: WithMode | WithDataCategory | WithFilter
    ├── group_by: GroupBy (kind PLAIN | ROLLUP | CUBE)
    ├── order_by: OrderItem, ...
    └── limit, offset, for_, update
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field as _field
from decimal import Decimal
from typing import NamedTuple, TypeAlias


class Pos(NamedTuple):
    """Where a node starts: 1-based line and column, 0-based character offset."""

    line: int
    column: int
    offset: int


NOWHERE = Pos(0, 0, 0)

LiteralValue: TypeAlias = str | int | Decimal | bool | None | dt.date | dt.datetime

AGGREGATE_FUNCTIONS = frozenset({"COUNT", "COUNT_DISTINCT", "SUM", "AVG", "MIN", "MAX"})
DATE_FUNCTIONS = frozenset(
    {
        "CALENDAR_YEAR",
        "CALENDAR_QUARTER",
        "CALENDAR_MONTH",
        "DAY_IN_MONTH",
        "DAY_IN_WEEK",
        "DAY_IN_YEAR",
        "DAY_ONLY",
        "HOUR_IN_DAY",
        "WEEK_IN_MONTH",
        "WEEK_IN_YEAR",
        "FISCAL_MONTH",
        "FISCAL_QUARTER",
        "FISCAL_YEAR",
    }
)


# --- values -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Literal:
    """A constant: str, int, Decimal, bool, None, date or aware datetime.

    In a LIKE pattern the escapes ``\\%``, ``\\_`` and ``\\\\`` stay escaped in ``value``
    (backslash kept) so the compiler can tell a literal ``%`` from a wildcard.
    """

    value: LiteralValue
    text: str = _field(default="", compare=False)  # the source spelling, for messages
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Currency:
    """A currency-qualified number such as ``USD5000``."""

    code: str  # upper-cased ISO code
    amount: Decimal
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class DateLiteral:
    """A relative date range (``TODAY``, ``LAST_N_DAYS:30``), resolved by the compiler."""

    name: str  # upper-cased
    n: int | None = None
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)


# --- expressions --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Field:
    """A field path as written: ``("Account", "Owner", "Name")`` or ``("c", "Name")``.

    A leading part may be the FROM alias or object name; the compiler resolves that,
    since only the schema knows whether it is also a relationship name.
    """

    path: tuple[str, ...]
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)

    @property
    def name(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True, slots=True)
class Function:
    """A function call: aggregates, date functions, toLabel, FORMAT, DISTANCE, ...

    ``name`` is upper-cased (``CONVERTCURRENCY``); ``alias`` only occurs in the SELECT
    list; ``COUNT()`` has no arguments.
    """

    name: str
    args: tuple[Expr, ...] = ()
    alias: str | None = None
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)

    @property
    def is_aggregate(self) -> bool:
        return self.name in AGGREGATE_FUNCTIONS

    @property
    def is_date_function(self) -> bool:
        return self.name in DATE_FUNCTIONS


Expr: TypeAlias = Field | Function | Literal


@dataclass(frozen=True, slots=True)
class FieldsSelector:
    """``FIELDS(ALL)``, ``FIELDS(STANDARD)`` or ``FIELDS(CUSTOM)``."""

    kind: str
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class TypeOfWhen:
    object: str
    fields: tuple[Field, ...]
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class TypeOf:
    """``TYPEOF What WHEN Account THEN Phone ELSE Name END``."""

    field: Field
    whens: tuple[TypeOfWhen, ...]
    else_: tuple[Field, ...] = ()
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Subquery:
    """A parent-to-child subquery in the SELECT list; its FROM names a relationship."""

    query: Query
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)


SelectItem: TypeAlias = Field | Function | FieldsSelector | TypeOf | Subquery
Value: TypeAlias = Literal | Currency | DateLiteral


# --- conditions ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Comparison:
    """``left op right`` with op one of ``= != < <= > >= LIKE`` (``<>`` reads as ``!=``)."""

    left: Expr
    op: str
    right: Value
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class InList:
    """``left IN (v, ...)`` or, negated, ``left NOT IN (v, ...)``."""

    left: Expr
    values: tuple[Value, ...]
    negated: bool = False
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Includes:
    """Multi-select picklist test: ``INCLUDES ('a;b', 'c')``, or EXCLUDES."""

    left: Expr
    values: tuple[Value, ...]
    excludes: bool = False
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class InSubquery:
    """Semi-join ``Id IN (SELECT ...)``; anti-join when negated."""

    left: Expr
    query: Query
    negated: bool = False
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Condition, ...]
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Condition, ...]
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Not:
    operand: Condition
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)


Condition: TypeAlias = Comparison | InList | Includes | InSubquery | And | Or | Not


# --- clauses ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FromRelated:
    """An extra FROM item in the old join form: ``FROM Contact c, c.Account a``."""

    path: tuple[str, ...]
    alias: str | None = None
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class From:
    object: str
    alias: str | None = None
    scope: str | None = None  # USING SCOPE value as written (Everything, mine, ...)
    related: tuple[FromRelated, ...] = ()
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class WithMode:
    """``WITH SECURITY_ENFORCED``, ``WITH USER_MODE`` or ``WITH SYSTEM_MODE``."""

    mode: str
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class DataCategoryFilter:
    group: str
    selector: str  # AT, ABOVE, BELOW, ABOVE_OR_BELOW
    categories: tuple[str, ...]
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class WithDataCategory:
    filters: tuple[DataCategoryFilter, ...]
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class WithFilter:
    """A field filter in WITH, as on feeds: ``WITH UserId = '005...'``."""

    field: Field
    value: Value
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)


With: TypeAlias = WithMode | WithDataCategory | WithFilter


@dataclass(frozen=True, slots=True)
class GroupBy:
    kind: str  # PLAIN, ROLLUP or CUBE
    items: tuple[Expr, ...]
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class OrderItem:
    expr: Expr
    direction: str | None = None  # ASC, DESC, or None when not written
    nulls: str | None = None  # FIRST, LAST, or None when not written
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)

    @property
    def descending(self) -> bool:
        return self.direction == "DESC"


@dataclass(frozen=True, slots=True)
class Query:
    select: tuple[SelectItem, ...]
    from_: From
    where: Condition | None = None
    with_: With | None = None
    group_by: GroupBy | None = None
    having: Condition | None = None
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = None
    offset: int | None = None
    for_: str | None = None  # VIEW, REFERENCE or UPDATE
    update: str | None = None  # TRACKING or VIEWSTAT
    pos: Pos = _field(default=NOWHERE, compare=False, repr=False)


Node: TypeAlias = (
    Query
    | SelectItem
    | Value
    | Condition
    | From
    | FromRelated
    | With
    | DataCategoryFilter
    | GroupBy
    | OrderItem
    | TypeOfWhen
)

__all__ = [
    "AGGREGATE_FUNCTIONS",
    "DATE_FUNCTIONS",
    "NOWHERE",
    "And",
    "Comparison",
    "Condition",
    "Currency",
    "DataCategoryFilter",
    "DateLiteral",
    "Expr",
    "Field",
    "FieldsSelector",
    "From",
    "FromRelated",
    "Function",
    "GroupBy",
    "InList",
    "InSubquery",
    "Includes",
    "Literal",
    "LiteralValue",
    "Node",
    "Not",
    "Or",
    "OrderItem",
    "Pos",
    "Query",
    "SelectItem",
    "Subquery",
    "TypeOf",
    "TypeOfWhen",
    "Value",
    "With",
    "WithDataCategory",
    "WithFilter",
    "WithMode",
]
