"""Duplicate rules in the DML path: each record written is compared with the object's
live records by every active duplicate rule's matching rules.

Candidates come from blocking keys built once per batch from one read of the compared
columns: for each OR-ed clause of the rule's filter, the records sharing every item's
key with the input (the normalised value of an exact item, the first two letters of a
fuzzy one's), so a fuzzy match whose first letters differ is not found. Only
candidates are compared in full. Records of the same batch are not compared with
each other, as in Salesforce.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..errors import DuplicatesDetected
from ..schema.model import ObjectDef
from .rules import DEFAULT_ALERT, METHODS, DuplicateRule, MatchingRule

if TYPE_CHECKING:
    from ..dml.context import WriteContext
    from ..dml.prepare import Prepared
    from ..schema.registry import Schema

_EXACT = frozenset({"Exact", "Zip", "Phone", "Email"})


def _key(method: str, value: str) -> str:
    return value if method in _EXACT else value[:2]


class _Index:
    """One matching rule's normalised values of every live record, with blocking keys."""

    def __init__(self, conn: Connection, schema: Schema, obj: ObjectDef, rule: MatchingRule):
        table = schema.table(obj)
        self.rule = rule
        self.clauses = rule.clauses()
        self.columns = []
        for item in rule.items:
            f = obj.field(item.field)
            self.columns.append(f.column if f is not None and f.stored else None)
        cols = [table.c[c] for c in self.columns if c is not None]
        self.values: dict[str, list[str]] = {}
        self.blocks: dict[tuple[int, str], set[str]] = defaultdict(set)
        stmt = sa.select(table.c.id, *cols).where(table.c.isdeleted.is_(False))
        for row in conn.execute(stmt):
            rid, raw = row[0], iter(row[1:])
            normalised = [
                self._norm(i, next(raw) if c is not None else None)
                for i, c in enumerate(self.columns)
            ]
            self.values[rid] = normalised
            for i, v in enumerate(normalised):
                if v:
                    self.blocks[(i, _key(rule.items[i].method, v))].add(rid)

    def _norm(self, i: int, value: Any) -> str:
        if value is None or value == "":
            return ""
        return METHODS[self.rule.items[i].method][0](str(value))

    def matches(self, record: dict[str, Any], own_id: str | None) -> list[str]:
        mine = [self._norm(i, record.get(c) if c else None) for i, c in enumerate(self.columns)]
        candidates: set[str] = set()
        for clause in self.clauses:
            if not clause:  # a NOT in the filter: every record is a candidate
                candidates = set(self.values)
                break
            found: set[str] | None = None
            possible = True
            for i in clause:
                if not mine[i]:
                    if self.rule.items[i].match_blanks:
                        continue  # a blank is no key to look up
                    possible = False  # a blank never matches: the clause cannot hold
                    break
                block = self.blocks.get((i, _key(self.rule.items[i].method, mine[i])), set())
                found = set(block) if found is None else found & block
                if not found:
                    possible = False
                    break
            if possible:
                candidates |= found if found is not None else set(self.values)
        out = []
        for rid in sorted(candidates):
            if rid == own_id:
                continue
            theirs = self.values[rid]
            results = []
            for i, item in enumerate(self.rule.items):
                a, b = mine[i], theirs[i]
                if not a or not b:
                    results.append(item.match_blanks and not a and not b)
                else:
                    results.append(METHODS[item.method][1](a, b))
            if self.rule.matches(results):
                out.append(rid)
        return out


def check_duplicates(
    conn: Connection,
    schema: Schema,
    obj: ObjectDef,
    ctx: WriteContext,
    items: Sequence[tuple[Prepared, dict[str, Any] | None]],
    *,
    version: str = "59.0",
) -> None:
    """Add DUPLICATES_DETECTED to each record a rule flags (and the rule does not let
    save: Block, or Allow with an alert without allowSave)."""
    rules = [r for r in obj.duplicate_rules if r.active]
    if not rules or not items:
        return
    indexes: dict[str, _Index] = {}
    for p, before in items:
        record = {**(before or {}), **p.values}
        own = before.get("id") if before else None
        for rule in rules:
            action = rule.action_on_update if before else rule.action_on_insert
            blocked = action == "Block"
            if not blocked and ctx.allow_save:
                continue
            found = []
            for m in rule.matching:
                index = indexes.get(m.name)
                if index is None:
                    index = indexes[m.name] = _Index(conn, schema, obj, m)
                ids = index.matches(record, own)
                if ids:
                    found.append((m, ids))
            if found:
                p.errors.append(_error(obj, rule, found, allow_save=not blocked, version=version))
                break


def _error(
    obj: ObjectDef,
    rule: DuplicateRule,
    found: list[tuple[MatchingRule, list[str]]],
    *,
    allow_save: bool,
    version: str,
) -> DuplicatesDetected:
    message = rule.alert_text or DEFAULT_ALERT
    base = f"/services/data/v{version}/sobjects/{obj.name}/"
    result = {
        "allowSave": allow_save,
        "duplicateRule": rule.name,
        "duplicateRuleEntityType": obj.name,
        "errorMessage": message,
        "matchResults": [
            {
                "entityType": obj.name,
                "errors": [],
                "matchEngine": "ExactMatchEngine"
                if all(i.method in _EXACT for i in m.items)
                else "FuzzyMatchEngine",
                "matchRecords": [
                    {
                        "additionalInformation": [],
                        "fieldDiffs": [],
                        "matchConfidence": 100.0,
                        "record": {"attributes": {"type": obj.name, "url": base + rid}, "Id": rid},
                    }
                    for rid in ids
                ],
                "rule": m.name,
                "size": len(ids),
                "success": True,
            }
            for m, ids in found
        ],
    }
    return DuplicatesDetected(message, result)


__all__ = ["check_duplicates"]
