"""Sharing in SFDX source: ``roles/*.role-meta.xml``, ``sharingRules/*.sharingRules-meta.xml``
and each object's ``sharingModel``.

Found anywhere under the project (package directories included), as the CLI deploys
them. A role file's name is its DeveloperName; ``parentRole`` names the parent's. A
sharing rules file is named after its object and holds ``sharingOwnerRules`` and
``sharingCriteriaRules``; the roles they share from and to are ``role`` or
``roleAndSubordinates`` (``roleAndSubordinatesInternal`` reads as the latter). Public
groups, queues and territories are not modelled: such a rule is skipped with a warning.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ...schema.sfdx._xml import Node, load
from .deploy import RoleDef
from .models import normalize
from .rules import ACCESS_LEVELS, ROLE, SUBS, Criterion, SharingRule

_ROLE = ".role-meta.xml"
_RULES = ".sharingRules-meta.xml"
_OBJECT = ".object-meta.xml"
_TARGETS = {"role": ROLE, "roleandsubordinates": SUBS, "roleandsubordinatesinternal": SUBS}


@dataclass
class SharingSource:
    roles: list[RoleDef] = field(default_factory=list)
    models: dict[str, str] = field(default_factory=dict)
    rules: list[SharingRule] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.roles or self.models or self.rules)


def _files(root: Path, suffix: str) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "node_modules")
        out += [Path(dirpath) / f for f in sorted(filenames) if f.endswith(suffix)]
    return out


def _target(node: Node | None) -> tuple[str, str] | None:
    if node is None:
        return None
    for tag in node.tags():
        kind = _TARGETS.get(tag.lower())
        value = node.text(tag)
        if kind is not None and value:
            return (kind, value)
    return None


def _rule(obj: str, n: Node, criteria: bool, shown: str, warn: list[str]) -> SharingRule | None:
    name = n.text("fullName") or ""
    level = n.text("accessLevel") or ""
    to = _target(n.child("sharedTo"))
    source = None if criteria else _target(n.child("sharedFrom"))
    if level not in ACCESS_LEVELS:
        warn.append(f"{shown}: {name}: accessLevel {level or '(none)'} not supported; skipped")
        return None
    if to is None or (not criteria and source is None):
        warn.append(f"{shown}: {name}: only roles are modelled as sharedTo/sharedFrom; skipped")
        return None
    items = tuple(
        Criterion(c.text("field") or "", c.text("operation") or "", c.text("value") or "")
        for c in n.children("criteriaItems")
    )
    return SharingRule(obj, name, level, to, source, items, n.text("booleanFilter"))


def read_sharing(root: Path | str) -> SharingSource:
    root = Path(root)
    out = SharingSource()
    for f in _files(root, _ROLE):
        n = load(f, f.name)
        dev = f.name[: -len(_ROLE)]
        out.roles.append(RoleDef(dev, n.text("name") or dev, n.text("parentRole"),
                                 n.text("description")))  # fmt: skip
    for f in _files(root, _OBJECT):
        model = load(f, f.name).text("sharingModel")
        if model is None:
            continue
        found = normalize(model)
        if found is None:
            out.warnings.append(f"{f.name}: sharingModel {model} not supported; ignored")
        else:
            out.models[f.name[: -len(_OBJECT)]] = found
    for f in _files(root, _RULES):
        obj = f.name[: -len(_RULES)]
        n = load(f, f.name)
        for tag, criteria in (("sharingOwnerRules", False), ("sharingCriteriaRules", True)):
            for r in n.children(tag):
                rule = _rule(obj, r, criteria, f.name, out.warnings)
                if rule is not None:
                    out.rules.append(rule)
    return out


__all__ = ["SharingSource", "read_sharing"]
