"""Deployed validation and duplicate rules, one JSON list per object and kind in the
schema's ``sb_object_rules`` table.

A deploy merges rules by name into what the object had (a deploy never drops a rule,
as it never drops a field); loading attaches them to their ObjectDef.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...core import clock
from .model import ObjectDef, ValidationRule
from .tables import object_rules

_VALIDATION = "validation"
_DUPLICATE = "duplicate"


def load_rules(conn: Connection, objects: Mapping[str, ObjectDef]) -> None:
    """Attach each object's stored rules (``objects`` keyed by lower-cased name)."""
    from ..duplicates.rules import DuplicateRule

    t = object_rules
    for name, kind, body in conn.execute(sa.select(t.c.object_name, t.c.kind, t.c.definition)):
        obj = objects.get(name)
        if obj is None:
            continue
        if kind == _VALIDATION:
            obj.validation_rules = [ValidationRule(**r) for r in orjson.loads(body)]
        elif kind == _DUPLICATE:
            obj.duplicate_rules = [DuplicateRule.from_dict(r) for r in orjson.loads(body)]


def merge_rules(obj: ObjectDef, rules: list[ValidationRule]) -> list[ValidationRule]:
    """``obj``'s rules with ``rules`` replacing same-named ones (names case-insensitive)."""
    by_name = {r.name.lower(): r for r in obj.validation_rules}
    for r in rules:
        by_name[r.name.lower()] = r
    return list(by_name.values())


def merge_duplicate_rules(obj: ObjectDef, rules: list[Any]) -> list[Any]:
    by_name = {r.name.lower(): r for r in obj.duplicate_rules}
    for r in rules:
        by_name[r.name.lower()] = r
    return list(by_name.values())


def save_rules(conn: Connection, obj: ObjectDef) -> None:
    """Store ``obj``'s validation and duplicate rules as they are now."""
    for kind, rules in ((_VALIDATION, obj.validation_rules), (_DUPLICATE, obj.duplicate_rules)):
        key = {"object_name": obj.name.lower(), "kind": kind}
        body = orjson.dumps([r.to_dict() for r in rules]).decode()
        values = {"definition": body, "updated_at": clock.now()}
        t = object_rules
        cond = sa.and_(t.c.object_name == key["object_name"], t.c.kind == kind)
        if conn.execute(sa.select(t.c.kind).where(cond)).first():
            conn.execute(t.update().where(cond).values(**values))
        else:
            conn.execute(t.insert().values(**key, **values))


__all__ = ["load_rules", "merge_duplicate_rules", "merge_rules", "save_rules"]
