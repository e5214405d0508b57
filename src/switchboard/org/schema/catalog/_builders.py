"""Compact constructors for standard fields and objects.

Each builder returns a ``FieldDef`` shaped like Salesforce's describe for that kind of
field (booleans are never null and default to false, references are 18 characters, ...).
``required=True`` means not nillable; ``read_only=True`` means the org maintains the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from ..model import FieldDef, FieldType, ObjectDef, PicklistValue
from ..system_fields import add_system_fields, name_field
from ._values import GEOCODE_ACCURACY, SALUTATION

FieldSpec = FieldDef | Iterable[FieldDef]

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def label_for(name: str) -> str:
    """A readable default label: ``IsClosed`` → ``Closed``, ``AccountId`` → ``Account ID``."""
    # The 2 of Product2 and Pricebook2 is a version mark, not part of the label.
    words = [w for i, w in enumerate(_WORDS.findall(name)) if not (i and w == "2")]
    if len(words) > 1 and words[0] in ("Is", "Has"):
        words = words[1:]
    if len(words) > 1 and words[-1] == "Id":
        words[-1] = "ID"
    return " ".join(words)


def _field(
    name: str,
    type_: FieldType,
    *,
    label: str | None = None,
    required: bool = False,
    read_only: bool = False,
    **kw: Any,
) -> FieldDef:
    if required:
        kw.setdefault("nillable", False)
    if read_only:
        kw["createable"] = False
        kw["updateable"] = False
    return FieldDef(name, type_, label=label or label_for(name), **kw)


def text(name: str, length: int = 255, **kw: Any) -> FieldDef:
    return _field(name, FieldType.STRING, length=length, **kw)


def textarea(name: str, length: int = 255, **kw: Any) -> FieldDef:
    return _field(name, FieldType.TEXTAREA, length=length, **kw)


def long_text(name: str = "Description", length: int = 32000, **kw: Any) -> FieldDef:
    """A long text area (Description fields): describe type ``textarea``, 32,000 chars."""
    return textarea(name, length, **kw)


def email(name: str = "Email", length: int = 80, **kw: Any) -> FieldDef:
    return _field(name, FieldType.EMAIL, length=length, **kw)


def phone(name: str = "Phone", length: int = 40, **kw: Any) -> FieldDef:
    return _field(name, FieldType.PHONE, length=length, **kw)


def url(name: str, length: int = 255, **kw: Any) -> FieldDef:
    return _field(name, FieldType.URL, length=length, **kw)


def _values(values: Sequence[str], default: str | None) -> tuple[PicklistValue, ...]:
    if default is not None and default not in values:
        raise ValueError(f"default {default!r} is not one of the values")
    return tuple(PicklistValue(v, default=(v == default)) for v in values)


def picklist(
    name: str,
    values: Sequence[str],
    restricted: bool = False,
    *,
    default: str | None = None,
    length: int = 255,
    type_: FieldType = FieldType.PICKLIST,
    **kw: Any,
) -> FieldDef:
    """A picklist; a ``default`` value is marked in the values and filled on create."""
    if default is not None:
        kw.setdefault("default_value", default)
        kw.setdefault("defaulted_on_create", True)
    return _field(
        name,
        type_,
        length=length,
        picklist=_values(values, default),
        restricted_picklist=restricted,
        **kw,
    )


def combobox(name: str, values: Sequence[str], length: int = 255, **kw: Any) -> FieldDef:
    """A text field with suggested values (Task.Subject, Event.Subject)."""
    return picklist(name, values, length=length, type_=FieldType.COMBOBOX, **kw)


def boolean(name: str, default: bool = False, **kw: Any) -> FieldDef:
    return _field(
        name,
        FieldType.BOOLEAN,
        nillable=False,
        defaulted_on_create=True,
        default_value=default,
        **kw,
    )


def integer(name: str, digits: int = 9, **kw: Any) -> FieldDef:
    return _field(name, FieldType.INT, digits=digits, **kw)


def double(name: str, precision: int = 18, scale: int = 0, **kw: Any) -> FieldDef:
    return _field(name, FieldType.DOUBLE, precision=precision, scale=scale, **kw)


def currency(name: str, precision: int = 18, scale: int = 2, **kw: Any) -> FieldDef:
    return _field(name, FieldType.CURRENCY, precision=precision, scale=scale, **kw)


def percent(name: str, precision: int = 3, scale: int = 0, **kw: Any) -> FieldDef:
    return _field(name, FieldType.PERCENT, precision=precision, scale=scale, **kw)


def date(name: str, **kw: Any) -> FieldDef:
    return _field(name, FieldType.DATE, **kw)


def datetime(name: str, **kw: Any) -> FieldDef:
    return _field(name, FieldType.DATETIME, **kw)


def lookup(
    name: str,
    to: str | Sequence[str],
    relationship: str | None = None,
    child_relationship: str | None = None,
    delete_constraint: str = "SetNull",
    **kw: Any,
) -> FieldDef:
    """A reference; the relationship name defaults to the field name without ``Id``."""
    targets = (to,) if isinstance(to, str) else tuple(to)
    if relationship is None:
        relationship = name[:-2] if name.endswith("Id") else name
    return _field(
        name,
        FieldType.REFERENCE,
        length=18,
        reference_to=targets,
        relationship_name=relationship,
        child_relationship_name=child_relationship,
        delete_constraint=delete_constraint,
        **kw,
    )


def master_detail(
    name: str, to: str, relationship: str, child_relationship: str, **kw: Any
) -> FieldDef:
    """A required parent whose deletion deletes the child; reparenting is off."""
    kw.setdefault("updateable", False)
    return lookup(
        name,
        to,
        relationship,
        child_relationship,
        delete_constraint="Cascade",
        nillable=False,
        master_detail=True,
        **kw,
    )


def name(length: int = 80, label: str = "Name", **kw: Any) -> FieldDef:
    """The required text Name field."""
    return name_field(label=label).with_(length=length, **kw)


def person_name(*, salutation: bool = True, label: str = "Full Name") -> list[FieldDef]:
    """The name parts of Contact, Lead and User, then the ``Name`` they make up.

    Salesforce's describe marks each part with ``compoundFieldName: Name``; this is the
    one place that flag is set, and the org's other code (change events, FIELDS(), the
    Name the org fills on every write) reads it from here. Name itself stays a plain
    stored string: REST and SOQL return it as text, not as a nested value.
    """
    part: dict[str, Any] = {"compound_field_name": "Name"}
    parts = [text("LastName", 80, required=True, **part), text("FirstName", 40, **part)]
    if salutation:
        parts.append(picklist("Salutation", SALUTATION, **part))
    full = text("Name", 121, label=label, nillable=False, read_only=True, name_field=True)
    return [*parts, full]


def auto_number(
    name: str, display_format: str, *, length: int = 30, label: str | None = None
) -> FieldDef:
    """An auto-number that serves as the object's name field (CaseNumber, OrderNumber...)."""
    return text(
        name,
        length,
        label=label,
        nillable=False,
        read_only=True,
        defaulted_on_create=True,
        auto_number=True,
        display_format=display_format,
        name_field=True,
        id_lookup=True,
    )


