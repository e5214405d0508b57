"""Compound fields as change events carry them: one nested field per compound.

In Salesforce's change events (Pub/Sub API and CometD alike) a compound field is a
nested structure of its components, named as in the event schema rather than as on the
object: ``BillingAddress`` holds Street, City, State, PostalCode, Country, Latitude,
Longitude and GeocodeAccuracy (BillingStreet ... BillingGeocodeAccuracy on Account); the
``Name`` of a Contact, Lead or User holds Salutation, FirstName and LastName; a
geolocation field ``Loc__c`` holds Latitude and Longitude (Loc__Latitude__s,
Loc__Longitude__s). A changed component is named ``CompoundField.ComponentField``
(``BillingAddress.City``), and the compound's own position carries no value of its own.

Only the event shape changes: REST and SOQL keep the flat component fields, and so does
the event log (an event is reshaped when it is rendered for a subscriber, so events
logged before a schema change render the same way).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ...org.schema.model import FieldDef, FieldType, ObjectDef

# Members of a person name, in the order Salesforce's event schemas list them (the
# Change Data Capture guide's examples show Salutation, FirstName, LastName).
_PERSON_NAME = ("Salutation", "FirstName", "LastName", "MiddleName", "InformalName", "Suffix")
_RECORD = {FieldType.ADDRESS: "Address", FieldType.LOCATION: "Location"}


@dataclass(frozen=True, slots=True)
class Compound:
    """A compound field of an event: ``name`` (BillingAddress), the Avro ``record`` name
    of its type (Address) and its ``members`` as ``(member name, component field)``."""

    name: str
    record: str
    members: tuple[tuple[str, FieldDef], ...]


EventField = FieldDef | Compound


def _member(parent: str, component: str) -> str:
    """``City`` for BillingCity in BillingAddress, ``Latitude`` for Loc__Latitude__s."""
    if component.endswith("__s"):
        return component[:-3].rsplit("__", 1)[-1]
    if parent.endswith("Address"):
        prefix = parent[: -len("Address")]
        if component.startswith(prefix) and len(component) > len(prefix):
            return component[len(prefix) :]
    return component


def compounds(obj: ObjectDef) -> list[Compound]:
    """The compound fields of ``obj`` that events nest, each with its stored components:
    every field the schema marks with a ``compound_field_name`` (the catalog marks a
    person's name parts with Name, as Salesforce's describe does)."""
    parts: dict[str, list[FieldDef]] = {}
    for f in obj.fields.values():
        parent = obj.field(f.compound_field_name) if f.compound_field_name else None
        if parent is not None and f.stored:
            parts.setdefault(parent.name, []).append(f)
    out = []
    for parent_name, components in parts.items():
        parent = obj.field(parent_name)
        assert parent is not None
        record = _RECORD.get(parent.type, "PersonName")
        if record == "PersonName":
            order = {n.lower(): i for i, n in enumerate(_PERSON_NAME)}
            components.sort(key=lambda p: order.get(p.column, len(order)))
        members = tuple((_member(parent.name, p.name), p) for p in components)
        out.append(Compound(parent.name, record, members))
    return out


def layout(obj: ObjectDef, skip: Iterable[str]) -> tuple[EventField, ...]:
    """The top-level fields of ``obj``'s change events in describe order: stored fields
    (less the columns in ``skip``), with each compound where its first part stands."""
    skipped = set(skip)
    owner: dict[str, Compound] = {}
    for compound in compounds(obj):
        owner[compound.name.lower()] = compound
        for _, part in compound.members:
            owner[part.column] = compound
    out: list[EventField] = []
    placed: set[str] = set()
    for f in obj.fields.values():
        c = owner.get(f.column)
        if c is not None:
            if c.name not in placed:
                placed.add(c.name)
                out.append(c)
        elif f.stored and f.column not in skipped:
            out.append(f)
    return tuple(out)


def flat_fields(fields: Sequence[EventField]) -> tuple[FieldDef, ...]:
    """Every object field an event can carry: simple fields and compound components."""
    out: list[FieldDef] = []
    for f in fields:
        if isinstance(f, Compound):
            out.extend(p for _, p in f.members)
        else:
            out.append(f)
    return tuple(out)


class Nesting:
    """Reshapes logged (flat) change events for subscribers; the maps from a layout are
    built once per topic schema, not once per event delivered."""

    def __init__(self, fields: Sequence[EventField]) -> None:
        self.member_of: dict[str, Compound] = {}
        self.parents: set[str] = set()
        # Names as change events list them: a component as ``Compound.Member``; the
        # compound's own name (a person name's derived full text) has no entry (None).
        self.rename: dict[str, str | None] = {}
        for f in fields:
            if isinstance(f, Compound):
                self.parents.add(f.name)
                self.rename[f.name] = None
                for m, part in f.members:
                    self.member_of[part.name] = f
                    self.rename[part.name] = f"{f.name}.{m}"

    def nest(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Components gathered under their compound, where the first of them stood;
        other keys as they are."""
        if not self.parents:
            return payload
        out: dict[str, Any] = {}
        for key, value in payload.items():
            c = self.member_of.get(key)
            if c is None:
                if key not in self.parents:  # a person name's full text has no place
                    out[key] = value
            elif c.name not in out:
                out[c.name] = {m: payload[p.name] for m, p in c.members if p.name in payload}
        return out

    def dotted(self, names: Iterable[str]) -> list[str]:
        """Field names as change events list them (see :attr:`rename`)."""
        out = []
        for name in names:
            shown = self.rename.get(name, name)
            if shown is not None:
                out.append(shown)
        return out

    def event_payload(self, payload: dict[str, Any]) -> dict[str, Any]:
        """A logged change event as CometD subscribers get it: compounds nested and the
        header's field lists naming components as ``Compound.Member``."""
        out = self.nest(payload)
        header = payload.get("ChangeEventHeader")
        if isinstance(header, dict):
            header = dict(header)
            for key in ("changedFields", "nulledFields", "diffFields"):
                if isinstance(header.get(key), list):
                    header[key] = self.dotted(header[key])
            out["ChangeEventHeader"] = header
        return out


__all__ = [
    "Compound",
    "EventField",
    "Nesting",
    "compounds",
    "flat_fields",
    "layout",
]
