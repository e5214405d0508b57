"""Describe results generated from the metadata model, in Salesforce's JSON shape."""

from __future__ import annotations

from typing import Any

from .model import FieldDef, FieldType, ObjectDef
from .registry import Schema

_SOAP = {
    FieldType.ID: "tns:ID",
    FieldType.REFERENCE: "tns:ID",
    FieldType.BOOLEAN: "xsd:boolean",
    FieldType.INT: "xsd:int",
    FieldType.DOUBLE: "xsd:double",
    FieldType.CURRENCY: "xsd:double",
    FieldType.PERCENT: "xsd:double",
    FieldType.DATE: "xsd:date",
    FieldType.DATETIME: "xsd:dateTime",
    FieldType.TIME: "xsd:time",
    FieldType.ADDRESS: "urn:address",
    FieldType.LOCATION: "urn:location",
    FieldType.BASE64: "xsd:base64Binary",
}
_NOT_FILTERABLE = {FieldType.TEXTAREA, FieldType.ADDRESS, FieldType.LOCATION, FieldType.BASE64}


def _urls(obj: ObjectDef, version: str) -> dict[str, str]:
    base = f"/services/data/v{version}/sobjects/{obj.name}"
    return {
        "rowTemplate": f"{base}/{{ID}}",
        "describe": f"{base}/describe",
        "sobject": base,
    }


def describe_field(f: FieldDef) -> dict[str, Any]:
    textual = f.type not in _SOAP or f.type in (FieldType.ID, FieldType.REFERENCE)
    long_text = f.type == FieldType.TEXTAREA and f.length > 255
    return {
        # Ciphertext neither sorts nor groups; deterministic ciphertext filters by equality.
        "aggregatable": f.type not in _NOT_FILTERABLE and not long_text and not f.encrypted,
        "autoNumber": f.auto_number,
        "byteLength": f.length * 3 if textual else 0,
        "calculated": f.calculated,
        "calculatedFormula": f.formula,
        "cascadeDelete": f.master_detail or f.delete_constraint == "Cascade",
        "caseSensitive": f.case_sensitive,
        "compoundFieldName": f.compound_field_name,
        "controllerName": None,
        "createable": f.createable,
        "custom": f.custom,
        "defaultValue": f.default_value,
        "defaultValueFormula": None,
        "defaultedOnCreate": f.defaulted_on_create,
        "dependentPicklist": False,
        "deprecatedAndHidden": False,
        "digits": f.digits,
        "displayLocationInDecimal": f.type == FieldType.LOCATION,
        "encrypted": f.type == FieldType.ENCRYPTEDSTRING or f.encrypted,
        "externalId": f.external_id,
        "extraTypeInfo": f.extra_type_info,
        "filterable": f.type not in _NOT_FILTERABLE
        and not long_text
        and (not f.encrypted or f.deterministic),
        "filteredLookupInfo": None,
        "groupable": f.type not in _NOT_FILTERABLE
        and not f.encrypted
        and f.type
        not in (FieldType.DOUBLE, FieldType.CURRENCY, FieldType.PERCENT, FieldType.DATETIME),
        "highScaleNumber": False,
        "htmlFormatted": f.html_formatted,
        "idLookup": f.id_lookup,
        "inlineHelpText": None,
        "label": f.label or f.name,
        "length": f.length if textual else 0,
        "mask": None,
        "maskType": None,
        "name": f.name,
        "nameField": f.name_field,
        "namePointing": f.polymorphic,
        "nillable": f.nillable,
        "permissionable": f.custom and f.nillable,
        "picklistValues": [p.describe() for p in f.picklist],
        "polymorphicForeignKey": f.polymorphic,
        "precision": f.precision,
        "queryByDistance": False,
        "referenceTargetField": None,
        "referenceTo": list(f.reference_to),
        "relationshipName": f.relationship_name,
        "relationshipOrder": 0 if f.master_detail else None,
        "restrictedDelete": f.delete_constraint == "Restrict",
        "restrictedPicklist": f.restricted_picklist,
        "scale": f.scale,
        "searchPrefilterable": False,
        "soapType": _SOAP.get(f.type, "xsd:string"),
        "sortable": f.type not in _NOT_FILTERABLE and not long_text and not f.encrypted,
        "type": f.type.value,
        "unique": f.unique,
        "updateable": f.updateable,
        "writeRequiresMasterRead": False,
    }


def describe_global_entry(obj: ObjectDef, version: str) -> dict[str, Any]:
    return {
        "activateable": False,
        "associateEntityType": None,
        "associateParentEntity": None,
        "createable": obj.createable,
        "custom": obj.custom,
        "customSetting": False,
        "deepCloneable": False,
        "deletable": obj.deletable,
        "deprecatedAndHidden": False,
        "feedEnabled": False,
        "hasSubtypes": False,
        "isInterface": False,
        "isSubtype": False,
        "keyPrefix": obj.key_prefix,
        "label": obj.label,
        "labelPlural": obj.label_plural,
        "layoutable": obj.kind != "platform_event",
        "mergeable": obj.name in ("Account", "Contact", "Lead"),
        "mruEnabled": obj.kind != "platform_event",
        "name": obj.name,
        "queryable": obj.queryable,
        "replicateable": obj.kind != "platform_event",
        "retrieveable": obj.retrieveable,
        "searchable": obj.kind != "platform_event",
        "triggerable": True,
        "undeletable": obj.deletable,
        "updateable": obj.updateable,
        "urls": _urls(obj, version),
    }


def describe_global(schema: Schema, version: str) -> dict[str, Any]:
    objects = sorted(schema.objects(), key=lambda o: o.name.lower())
    return {
        "encoding": "UTF-8",
        "maxBatchSize": 200,
        "sobjects": [describe_global_entry(o, version) for o in objects],
    }


def describe_object(schema: Schema, obj: ObjectDef, version: str) -> dict[str, Any]:
    out = describe_global_entry(obj, version)
    out["actionOverrides"] = []
    out["childRelationships"] = [
        {
            "cascadeDelete": rel.field.master_detail or rel.field.delete_constraint == "Cascade",
            "childSObject": rel.child.name,
            "deprecatedAndHidden": False,
            "field": rel.field.name,
            "junctionIdListNames": [],
            "junctionReferenceTo": [],
            "relationshipName": rel.name,
            "restrictedDelete": rel.field.delete_constraint == "Restrict",
        }
        for rel in schema.children(obj)
    ]
    out["compactLayoutable"] = True
    out["defaultImplementation"] = None
    out["extendedBy"] = None
    out["extendsInterfaces"] = None
    out["fields"] = [describe_field(f) for f in obj.fields.values()]
    out["implementedBy"] = None
    out["implementsInterfaces"] = None
    out["listviewable"] = None
    out["lookupLayoutable"] = None
    out["namedLayoutInfos"] = []
    out["networkScopeFieldName"] = None
    out["recordTypeInfos"] = []
    out["searchLayoutable"] = True
    out["sobjectDescribeOption"] = "FULL"
    out["supportedScopes"] = [{"label": "All records", "name": "everything"}]
    out["urls"] = {
        **out["urls"],
        "compactLayouts": f"/services/data/v{version}/sobjects/{obj.name}/describe/compactLayouts",
        "layouts": f"/services/data/v{version}/sobjects/{obj.name}/describe/layouts",
    }
    return out


__all__ = ["describe_field", "describe_global", "describe_object"]
