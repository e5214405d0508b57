"""Object and field definitions to and from JSON, for the org's metadata tables."""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson

from .model import FieldDef, FieldType, ObjectDef, PicklistValue

_FIELD_DEFAULTS = {f.name: f.default for f in dataclasses.fields(FieldDef) if f.init}


def field_to_dict(f: FieldDef) -> dict[str, Any]:
    out: dict[str, Any] = {"name": f.name, "type": f.type.value}
    for spec in dataclasses.fields(FieldDef):
        if spec.name in ("name", "type") or not spec.init:
            continue
        value = getattr(f, spec.name)
        if value == _FIELD_DEFAULTS.get(spec.name):
            continue  # keep stored definitions short: defaults are implied
        if spec.name == "picklist":
            value = [dataclasses.asdict(p) for p in value]
        elif isinstance(value, tuple):
            value = list(value)
        out[spec.name] = value
    return out


def field_from_dict(d: dict[str, Any]) -> FieldDef:
    known = {f.name for f in dataclasses.fields(FieldDef) if f.init}
    kwargs = {k: v for k, v in d.items() if k in known}
    kwargs["type"] = FieldType(kwargs["type"])
    if "picklist" in kwargs:
        kwargs["picklist"] = tuple(PicklistValue(**p) for p in kwargs["picklist"])
    if "reference_to" in kwargs:
        kwargs["reference_to"] = tuple(kwargs["reference_to"])
    return FieldDef(**kwargs)


def object_to_json(obj: ObjectDef) -> str:
    body = {
        spec.name: getattr(obj, spec.name)
        for spec in dataclasses.fields(ObjectDef)
        if spec.name != "fields" and spec.init
    }
    body["fields"] = [field_to_dict(f) for f in obj.fields.values()]
    return orjson.dumps(body).decode()


def object_from_json(text: str) -> ObjectDef:
    body = orjson.loads(text)
    fields = body.pop("fields")
    known = {f.name for f in dataclasses.fields(ObjectDef) if f.init}
    obj = ObjectDef(**{k: v for k, v in body.items() if k in known})
    for f in fields:
        obj.add(field_from_dict(f))
    return obj


def field_to_json(f: FieldDef) -> str:
    return orjson.dumps(field_to_dict(f)).decode()


def field_from_json(text: str) -> FieldDef:
    return field_from_dict(orjson.loads(text))


__all__ = ["field_from_json", "field_to_json", "object_from_json", "object_to_json"]
