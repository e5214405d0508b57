"""Input records to column values: name resolution, coercion, defaults, required fields."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...core.errors import SwitchboardError
from ...core.tracebacks import bare
from ..errors import InvalidField, InvalidFieldForInsertUpdate, RequiredFieldMissing
from ..schema.model import FieldDef, FieldType, ObjectDef
from ..schema.registry import Schema
from .coerce import coerce, converter
from .per_object import per_object


@dataclass(slots=True)
class Prepared:
    """One input record resolved against its object: values by field, or errors."""

    values: dict[str, Any] = field(default_factory=dict)  # column -> stored value
    # The fields the input set; read-only once prepared (records of a batch that set the
    # same fields share one list).
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
    names = _Names(schema, obj)
    for key, value in raw.items():
        if key == "attributes":
            continue
        f = names.field(key)
        if f is None:
            unknown.append(str(key))
            continue
        if f.name.lower() in allow:
            continue
        writable = f.createable if creating else f.updateable
        if not writable or not (f.stored or f.blob):
            out.errors.append(_read_only(f))
            continue
        try:
            out.values[f.column] = coerce(f, value)
            out.given.append(f)
        except SwitchboardError as exc:
            out.errors.append(bare(exc))
    for name in unknown:
        out.errors.append(
            InvalidField(f"No such column '{name}' on sobject of type {obj.name}", fields=[name])
        )
    if not out.errors:
        _complete(obj, out, creating)
    return out


class _Names:
    """Field lookups for one call: a name the schema does not know makes it check the
    database for a newer schema once, not once per unknown name (a body with 2,000
    unknown fields cost 2,000 queries, 400 ms, before it was refused)."""

    __slots__ = ("checked", "obj", "schema")

    def __init__(self, schema: Schema, obj: ObjectDef) -> None:
        self.schema, self.obj, self.checked = schema, obj, False

    def field(self, key: Any) -> FieldDef | None:
        if not isinstance(key, str):
            return None
        f = self.schema.current(self.obj).field(key)
        if f is None and not self.checked:
            self.checked = True
            f = self.schema.field(self.obj, key)
        return f


# One step per key of an input record: what ``prepare`` does with that key's value.
_SKIP, _SET, _READ_ONLY, _UNKNOWN = range(4)
_Step = tuple[int, FieldDef | None, str, Callable[[Any], Any] | None]


def prepare_many(
    schema: Schema,
    obj: ObjectDef,
    records: list[dict[str, Any]],
    *,
    creating: bool,
    allow: frozenset[str] = frozenset(),
) -> list[Prepared]:
    """``[prepare(schema, obj, r, ...) for r in records]``, with the same results, for
    batches: names are resolved once per distinct key sequence and each field's value
    goes through a converter built once (bulk rows all share a header)."""
    plans: dict[tuple[Any, ...], _KeyPlan] = {}
    converters: dict[str, Callable[[Any], Any]] = {}
    names = _Names(schema, obj)
    out: list[Prepared] = []
    for raw in records:
        if not isinstance(raw, dict):
            out.append(prepare(schema, obj, raw, creating=creating, allow=allow))
            continue
        keys = tuple(raw)
        plan = plans.get(keys)
        if plan is None:
            plan = plans[keys] = _key_plan(
                [_step(names, k, creating, allow, converters) for k in keys]
            )
        steps, direct, given_all = plan
        if direct is not None:
            # Every key is a writable field: one comprehension, and the fields given are
            # the same list for each such record. A value that does not convert sends
            # the record down the general path below, which records each error.
            try:
                values = {c: conv(v) for (c, conv), v in zip(direct, raw.values(), strict=True)}
            except SwitchboardError:
                pass
            else:
                p = Prepared(values, given_all)
                _complete(obj, p, creating)
                out.append(p)
                continue
        p = Prepared()
        values, given, errors = p.values, p.given, p.errors
        unknown: list[str] = []
        for (kind, f, column, conv), value in zip(steps, raw.values(), strict=True):
            if kind == _SET:
                try:
                    values[column] = conv(value)  # type: ignore[misc]
                    given.append(f)  # type: ignore[arg-type]
                except SwitchboardError as exc:
                    errors.append(bare(exc))
            elif kind == _READ_ONLY:
                errors.append(_read_only(f))  # type: ignore[arg-type]
            elif kind == _UNKNOWN:
                unknown.append(column)
        for name in unknown:
            errors.append(
                InvalidField(
                    f"No such column '{name}' on sobject of type {obj.name}", fields=[name]
                )
            )
        if not errors:
            _complete(obj, p, creating)
        out.append(p)
    return out


# Per distinct key sequence: its steps; when every step sets a field, the (column,
# converter) pairs and the fields given, shared read-only by the records prepared with it.
_KeyPlan = tuple[list[_Step], list[tuple[str, Callable[[Any], Any]]] | None, list[FieldDef]]


def _key_plan(steps: list[_Step]) -> _KeyPlan:
    if all(kind == _SET for kind, _, _, _ in steps):
        direct = [(column, conv) for _, _, column, conv in steps if conv is not None]
        return steps, direct, [f for _, f, _, _ in steps if f is not None]
    return steps, None, []


def _step(
    names: _Names,
    key: Any,
    creating: bool,
    allow: frozenset[str],
    converters: dict[str, Callable[[Any], Any]],
) -> _Step:
    if key == "attributes":
        return (_SKIP, None, "", None)
    f = names.field(key)
    if f is None:
        return (_UNKNOWN, None, str(key), None)
    if f.name.lower() in allow:
        return (_SKIP, None, "", None)
    writable = f.createable if creating else f.updateable
    # A blob's value rides in the values for the object's file hooks (org.files), which
    # take it out before the insert: it has no column.
    if not writable or not (f.stored or f.blob):
        return (_READ_ONLY, f, "", None)
    conv = converters.get(f.column)
    if conv is None:
        conv = converters[f.column] = converter(f)
    return (_SET, f, f.column, conv)


@per_object
def _coerced_defaults(obj: ObjectDef) -> list[tuple[str, Any]]:
    """The create defaults as stored values; a bad default in metadata is left out, so
    it cannot block every create. Stored values are immutable, so rows share them."""
    out = []
    for column, f, default in _plan(obj)[0]:
        try:
            out.append((column, coerce(f, default)))
        except SwitchboardError:
            pass
    return out


# Per object: the create defaults (column, field, default) and the required fields
# (column, name). Building them walks every field, which for a bulk load of wide objects
# cost more than the insert itself.
@per_object
def _plan(obj: ObjectDef) -> tuple[list[tuple[str, FieldDef, Any]], list[tuple[str, str]]]:
    defaults: list[tuple[str, FieldDef, Any]] = []
    required: list[tuple[str, str]] = []
    for f in obj.fields.values():
        if f.required and f.stored:
            required.append((f.column, f.name))
        # A checkbox is never null, read-only or not (IsOwnedByProfile of a permission
        # set made over the API is false, not blank); other read-only fields are the
        # system's to fill.
        if not f.stored or not (f.createable or f.type == FieldType.BOOLEAN):
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
    return defaults, required


def create_defaults(obj: ObjectDef) -> dict[str, Any]:
    """The stored values a create gives the fields it leaves out."""
    return dict(_coerced_defaults(obj))


def _complete(obj: ObjectDef, out: Prepared, creating: bool) -> None:
    """A record without errors: a create gets the defaults of the fields it left out;
    then the required fields are checked."""
    if creating:
        values = out.values
        for column, value in _coerced_defaults(obj):
            if column not in values:
                values[column] = value
    _check_required(obj, out, creating=creating)


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


__all__ = ["Prepared", "create_defaults", "prepare", "prepare_many"]
