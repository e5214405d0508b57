"""Field history objects: ``AccountHistory``, ``ContactHistory``, ``<Object>__History``.

Derived, not deployed: an object whose fields set ``trackHistory`` (a custom object
also needs ``enableHistory``) gets its history object on every schema load, with a table
like any object's, queryable by SOQL and a child of its parent as ``Histories``. All
history objects share Salesforce's key prefix 017; a record id never leads to them, so
they are left out of the by-prefix index.
"""

from __future__ import annotations

from typing import Any

from .model import FieldDef, FieldType, ObjectDef
from .system_fields import add_system_fields

HISTORY_PREFIX = "017"
_STANDARD_NAMES = {"opportunity": "OpportunityFieldHistory"}
_RO: dict[str, Any] = {"createable": False, "updateable": False, "system": True}


# Standard objects whose history object always exists (tracking or not), as in any org.
_STANDARD_HISTORY = frozenset({"account", "contact", "lead", "opportunity", "case"})


def has_history(obj: ObjectDef) -> bool:
    """Whether ``obj`` has a history object: a standard one that always does, or one
    that tracks fields."""
    return (obj.kind == "standard" and obj.name.lower() in _STANDARD_HISTORY) or bool(
        tracked_fields(obj)
    )


def tracked_fields(obj: ObjectDef) -> list[FieldDef]:
    """The fields whose changes ``obj`` records (none unless history is on)."""
    if obj.kind not in ("standard", "custom") or (obj.custom and not obj.enable_history):
        return []
    return [f for f in obj.fields.values() if f.track_history and f.stored]


def history_name(obj: ObjectDef) -> str:
    if obj.custom:
        return obj.name[:-3] + "__History"
    return _STANDARD_NAMES.get(obj.name.lower(), obj.name + "History")


def parent_field_name(obj: ObjectDef) -> str:
    return "ParentId" if obj.custom else obj.name + "Id"


def history_object(obj: ObjectDef) -> ObjectDef:
    """The history object of ``obj``."""
    name = history_name(obj)
    out = ObjectDef(
        name,
        f"{obj.label} History",
        f"{obj.label} History",
        HISTORY_PREFIX,
        custom=obj.custom,
        kind="history",
        createable=False,
        updateable=False,
        deletable=False,
        track_changes=False,
    )
    parent = parent_field_name(obj)
    fields = [
        FieldDef("Id", FieldType.ID, label="History ID", length=18, nillable=False, **_RO),
        FieldDef("IsDeleted", FieldType.BOOLEAN, label="Deleted", nillable=False, **_RO),
        FieldDef(
            parent,
            FieldType.REFERENCE,
            label=obj.label + " ID",
            length=18,
            nillable=False,
            reference_to=(obj.name,),
            relationship_name=parent[:-2] if parent.endswith("Id") else parent,
            child_relationship_name="Histories",
            delete_constraint="Cascade",
            **_RO,
        ),
        FieldDef("Field", FieldType.STRING, label="Changed Field", length=255, **_RO),
        FieldDef("DataType", FieldType.STRING, label="Data Type", length=40, **_RO),
        FieldDef("OldValue", FieldType.TEXTAREA, label="Old Value", length=32768, **_RO),
        FieldDef("NewValue", FieldType.TEXTAREA, label="New Value", length=32768, **_RO),
        FieldDef(
            "CreatedById",
            FieldType.REFERENCE,
            label="Created By ID",
            length=18,
            reference_to=("User",),
            relationship_name="CreatedBy",
            **_RO,
        ),
        FieldDef("CreatedDate", FieldType.DATETIME, label="Created Date", **_RO),
    ]
    for f in fields:
        out.add(f)
    # The audit fields every stored object has: a cascade delete from the parent
    # soft-deletes its history rows through the same writer, which stamps them.
    return add_system_fields(out, owner=False)


__all__ = [
    "HISTORY_PREFIX",
    "has_history",
    "history_name",
    "history_object",
    "parent_field_name",
    "tracked_fields",
]
