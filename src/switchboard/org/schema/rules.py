"""Deployed validation rules, stored as one JSON list per object in the org's metadata.

A deploy merges rules by name into what the object had (a deploy never drops a rule,
as it never drops a field); loading attaches them to their ObjectDef.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...store import internal
from .model import ObjectDef, ValidationRule

_PREFIX = "validation_rules:"
_DUPLICATES = "duplicate_rules:"


def load_rules(conn: Connection, objects: Mapping[str, ObjectDef]) -> None:
    """Attach each object's stored rules (``objects`` keyed by lower-cased name)."""
    meta = internal.meta
    rows = conn.execute(sa.select(meta.c.key, meta.c.value).where(meta.c.key.like(_PREFIX + "%")))
    for key, value in rows:
        obj = objects.get(key[len(_PREFIX) :])
        if obj is not None:
            obj.validation_rules = [ValidationRule(**r) for r in orjson.loads(value)]
    from ..duplicates.rules import DuplicateRule

    rows = conn.execute(
        sa.select(meta.c.key, meta.c.value).where(meta.c.key.like(_DUPLICATES + "%"))
    )
    for key, value in rows:
        obj = objects.get(key[len(_DUPLICATES) :])
        if obj is not None:
            obj.duplicate_rules = [DuplicateRule.from_dict(r) for r in orjson.loads(value)]


def merge_rules(obj: ObjectDef, rules: list[ValidationRule]) -> list[ValidationRule]:
    """``obj``'s rules with ``rules`` replacing same-named ones (names case-insensitive)."""
    by_name = {r.name.lower(): r for r in obj.validation_rules}
    for r in rules:
        by_name[r.name.lower()] = r
    return list(by_name.values())


def rules_row(obj: ObjectDef) -> tuple[dict[str, str], dict[str, str]]:
    """The metadata key and value of ``obj``'s rules, for an upsert."""
    body = orjson.dumps([r.to_dict() for r in obj.validation_rules]).decode()
    return {"key": _PREFIX + obj.name.lower()}, {"value": body}


def duplicate_rules_row(obj: ObjectDef) -> tuple[dict[str, str], dict[str, str]]:
    body = orjson.dumps([r.to_dict() for r in obj.duplicate_rules]).decode()
    return {"key": _DUPLICATES + obj.name.lower()}, {"value": body}


def merge_duplicate_rules(obj: ObjectDef, rules: list[Any]) -> list[Any]:
    by_name = {r.name.lower(): r for r in obj.duplicate_rules}
    for r in rules:
        by_name[r.name.lower()] = r
    return list(by_name.values())


__all__ = [
    "duplicate_rules_row",
    "load_rules",
    "merge_duplicate_rules",
    "merge_rules",
    "rules_row",
]
