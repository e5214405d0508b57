"""Stored rows to Salesforce's JSON record shape."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

from ..core.clock import format_datetime
from .schema.model import COMPOUND_TYPES, FieldDef, FieldType, ObjectDef

_ADDRESS_PARTS = {
    "street": "Street",
    "city": "City",
    "state": "State",
    "postalCode": "PostalCode",
    "country": "Country",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "geocodeAccuracy": "GeocodeAccuracy",
}


def wire_value(f: FieldDef, value: Any) -> Any:
    """A stored value as Salesforce's JSON puts it."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    if f.type == FieldType.INT:
        return int(value)
    if f.type in (FieldType.DOUBLE, FieldType.CURRENCY, FieldType.PERCENT):
        return float(value)
    if f.type == FieldType.BOOLEAN:
        return bool(value)
    return value


def record_url(obj: ObjectDef, record_id: str, version: str) -> str:
    return f"/services/data/v{version}/sobjects/{obj.name}/{record_id}"


def compound_value(
    obj: ObjectDef, f: FieldDef, row: Mapping[str, Any], parts: list[FieldDef] | None = None
) -> Any:
    """The nested value of an address or location field, from its component columns."""
    if parts is None:
        parts = obj.compound_parts(f)
    if f.type == FieldType.LOCATION:
        lat = next((c for c in parts if c.name.lower().endswith("latitude__s")), None)
        lon = next((c for c in parts if c.name.lower().endswith("longitude__s")), None)
        la = row.get(lat.column) if lat else None
        lo = row.get(lon.column) if lon else None
        return None if la is None and lo is None else {"latitude": la, "longitude": lo}
    prefix = f.name[: -len("Address")] if f.name.endswith("Address") else ""
    out: dict[str, Any] = {}
    for key, suffix in _ADDRESS_PARTS.items():
        comp = obj.field(prefix + suffix)
        out[key] = row.get(comp.column) if comp and comp.compound_field_name == f.name else None
    return None if all(v is None for v in out.values()) else out


_Step = tuple[str, Callable[[Mapping[str, Any]], Any]]


def _converter(f: FieldDef) -> Callable[[Any], Any] | None:
    """The conversion a stored value of ``f`` needs on the wire (None: as stored)."""
    if f.type == FieldType.DATETIME:
        return format_datetime
    if f.type == FieldType.DATE:
        return date.isoformat
    if f.type == FieldType.TIME:
        return lambda v: v.strftime("%H:%M:%S.") + f"{v.microsecond // 1000:03d}Z"
    if f.type == FieldType.INT:
        return int
    if f.type in (FieldType.DOUBLE, FieldType.CURRENCY, FieldType.PERCENT):
        return float
    if f.type == FieldType.BOOLEAN:
        return bool
    return None


def _step(obj: ObjectDef, f: FieldDef, parts: dict[str, list[FieldDef]]) -> _Step:
    if f.type in (FieldType.ADDRESS, FieldType.LOCATION):
        comps = parts.get(f.name, [])
        return f.name, lambda row: compound_value(obj, f, row, comps)
    if not f.stored and not (f.calculated and (f.formula or f.summary_operation)):
        return f.name, lambda row: None
    # A formula or roll-up value is put under its column by formulas.compute_rows.
    column, convert = f.column, _converter(f)
    if convert is None:
        return f.name, lambda row: row.get(column)

    def step(row: Mapping[str, Any]) -> Any:
        value = row.get(column)
        return None if value is None else convert(value)

    return f.name, step


_PLANS: dict[tuple[int, tuple[str, ...]], tuple[ObjectDef, list[_Step]]] = {}


def _plan(obj: ObjectDef, fields: list[FieldDef]) -> list[_Step]:
    """Per-field steps, resolved once per object and field list (retrieves repeat them)."""
    key = (id(obj), tuple(f.name for f in fields))
    hit = _PLANS.get(key)
    if hit is not None and hit[0] is obj:
        return hit[1]
    # Only an address or geolocation renders as a nested value made of its parts; a
    # person's Name is the stored text, its parts (FirstName, ...) plain fields.
    parts = {f.name: obj.compound_parts(f) for f in fields if f.type in COMPOUND_TYPES}
    steps = [_step(obj, f, parts) for f in fields]
    if len(_PLANS) > 512:
        _PLANS.clear()
    _PLANS[key] = (obj, steps)
    return steps


def render(
    obj: ObjectDef, row: Mapping[str, Any], fields: Iterable[FieldDef], version: str
) -> dict[str, Any]:
    """A record with ``attributes`` and the given fields, in the given order; a blob
    field (VersionData, Body) reads as the URL its bytes are served at, as in Salesforce."""
    url = record_url(obj, row["id"], version)
    out: dict[str, Any] = {"attributes": {"type": obj.name, "url": url}}
    wanted = list(fields)
    for name, step in _plan(obj, wanted):
        out[name] = step(row)
    for f in wanted:
        if f.blob:
            out[f.name] = f"{url}/{f.name}"
    return out


__all__ = ["compound_value", "record_url", "render", "wire_value"]
