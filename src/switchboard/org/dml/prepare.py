"""Input records to column values: name resolution, coercion, defaults, required fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...core.errors import SwitchboardError
from ..errors import InvalidField, InvalidFieldForInsertUpdate, RequiredFieldMissing
from ..schema.model import FieldDef, FieldType, ObjectDef
from ..schema.registry import Schema
from .coerce import coerce


@dataclass(slots=True)
class Prepared:
    """One input record resolved against its object: values by field, or errors."""

    values: dict[str, Any] = field(default_factory=dict)  # column -> stored value
    given: list[FieldDef] = field(default_factory=list)
    errors: list[SwitchboardError] = field(default_factory=list)


def _read_only(f: FieldDef) -> InvalidFieldForInsertUpdate:
    return InvalidFieldForInsertUpdate(
        f"Unable to create/update fields: {f.name}. Please check the security settings of "
        "this field and verify that it is read/write for your profile or permission set.",
        fields=[f.name],
    )


def prepare(
    schema: Schema,
    obj: ObjectDef,
    raw: dict[str, Any],
    *,
    creating: bool,
    allow: frozenset[str] = frozenset(),
) -> Prepared:
    """Resolve and coerce ``raw`` for a create (defaults, required) or an update.

    ``allow`` names read-only fields the caller may set anyway (Id on an upsert body).
    """
    out = Prepared()
    if not isinstance(raw, dict):
        from ...core.errors import JsonParserError

        out.errors.append(JsonParserError("Expected a JSON object for the record"))
        return out
    unknown = []
    for key, value in raw.items():
        if key == "attributes":
            continue
        f = schema.field(obj, key) if isinstance(key, str) else None
        if f is None:
            unknown.append(str(key))
            continue
        if f.name.lower() in allow:
            continue
        writable = f.createable if creating else f.updateable
        if not writable or not f.stored:
            out.errors.append(_read_only(f))
            continue
        try:
            out.values[f.column] = coerce(f, value)
            out.given.append(f)
        except SwitchboardError as exc:
            out.errors.append(exc)
    for name in unknown:
        out.errors.append(
            InvalidField(f"No such column '{name}' on sobject of type {obj.name}", fields=[name])
        )
    if out.errors:
        return out
    if creating:
        _apply_defaults(obj, out)
    _check_required(obj, out, creating=creating)
    return out


# Per object: the create defaults (column, field, default) and the required fields
# (column, name). Building them walks every field, which for a bulk load of wide objects
# cost more than the insert itself; objects are replaced, not mutated, on a deploy, so
# the cache is keyed by identity and checked with ``is``.
_PLANS: dict[int, tuple[ObjectDef, list[tuple[str, FieldDef, Any]], list[tuple[str, str]]]] = {}


def _plan(obj: ObjectDef) -> tuple[list[tuple[str, FieldDef, Any]], list[tuple[str, str]]]:
    hit = _PLANS.get(id(obj))
    if hit is not None and hit[0] is obj:
        return hit[1], hit[2]
    defaults: list[tuple[str, FieldDef, Any]] = []
    required: list[tuple[str, str]] = []
    for f in obj.fields.values():
        if f.required and f.stored:
            required.append((f.column, f.name))
        if not f.stored or not f.createable:
            continue
        default: Any = None
        if f.default_value is not None:
            default = f.default_value
        elif f.type == FieldType.BOOLEAN:
            default = False
        elif f.type in (FieldType.PICKLIST, FieldType.MULTIPICKLIST):
            default = next((p.value for p in f.picklist if p.default), None)
        if default is not None:
            defaults.append((f.column, f, default))
    if len(_PLANS) > 1000:
        _PLANS.clear()
    _PLANS[id(obj)] = (obj, defaults, required)
    return defaults, required


def _apply_defaults(obj: ObjectDef, out: Prepared) -> None:
    values = out.values
    for column, f, default in _plan(obj)[0]:
        if column in values:
            continue
        try:
            values[column] = coerce(f, default)
        except SwitchboardError:
            pass  # a bad default in metadata must not block every create


def _check_required(obj: ObjectDef, out: Prepared, *, creating: bool) -> None:
    missing = []
    values = out.values
    for column, name in _plan(obj)[1]:
        present = column in values
        if (creating and (not present or values[column] is None)) or (
            not creating and present and values[column] is None
        ):
            missing.append(name)
    if missing:
        out.errors.append(
            RequiredFieldMissing(
                f"Required fields are missing: [{', '.join(missing)}]", fields=missing
            )
        )


__all__ = ["Prepared", "prepare"]
