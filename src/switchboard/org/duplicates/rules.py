"""Matching rules and duplicate rules, and the standard ones Salesforce ships.

A matching rule compares fields with a matching method each and combines the results
with its boolean filter (``1 AND (2 OR 3)``; all items AND-ed when there is none). A
duplicate rule runs matching rules on create and update and then allows the save
(with an alert, which the API reports as DUPLICATES_DETECTED unless the request sends
``Sforce-Duplicate-Rule-Header: allowSave=true``) or blocks it.

The standard rules here follow the fields Salesforce documents for its standard
matching rules; their exact boolean logic is this org's reading of that documentation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from rapidfuzz import fuzz

from . import normalize

Compare = Callable[[str, str], bool]


def _fuzzy(norm: Callable[[str], str], threshold: float) -> tuple[Callable[[str], str], Compare]:
    return norm, lambda a, b: a == b or fuzz.token_sort_ratio(a, b) >= threshold


def _exact(norm: Callable[[str], str]) -> tuple[Callable[[str], str], Compare]:
    return norm, lambda a, b: a == b


# Matching method → (normaliser, comparison of normalised values).
METHODS: dict[str, tuple[Callable[[str], str], Compare]] = {
    "Exact": _exact(normalize.text),
    "CompanyName": _fuzzy(normalize.company, 85),
    "FirstName": _fuzzy(normalize.text, 85),
    "LastName": _fuzzy(normalize.text, 90),
    "Title": _fuzzy(normalize.text, 85),
    "City": _fuzzy(normalize.text, 85),
    "Street": _fuzzy(normalize.street, 85),
    "Zip": _exact(normalize.zip_code),
    "Phone": _exact(normalize.phone),
    "Email": _exact(normalize.email),
}


@dataclass(frozen=True, slots=True)
class MatchItem:
    field: str
    method: str = "Exact"
    match_blanks: bool = False


@dataclass(frozen=True, slots=True)
class MatchingRule:
    name: str
    object: str
    items: tuple[MatchItem, ...]
    boolean_filter: str | None = None

    def matches(self, results: list[bool]) -> bool:
        if not self.boolean_filter:
            return all(results)
        return _evaluate(self.boolean_filter, results)

    def clauses(self) -> list[frozenset[int]]:
        """The filter as OR-ed clauses of AND-ed items (0-based), for candidate lookup;
        a clause under NOT constrains nothing (the empty set)."""
        if not self.boolean_filter:
            return [frozenset(range(len(self.items)))]
        return _dnf(self.boolean_filter)


@dataclass(frozen=True, slots=True)
class DuplicateRule:
    name: str
    object: str
    matching: tuple[MatchingRule, ...]
    action_on_insert: str = "Allow"  # Allow | Block
    action_on_update: str = "Allow"
    alert_text: str | None = None
    active: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DuplicateRule:
        matching = tuple(
            MatchingRule(
                m["name"],
                m["object"],
                tuple(MatchItem(**i) for i in m["items"]),
                m.get("boolean_filter"),
            )  # fmt: skip
            for m in d["matching"]
        )
        return cls(**{**d, "matching": matching})


def _evaluate(expr: str, results: list[bool]) -> bool:
    """A boolean filter over item results, parsed by precedence (NOT > AND > OR)."""
    tokens = re.findall(r"\d+|AND|OR|NOT|\(|\)", expr.upper())
    pos = 0

    def take() -> str:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def atom() -> bool:
        tok = take()
        if tok == "(":
            value = disjunction()
            take()
            return value
        if tok == "NOT":
            return not atom()
        index = int(tok) - 1
        return results[index] if 0 <= index < len(results) else False

    def conjunction() -> bool:
        value = atom()
        while peek() == "AND":
            take()
            right = atom()
            value = value and right
        return value

    def disjunction() -> bool:
        value = conjunction()
        while peek() == "OR":
            take()
            right = conjunction()
            value = value or right
        return value

    return disjunction()


def _dnf(expr: str) -> list[frozenset[int]]:
    tokens = re.findall(r"\d+|AND|OR|NOT|\(|\)", expr.upper())
    pos = 0

    def take() -> str:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def atom() -> list[frozenset[int]]:
        tok = take()
        if tok == "(":
            value = disjunction()
            take()
            return value
        if tok == "NOT":
            atom()
            return [frozenset()]
        return [frozenset({int(tok) - 1})]

    def conjunction() -> list[frozenset[int]]:
        value = atom()
        while peek() == "AND":
            take()
            right = atom()
            value = [a | b for a in value for b in right]
        return value

    def disjunction() -> list[frozenset[int]]:
        value = conjunction()
        while peek() == "OR":
            take()
            value = value + conjunction()
        return value

    return disjunction()


def _standard(name: str, obj: str, filt: str, *items: tuple[str, str]) -> MatchingRule:
    return MatchingRule(name, obj, tuple(MatchItem(f, m) for f, m in items), filt)


STANDARD_MATCHING_RULES: dict[str, MatchingRule] = {
    r.name.lower(): r
    for r in (
        _standard(
            "Standard_Account_Match_Rule_v1_0", "Account",
            "(1 AND 2) OR (1 AND 3) OR (1 AND 4 AND 5) OR (1 AND 6)",
            ("Name", "CompanyName"), ("Phone", "Phone"), ("BillingStreet", "Street"),
            ("BillingCity", "City"), ("BillingPostalCode", "Zip"), ("Website", "Exact"),
        ),
        _standard(
            "Standard_Contact_Match_Rule_v1_1", "Contact",
            "(1 AND 2 AND (3 OR 4 OR 5)) OR (2 AND 3)",
            ("FirstName", "FirstName"), ("LastName", "LastName"), ("Email", "Email"),
            ("Phone", "Phone"), ("MailingStreet", "Street"),
        ),
        _standard(
            "Standard_Lead_Match_Rule_v1_0", "Lead",
            "(1 AND 2 AND (3 OR 4 OR 5)) OR (2 AND 3)",
            ("FirstName", "FirstName"), ("LastName", "LastName"), ("Email", "Email"),
            ("Company", "CompanyName"), ("Phone", "Phone"),
        ),
    )
}  # fmt: skip

DEFAULT_ALERT = (
    "You're creating a duplicate record. We recommend you use an existing record instead."
)


@dataclass(slots=True)
class Found:
    """The records one matching rule matched for one input record."""

    rule: MatchingRule
    ids: list[str] = field(default_factory=list)


__all__ = [
    "DEFAULT_ALERT",
    "METHODS",
    "STANDARD_MATCHING_RULES",
    "DuplicateRule",
    "Found",
    "MatchItem",
    "MatchingRule",
]
