"""Sharing rules: which records a rule opens, and to whom.

An owner-based rule shares the records owned by users of a role (or a role and its
subordinates) with another role (or role and subordinates); a criteria-based rule
shares the records whose fields meet its criteria items (all of them, or as its
``booleanFilter`` combines them). Roles are named by DeveloperName, as in SFDX.
Criteria compile to SQL over the object's table, so share rows are computed by the
database, never record by record in Python.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa

from ...schema.model import FieldDef, ObjectDef
from ..errors import InvalidSharingRule

ROLE = "role"
SUBS = "subs"
ACCESS_LEVELS = ("Read", "Edit")
OPERATIONS = ("equals", "notEqual", "lessThan", "greaterThan", "lessOrEqual",
              "greaterOrEqual", "contains", "notContain", "startsWith")  # fmt: skip



@dataclass(frozen=True, slots=True)
class Criterion:
    field: str
    operation: str
    value: str


@dataclass(frozen=True, slots=True)
class SharingRule:
    object_name: str
    name: str
    access_level: str  # Read | Edit
    shared_to: tuple[str, str]  # (ROLE | SUBS, role DeveloperName)
    shared_from: tuple[str, str] | None = None  # owner-based rules
    criteria: tuple[Criterion, ...] = field(default_factory=tuple)
    boolean_filter: str | None = None

    @property
    def owner_based(self) -> bool:
        return self.shared_from is not None

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> SharingRule:
        d = json.loads(text)
        return cls(
            d["object_name"],
            d["name"],
            d["access_level"],
            tuple(d["shared_to"]),  # type: ignore[arg-type]
            tuple(d["shared_from"]) if d.get("shared_from") else None,  # type: ignore[arg-type]
            tuple(Criterion(**c) for c in d.get("criteria") or ()),
            d.get("boolean_filter"),
        )


# -- criteria as SQL ----------------------------------------------------------------------
_NUMERIC = frozenset({"int", "double", "currency", "percent"})


def _typed_value(f: FieldDef, raw: str) -> Any:
    kind = f.type.value if hasattr(f.type, "value") else str(f.type)
    if kind == "boolean":
        return raw.strip().lower() == "true"
    if kind in _NUMERIC:
        try:
            return float(raw)
        except ValueError:
            raise InvalidSharingRule(f"{f.name}: not a number: {raw}", fields=[f.name]) from None
    return raw


def _criterion_sql(obj: ObjectDef, table: Any, c: Criterion) -> Any:
    f = obj.field(c.field)
    if f is None or not f.stored:
        raise InvalidSharingRule(
            f"No such column '{c.field}' on entity '{obj.name}'", fields=[c.field]
        )
    if c.operation not in OPERATIONS:
        raise InvalidSharingRule(
            f"{c.field}: unsupported operation {c.operation}", fields=[c.field]
        )
    col = table.c[f.column]
    numeric = (f.type.value if hasattr(f.type, "value") else str(f.type)) in _NUMERIC
    text = not numeric and isinstance(_typed_value(f, "x"), str)
    lhs = sa.func.lower(col) if text else col
    # A comma-separated value of equals/notEqual lists alternatives, as in Setup.
    values = [v.strip() for v in c.value.split(",")] if c.operation in ("equals", "notEqual") \
        else [c.value]  # fmt: skip
    typed = [_typed_value(f, v).lower() if text else _typed_value(f, v) for v in values]
    op = c.operation
    if op == "equals":
        return lhs.in_(typed)
    if op == "notEqual":
        return sa.or_(col.is_(None), lhs.not_in(typed))
    if op in ("contains", "notContain", "startsWith"):
        pattern = typed[0] if text else str(typed[0])
        like = lhs.like((pattern if op == "startsWith" else f"%{pattern}") + "%")
        return sa.or_(col.is_(None), sa.not_(like)) if op == "notContain" else like
    compare = {"lessThan": lhs < typed[0], "greaterThan": lhs > typed[0],
               "lessOrEqual": lhs <= typed[0], "greaterOrEqual": lhs >= typed[0]}  # fmt: skip
    return compare[op]


_TOKEN = re.compile(r"\s*(\d+|AND|OR|NOT|\(|\))", re.IGNORECASE)


def _combine(filter_text: str, items: list[Any]) -> Any:
    """``1 AND (2 OR NOT 3)`` over the criteria items, numbered from 1."""
    tokens: list[str] = []
    pos = 0
    text = filter_text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise InvalidSharingRule(f"invalid booleanFilter: {filter_text}")
        tokens.append(m.group(1).upper())
        pos = m.end()
    at = 0

    def peek() -> str | None:
        return tokens[at] if at < len(tokens) else None

    def take() -> str:
        nonlocal at
        if at >= len(tokens):
            raise InvalidSharingRule(f"invalid booleanFilter: {filter_text}")
        at += 1
        return tokens[at - 1]

    def expr() -> Any:
        left = term()
        while peek() == "OR":
            take()
            left = sa.or_(left, term())
        return left

    def term() -> Any:
        left = factor()
        while peek() == "AND":
            take()
            left = sa.and_(left, factor())
        return left

    def factor() -> Any:
        tok = take()
        if tok == "NOT":
            return sa.not_(factor())
        if tok == "(":
            inner = expr()
            if take() != ")":
                raise InvalidSharingRule(f"invalid booleanFilter: {filter_text}")
            return inner
        if tok.isdigit() and 1 <= int(tok) <= len(items):
            return items[int(tok) - 1]
        raise InvalidSharingRule(f"invalid booleanFilter: {filter_text}")

    out = expr()
    if at != len(tokens):
        raise InvalidSharingRule(f"invalid booleanFilter: {filter_text}")
    return out


def criteria_sql(rule: SharingRule, obj: ObjectDef, table: Any) -> Any:
    """The condition on ``table`` that selects the records a criteria-based rule opens."""
    items = [_criterion_sql(obj, table, c) for c in rule.criteria]
    if not items:
        return sa.true()
    if rule.boolean_filter:
        return _combine(rule.boolean_filter, items)
    return sa.and_(*items)


__all__ = [
    "ACCESS_LEVELS",
    "ROLE",
    "SUBS",
    "Criterion",
    "InvalidSharingRule",
    "SharingRule",
    "criteria_sql",
]
