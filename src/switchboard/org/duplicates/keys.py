"""Blocking keys of a matching rule: what a record must share with another to be compared.

A rule's filter is read as OR-ed clauses of AND-ed items (``rules.MatchingRule.clauses``).
For each clause a record gets one key, its items' blocks joined: the normalised value of
an exact item, the first two letters of a fuzzy one's (so a fuzzy match whose first
letters differ is not found, a documented limit). A blank item makes the clause's key
only when the item matches blanks (a blank then matches only a blank); otherwise the
clause cannot hold and the record has no key for it. Two records that satisfy a clause
share its key, so the records sharing any key with the input are all the candidates a
rule can match; only they are compared in full. A clause under NOT constrains nothing,
and a rule that has one compares every record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from ..schema.model import ObjectDef
from .rules import METHODS, MatchingRule

EXACT = frozenset({"Exact", "Zip", "Phone", "Email"})
_SEP = "\x1f"  # between a key's parts: no normalised value holds it


def _block(method: str, value: str) -> str:
    return value if method in EXACT else value[:2]


def signature(rule: MatchingRule) -> str:
    """A short digest of what decides the keys: a changed rule gets keys of its own."""
    shape = repr(([(i.field.lower(), i.method, i.match_blanks) for i in rule.items],
                  (rule.boolean_filter or "").upper()))  # fmt: skip
    return hashlib.sha256(shape.encode()).hexdigest()[:12]


class RuleKeys:
    """One matching rule on one object: its compared columns, normalising and keys."""

    def __init__(self, obj: ObjectDef, rule: MatchingRule) -> None:
        self.rule = rule
        self.name = f"{rule.name}#{signature(rule)}"
        self.columns: list[str | None] = []
        for item in rule.items:
            f = obj.field(item.field)
            self.columns.append(f.column if f is not None and f.stored else None)
        self.stored = [c for c in self.columns if c is not None]
        self.clauses = [sorted(c) for c in rule.clauses()]
        # A NOT in the filter: every record is a candidate, no key narrows them.
        self.scans = any(not c for c in self.clauses)
        self._norms = [METHODS[i.method][0] for i in rule.items]
        self._compare = [METHODS[i.method][1] for i in rule.items]

    def normalised(self, row: Mapping[str, Any]) -> list[str]:
        out = []
        for norm, c in zip(self._norms, self.columns, strict=True):
            value = row.get(c) if c is not None else None
            out.append("" if value is None or value == "" else norm(str(value)))
        return out

    def keys(self, values: list[str]) -> list[str]:
        """The record's key of each clause that can hold for it."""
        items = self.rule.items
        out = []
        for n, clause in enumerate(self.clauses):
            if not clause:
                continue
            parts = [str(n)]
            for i in clause:
                v = values[i]
                if v:
                    parts.append(_block(items[i].method, v))
                elif items[i].match_blanks:
                    parts.append("")
                else:
                    break
            else:
                out.append(_SEP.join(parts))
        return out

    def matches(self, mine: list[str], theirs: list[str]) -> bool:
        results = []
        for item, compare, a, b in zip(self.rule.items, self._compare, mine, theirs, strict=True):
            if not a or not b:
                results.append(item.match_blanks and not a and not b)
            else:
                results.append(compare(a, b))
        return self.rule.matches(results)


__all__ = ["EXACT", "RuleKeys", "signature"]