def address(
    prefix: str = "", label: str | None = None, *, read_only: bool = False
) -> list[FieldDef]:
    """The components of an address, then the compound field that views them.

    ``address("Billing")`` gives BillingStreet ... BillingGeocodeAccuracy and
    BillingAddress; ``address()`` gives Street ... GeocodeAccuracy and Address.
    """
    compound = f"{prefix}Address"
    head = f"{label or label_for(prefix)} " if prefix else ""
    common: dict[str, Any] = {"compound_field_name": compound, "read_only": read_only}
    return [
        textarea(f"{prefix}Street", 255, label=f"{head}Street", **common),
        text(f"{prefix}City", 40, label=f"{head}City", **common),
        text(f"{prefix}State", 80, label=f"{head}State/Province", **common),
        text(f"{prefix}PostalCode", 20, label=f"{head}Zip/Postal Code", **common),
        text(f"{prefix}Country", 80, label=f"{head}Country", **common),
        double(f"{prefix}Latitude", 18, 15, label=f"{head}Latitude", **common),
        double(f"{prefix}Longitude", 18, 15, label=f"{head}Longitude", **common),
        picklist(
            f"{prefix}GeocodeAccuracy",
            GEOCODE_ACCURACY,
            True,
            length=40,
            label=f"{head}Geocode Accuracy",
            **common,
        ),
        _field(compound, FieldType.ADDRESS, label=f"{head}Address", read_only=True),
    ]


def sobject(
    api_name: str,
    label: str,
    plural: str,
    key_prefix: str,
    fields: Iterable[FieldSpec],
    *,
    owner: bool = True,
    **kw: Any,
) -> ObjectDef:
    """Build an object from fields (or lists of them) and add its system fields last."""
    obj = ObjectDef(api_name, label, plural, key_prefix, **kw)
    for spec in fields:
        for f in [spec] if isinstance(spec, FieldDef) else spec:
            if obj.field(f.name) is not None:
                raise ValueError(f"{api_name}.{f.name} is defined twice")
            obj.add(f)
    return add_system_fields(obj, owner=owner)
