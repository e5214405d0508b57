"""CustomField XML → FieldDef: metadata field types mapped onto describe types.

Each metadata ``<type>`` has a builder in ``BUILDERS``; what applies to every type
(required, unique, external id, formula, default value) is handled around it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..model import FieldDef, FieldType, PicklistValue
from ._literals import NotALiteral, default_literal
from ._xml import Node

# Read by this module.
_HANDLED = frozenset(
    "fullName label type length precision scale required unique externalId caseSensitive "
    "defaultValue description formula summaryOperation summarizedField referenceTo "
    "relationshipName relationshipLabel deleteConstraint reparentableMasterDetail valueSet "
    "summaryForeignKey summaryFilterItems "
    "picklist displayFormat displayLocationInDecimal visibleLines formulaTreatBlanksAs "
    "trackHistory encryptionScheme".split()
)
# Known elements that change nothing the org models: UI, tracking, compliance, packaging.
_IGNORED = frozenset(
    "inlineHelpText trackTrending trackFeedHistory isFilteringDisabled "
    "isNameField isSortingDisabled businessOwnerGroup businessOwnerUser businessStatus "
    "complianceGroup securityClassification deprecated escapeMarkup "
    "stripMarkup fieldManageability lookupFilter maskChar maskType "
    "populateExistingRows relationshipOrder writeRequiresMasterRead "
    "externalDeveloperName externalName referenceTargetField "
    "restrictedAdminField isConvertLeadDisabled isAIPredictionField customDataType "
    "metadataRelationshipControllingField startingNumber readOnlyProxy".split()
)
DELETE_CONSTRAINTS = ("SetNull", "Restrict", "Cascade")


@dataclass(frozen=True, slots=True)
class Summary:
    """A roll-up summary whose type depends on the field it summarizes."""

    obj: str
    field: str
    operation: str
    summarized: str | None


@dataclass(slots=True)
class FieldContext:
    """What reading a field needs besides its element; warnings name ``where``."""

    warnings: list[str] = field(default_factory=list)
    # Global value sets by name, for picklists that use one (valueSet/valueSetName).
    value_sets: Mapping[str, tuple[PicklistValue, ...]] = field(default_factory=dict)
    summaries: list[Summary] = field(default_factory=list)
    where: str = ""
    obj: str = ""

    def at(self, where: str, obj: str | None = None) -> FieldContext:
        """The same context, reporting against another file (and object)."""
        return replace(self, where=where, obj=self.obj if obj is None else obj)

    def warn(self, message: str) -> None:
        self.warnings.append(f"{self.where}: {message}" if self.where else message)


Builder = Callable[[Node, dict[str, Any], FieldContext], FieldDef]


def _sized(ftype: FieldType, default_length: int, **extra: Any) -> Builder:
    def build(n: Node, base: dict[str, Any], ctx: FieldContext) -> FieldDef:
        return FieldDef(type=ftype, length=n.int("length", default_length), **extra, **base)

    return build


def _fixed(ftype: FieldType, length: int = 0, **extra: Any) -> Builder:
    def build(n: Node, base: dict[str, Any], ctx: FieldContext) -> FieldDef:
        return FieldDef(type=ftype, length=length, **extra, **base)

    return build


def _number(ftype: FieldType) -> Builder:
    def build(n: Node, base: dict[str, Any], ctx: FieldContext) -> FieldDef:
        return FieldDef(
            type=ftype, precision=n.int("precision", 18), scale=n.int("scale", 0), **base
        )

    return build


def _checkbox(n: Node, base: dict[str, Any], ctx: FieldContext) -> FieldDef:
    base.update(nillable=False, default_value=False, defaulted_on_create=True)
    return FieldDef(type=FieldType.BOOLEAN, **base)


def _auto_number(n: Node, base: dict[str, Any], ctx: FieldContext) -> FieldDef:
    base.update(nillable=False, createable=False, updateable=False, defaulted_on_create=True)
    return FieldDef(
        type=FieldType.STRING,
        length=30,
        auto_number=True,
        display_format=n.text("displayFormat") or "{0}",
        **base,
    )


def _reference(n: Node, base: dict[str, Any], ctx: FieldContext) -> FieldDef:
    name = base["name"]
    kind = n.text("type")
    target = n.text("referenceTo") or ("User" if kind == "Hierarchy" else None)
    if target is None:
        ctx.warn(f"{kind} field {name} has no <referenceTo>")
    child = n.text("relationshipName")
    constraint = n.text("deleteConstraint") or "SetNull"
    if constraint not in DELETE_CONSTRAINTS:
        ctx.warn(f"unknown deleteConstraint {constraint!r}, using SetNull")
        constraint = "SetNull"
    if kind == "MasterDetail":
        # Detail records cannot be re-parented unless the field allows it.
        base.update(nillable=False, updateable=n.flag("reparentableMasterDetail"))
        constraint = "Cascade"
    return FieldDef(
        type=FieldType.REFERENCE,
        length=18,
        reference_to=(target,) if target else (),
        relationship_name=name[:-3] + "__r" if name.lower().endswith("__c") else name,
        child_relationship_name=child + "__r" if child else None,
        delete_constraint=constraint,
        master_detail=kind == "MasterDetail",
        **base,
    )


def _summary(n: Node, base: dict[str, Any], ctx: FieldContext) -> FieldDef:
    op = (n.text("summaryOperation") or "count").lower()
    ctx.summaries.append(Summary(ctx.obj, base["name"], op, n.text("summarizedField")))
    base.update(createable=False, updateable=False)
    filters = [
        [item.text("field") or "", item.text("operation") or "equals", item.text("value") or ""]
        for item in n.children("summaryFilterItems")
    ]
    return FieldDef(
        type=FieldType.DOUBLE,
        precision=18,
        scale=0,
        calculated=True,
        summary_operation=op,
        summary_foreign_key=n.text("summaryForeignKey"),
        summarized_field=n.text("summarizedField"),
        summary_filters=json.dumps(filters) if filters else None,
        **base,
    )


BUILDERS: dict[str, Builder] = {
    "Text": _sized(FieldType.STRING, 255),
    "TextArea": _fixed(FieldType.TEXTAREA, 255),
    "LongTextArea": _sized(FieldType.TEXTAREA, 32768, extra_type_info="plaintextarea"),
    "Html": _sized(FieldType.TEXTAREA, 32768, extra_type_info="richtextarea", html_formatted=True),
    "EncryptedText": _sized(FieldType.ENCRYPTEDSTRING, 175),
    "Email": _fixed(FieldType.EMAIL, 80),
    "Phone": _fixed(FieldType.PHONE, 40),
    "Url": _fixed(FieldType.URL, 255),
    "Picklist": _fixed(FieldType.PICKLIST, 255),
    "MultiselectPicklist": _fixed(FieldType.MULTIPICKLIST, 4099),
    "Checkbox": _checkbox,
    "Number": _number(FieldType.DOUBLE),
    "Currency": _number(FieldType.CURRENCY),
    "Percent": _number(FieldType.PERCENT),
    "Date": _fixed(FieldType.DATE),
    "DateTime": _fixed(FieldType.DATETIME),
    "Time": _fixed(FieldType.TIME),
    "AutoNumber": _auto_number,
    "Lookup": _reference,
    "MasterDetail": _reference,
    "Hierarchy": _reference,
    "ExternalLookup": _reference,
    "IndirectLookup": _reference,
    "MetadataRelationship": _reference,
    "Summary": _summary,
    "Location": _fixed(FieldType.LOCATION, createable=False, updateable=False),
}


def read_field(n: Node, ctx: FieldContext, *, fallback_name: str = "") -> list[FieldDef]:
    """The fields one CustomField element defines: one, or three for a Location."""
    name = (n.text("fullName") or fallback_name).rsplit(".", 1)[-1]
    for tag in n.tags():
        if tag not in _HANDLED and tag not in _IGNORED:
            ctx.warn(f"ignored element <{tag}>")
    kind = n.text("type") or ("Text" if n.text("formula") else None)
    base: dict[str, Any] = {
        "name": name,
        "label": n.text("label") or name,
        "nillable": not n.flag("required"),
        "unique": n.flag("unique"),
        "case_sensitive": n.flag("caseSensitive"),
        "external_id": n.flag("externalId"),
        "id_lookup": n.flag("externalId"),
        "custom": True,
    }
    builder = BUILDERS.get(kind or "")
    if builder is None:
        ctx.warn(f"unknown field type {kind!r} for {name}, loaded as read-only text")
        base.update(createable=False, updateable=False)
        return [FieldDef(type=FieldType.STRING, length=255, calculated=True, **base)]
    f = builder(n, base, ctx)
    if kind in ("Picklist", "MultiselectPicklist"):
        f = _with_picklist(f, n, ctx)
    formula = n.text("formula")
    if formula is not None:
        f = f.with_(
            calculated=True,
            formula=formula,
            createable=False,
            updateable=False,
            nillable=f.type != FieldType.BOOLEAN,
            defaulted_on_create=False,
            default_value=None,
            # Absent, Salesforce treats blanks as zeroes (the editor's first choice).
            blank_as_zero=(n.text("formulaTreatBlanksAs") or "BlankAsZero") == "BlankAsZero",
            length=1300 if f.type == FieldType.STRING and n.text("length") is None else f.length,
        )
    elif (raw := n.text("defaultValue")) is not None:
        f = _with_default(f, raw, ctx)
    if n.flag("trackHistory"):
        f = f.with_(track_history=True)
    scheme = n.text("encryptionScheme")
    if scheme and scheme != "None":
        f = f.with_(encryption_scheme=scheme)  # checked at deploy (security.encryption)
    if f.type == FieldType.LOCATION:
        return [f, *_location_parts(f, n.int("scale", 15))]
    return [f]


def _with_default(f: FieldDef, raw: str, ctx: FieldContext) -> FieldDef:
    try:
        value = default_literal(raw, f.type)
    except NotALiteral:
        # Compiled and type-checked at deploy, evaluated on create (org.formulas).
        return f.with_(default_formula=raw, defaulted_on_create=True)
    if value is None:
        return f
    return f.with_(default_value=value, defaulted_on_create=True)


def _with_picklist(f: FieldDef, n: Node, ctx: FieldContext) -> FieldDef:
    values: tuple[PicklistValue, ...] = ()
    restricted = False
    if (vs := n.child("valueSet")) is not None:
        restricted = vs.flag("restricted")
        if (definition := vs.child("valueSetDefinition")) is not None:
            values = tuple(_value(v, "fullName") for v in definition.children("value"))
        elif (set_name := vs.text("valueSetName")) is not None:
            # Global value sets are always restricted.
            restricted = True
            if set_name in ctx.value_sets:
                values = ctx.value_sets[set_name]
            else:
                ctx.warn(f"global value set {set_name!r} of {f.name} not found")
    elif (legacy := n.child("picklist")) is not None:
        restricted = legacy.flag("restrictedPicklist")
        values = tuple(_value(v, "fullName") for v in legacy.children("picklistValues"))
    defaults = [v.value for v in values if v.default]
    default = ";".join(defaults) if defaults else None
    if f.type == FieldType.PICKLIST and defaults:
        default = defaults[0]
    return f.with_(
        picklist=values,
        restricted_picklist=restricted,
        default_value=default,
        defaulted_on_create=default is not None,
    )


def _value(v: Node, key: str) -> PicklistValue:
    value = v.text(key) or ""
    return PicklistValue(
        value=value,
        label=v.text("label") or value,
        default=v.flag("default"),
        active=v.flag("isActive", True),
    )


def read_value_set(n: Node) -> tuple[PicklistValue, ...]:
    """The values of a GlobalValueSet file."""
    return tuple(_value(v, "fullName") for v in n.children("customValue"))


def _location_parts(f: FieldDef, scale: int) -> list[FieldDef]:
    stem = f.name[:-3] if f.name.lower().endswith("__c") else f.name
    parts = []
    for part, whole_digits in (("Latitude", 2), ("Longitude", 3)):
        parts.append(
            FieldDef(
                f"{stem}__{part}__s",
                FieldType.DOUBLE,
                label=f"{f.label} ({part})",
                precision=whole_digits + scale,
                scale=scale,
                nillable=f.nillable,
                compound_field_name=f.name,
                custom=True,
            )
        )
    return parts


__all__ = ["BUILDERS", "FieldContext", "Summary", "read_field", "read_value_set"]
