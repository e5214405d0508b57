"""The fields every object carries and the org maintains: Id, Name, audit fields, IsDeleted."""

from __future__ import annotations

from typing import Any

from .model import FieldDef, FieldType, ObjectDef

_READ_ONLY: dict[str, Any] = {"createable": False, "updateable": False, "system": True}


def _ref(name: str, label: str, relationship: str, *, updateable: bool = False) -> FieldDef:
    return FieldDef(
        name,
        FieldType.REFERENCE,
        label=label,
        length=18,
        nillable=False,
        createable=updateable,
        updateable=updateable,
        defaulted_on_create=True,
        reference_to=("User",),
        relationship_name=relationship,
        system=True,
    )


def name_field(
    *, label: str = "Name", auto_number: bool = False, display_format: str | None = None
) -> FieldDef:
    """The Name field: text (required) or auto-number (read-only, assigned on create)."""
    if auto_number:
        return FieldDef(
            "Name",
            FieldType.STRING,
            label=label,
            length=80,
            nillable=False,
            createable=False,
            updateable=False,
            defaulted_on_create=True,
            auto_number=True,
            display_format=display_format or "A-{0000}",
            name_field=True,
            id_lookup=True,
        )
    return FieldDef(
        "Name",
        FieldType.STRING,
        label=label,
        length=80,
        nillable=False,
        name_field=True,
        id_lookup=True,
    )


def add_system_fields(obj: ObjectDef, *, owner: bool = True) -> ObjectDef:
    """Add Id first and the audit fields; keep fields already defined (e.g. Name)."""
    existing = dict(obj.fields)
    obj.fields.clear()
    obj._stored = None
    obj.add(
        FieldDef(
            "Id",
            FieldType.ID,
            label=f"{obj.label} ID",
            length=18,
            nillable=False,
            id_lookup=True,
            defaulted_on_create=True,
            **_READ_ONLY,
        )
    )
    for f in existing.values():
        obj.add(f)
    if owner and obj.field("OwnerId") is None:
        obj.add(_ref("OwnerId", "Owner ID", "Owner", updateable=True).with_(createable=True))
    obj.add(
        FieldDef(
            "IsDeleted",
            FieldType.BOOLEAN,
            label="Deleted",
            nillable=False,
            defaulted_on_create=True,
            **_READ_ONLY,
        )
    )
    obj.add(
        FieldDef(
            "CreatedDate",
            FieldType.DATETIME,
            label="Created Date",
            nillable=False,
            defaulted_on_create=True,
            **_READ_ONLY,
        )
    )
    obj.add(_ref("CreatedById", "Created By ID", "CreatedBy"))
    obj.add(
        FieldDef(
            "LastModifiedDate",
            FieldType.DATETIME,
            label="Last Modified Date",
            nillable=False,
            defaulted_on_create=True,
            **_READ_ONLY,
        )
    )
    obj.add(_ref("LastModifiedById", "Last Modified By ID", "LastModifiedBy"))
    obj.add(
        FieldDef(
            "SystemModstamp",
            FieldType.DATETIME,
            label="System Modstamp",
            nillable=False,
            defaulted_on_create=True,
            **_READ_ONLY,
        )
    )
    return obj


__all__ = ["add_system_fields", "name_field"]
