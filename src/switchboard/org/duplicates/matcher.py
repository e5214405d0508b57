"""Duplicate rules in the DML path: each record written is compared with the object's
live records by every active duplicate rule's matching rules.

Candidates are the records sharing a blocking key with the input (:mod:`.keys`), found
per batch with one indexed query over the match keys table that the DML path keeps
(:mod:`.index`); only they are read back and compared in full (rapidfuzz for the fuzzy
methods). Records of the same batch are not compared with each other, as in Salesforce.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from ..errors import DuplicatesDetected
from ..schema.model import ObjectDef
from . import index
from .keys import EXACT, RuleKeys
from .rules import DEFAULT_ALERT, DuplicateRule, MatchingRule

if TYPE_CHECKING:
    from ..dml.context import WriteContext
    from ..dml.prepare import Prepared
    from ..schema.registry import Schema


def _matches(
    conn: Connection,
    schema: Schema,
    obj: ObjectDef,
    rk: RuleKeys,
    records: Sequence[tuple[dict[str, Any], str | None]],
) -> list[list[str]]:
    """For each (record, own id), the ids of the live records ``rk`` matches."""
    table = schema.table(obj)
    index.ensure(conn, table, obj, rk)
    mine = [rk.normalised(r) for r, _ in records]
    if rk.scans:
        theirs = index.live_values(conn, table, rk, None)
        wanted: list[set[str]] = [set(theirs) for _ in records]
    else:
        keys = [rk.keys(m) for m in mine]
        held = index.holders(conn, obj, rk, {k for ks in keys for k in ks})
        wanted = [set().union(*(held.get(k, ()) for k in ks)) for ks in keys]
        theirs = index.live_values(conn, table, rk, set().union(*wanted))
    out = []
    for m, (_, own), ids in zip(mine, records, wanted, strict=True):
        out.append(
            [
                rid
                for rid in sorted(ids)
                if rid != own and rid in theirs and rk.matches(m, theirs[rid])
            ]
        )
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
    checked = []  # (prepared, is an update, rules that apply to it)
    for p, before in items:
        applying = []
        for rule in rules:
            action = rule.action_on_update if before else rule.action_on_insert
            if action == "Block" or not ctx.allow_save:
                applying.append(rule)
        if applying:
            checked.append((p, before, applying))
    if not checked:
        return
    records = [
        ({**(before or {}), **p.values}, before.get("id") if before else None)
        for p, before, _ in checked
    ]
    found_by: dict[str, list[list[str]]] = {}
    for rk in index.rule_keys(obj):
        found_by[rk.rule.name] = _matches(conn, schema, obj, rk, records)
    for n, (p, before, applying) in enumerate(checked):
        for rule in applying:
            action = rule.action_on_update if before else rule.action_on_insert
            found = [(m, found_by[m.name][n]) for m in rule.matching if found_by[m.name][n]]
            if found:
                p.errors.append(
                    _error(obj, rule, found, allow_save=action != "Block", version=version)
                )
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
                if all(i.method in EXACT for i in m.items)
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
