"""MatchingRules and DuplicateRule XML → duplicate rules with their matching rules.

``matchingRules/Account.matchingRule-meta.xml`` holds an object's matching rules;
``duplicateRules/Account.Name.duplicateRule-meta.xml`` one duplicate rule, naming its
matching rules, which may be the standard ones Salesforce ships
(``Standard_Account_Match_Rule_v1_0``) that no project file defines.
"""

from __future__ import annotations

from pathlib import Path

from ...duplicates.rules import STANDARD_MATCHING_RULES, DuplicateRule, MatchingRule, MatchItem
from ._xml import load
from .fields import FieldContext

MATCHING_SUFFIX = ".matchingRule-meta.xml"
DUPLICATE_SUFFIX = ".duplicateRule-meta.xml"


def read_matching_rules(folder: Path, shown: str, ctx: FieldContext) -> dict[str, MatchingRule]:
    """The active matching rules of every file in ``folder``, by lower-cased name."""
    out: dict[str, MatchingRule] = {}
    for f in sorted(folder.glob("*" + MATCHING_SUFFIX)):
        obj = f.name[: -len(MATCHING_SUFFIX)]
        root = load(f, f"{shown}/{f.name}")
        for n in root.children("matchingRules"):
            name = (n.text("fullName") or "").rsplit(".", 1)[-1]
            if not name or (n.text("ruleStatus") or "Active") != "Active":
                continue
            items = tuple(
                MatchItem(
                    i.text("fieldName") or "",
                    i.text("matchingMethod") or "Exact",
                    (i.text("blankValueBehavior") or "NullNotAllowed") == "MatchBlanks",
                )
                for i in n.children("matchingRuleItems")
            )
            out[name.lower()] = MatchingRule(name, obj, items, n.text("booleanFilter"))
    return out


def read_duplicate_rules(
    folder: Path, shown: str, matching: dict[str, MatchingRule], ctx: FieldContext
) -> dict[str, list[DuplicateRule]]:
    """The duplicate rules of every file in ``folder``, by object name."""
    out: dict[str, list[DuplicateRule]] = {}
    for f in sorted(folder.glob("*" + DUPLICATE_SUFFIX)):
        obj, _, name = f.name[: -len(DUPLICATE_SUFFIX)].partition(".")
        here = ctx.at(f"{shown}/{f.name}")
        n = load(f, f"{shown}/{f.name}")
        rules: list[MatchingRule] = []
        for ref in n.children("duplicateRuleMatchRules"):
            wanted = (ref.text("matchingRule") or "").rsplit(".", 1)[-1].lower()
            found = matching.get(wanted) or STANDARD_MATCHING_RULES.get(wanted)
            if found is None:
                here.warn(f"matching rule {wanted!r} not found; duplicate rule {name} skipped")
                rules = []
                break
            rules.append(found)
        if not rules:
            continue
        out.setdefault(obj, []).append(
            DuplicateRule(
                name or obj,
                obj,
                tuple(rules),
                n.text("actionOnInsert") or "Allow",
                n.text("actionOnUpdate") or "Allow",
                n.text("alertText"),
                n.flag("isActive", True),
            )
        )
    return out


__all__ = ["read_duplicate_rules", "read_matching_rules"]
