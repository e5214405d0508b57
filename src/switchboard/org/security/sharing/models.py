"""Organization-wide defaults: the baseline access to records a user does not own.

The four models of Salesforce's sharing settings, as SFDX ``sharingModel`` spells them:

    Private             only the owner, users above the owner in the role hierarchy,
                        and whoever a sharing rule names
    Read                everyone reads (Public Read Only); editing as under Private
    ReadWrite           everyone reads and edits (also ReadWriteTransfer, FullAccess)
    ControlledByParent  access follows the parent record (a detail of a master-detail
                        relationship always does; Contact follows its Account)

Objects without an owner (User, Profile, UserRole, ...) are never shared record by
record. A new org ships the defaults below (Salesforce's "Default Organization-Wide
Access Levels"); custom objects start Public Read/Write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...schema.model import FieldDef, ObjectDef

if TYPE_CHECKING:
    from .rules import SharingRule

PRIVATE = "Private"
READ = "Read"
READ_WRITE = "ReadWrite"
CONTROLLED_BY_PARENT = "ControlledByParent"
MODELS = (PRIVATE, READ, READ_WRITE, CONTROLLED_BY_PARENT)
# SFDX spellings that grant what ReadWrite grants here (transfer is not modelled apart).
_ALIASES = {"readwritetransfer": READ_WRITE, "fullaccess": READ_WRITE, "publicreadonly": READ,
            "publicreadwrite": READ_WRITE}  # fmt: skip

# Shipped defaults of standard objects that are not Public Read/Write; the parent field
# of the ControlledByParent ones.
SHIPPED = {
    "contact": CONTROLLED_BY_PARENT,
    "order": CONTROLLED_BY_PARENT,
    "task": PRIVATE,
    "event": PRIVATE,
}
PARENT_FIELD = {"contact": "AccountId", "order": "AccountId", "opportunity": "AccountId",
                "case": "AccountId", "asset": "AccountId"}  # fmt: skip


def normalize(model: str) -> str | None:
    """The model an SFDX ``sharingModel`` names, or None when it names none."""
    key = model.strip().lower()
    for m in MODELS:
        if m.lower() == key:
            return m
    return _ALIASES.get(key)


@dataclass(slots=True)
class SharingConfig:
    """What one schema load knows of sharing: set models and rules, by object (lower)."""

    models: dict[str, str] = field(default_factory=dict)
    rules: dict[str, list[SharingRule]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Effective:
    model: str
    # The lookup whose target decides access, for ControlledByParent.
    parent: FieldDef | None = None


_PUBLIC = Effective(READ_WRITE)


def effective(config: SharingConfig, obj: ObjectDef) -> Effective:
    """The model that applies to ``obj``: a master-detail child follows its master;
    otherwise the deployed model, then the shipped default."""
    master = next((f for f in obj.fields.values() if f.master_detail), None)
    if master is not None:
        return Effective(CONTROLLED_BY_PARENT, master)
    if obj.field("OwnerId") is None:
        return _PUBLIC
    key = obj.name.lower()
    model = config.models.get(key) or SHIPPED.get(key, READ_WRITE)
    if model != CONTROLLED_BY_PARENT:
        return Effective(model)
    name = PARENT_FIELD.get(key)
    parent = obj.field(name) if name else None
    if parent is None:  # no parent to follow: the object is as private as it gets
        return Effective(PRIVATE)
    return Effective(model, parent)


__all__ = [
    "CONTROLLED_BY_PARENT",
    "MODELS",
    "PRIVATE",
    "READ",
    "READ_WRITE",
    "Effective",
    "SharingConfig",
    "effective",
    "normalize",
]
