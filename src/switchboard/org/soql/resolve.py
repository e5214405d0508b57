"""Name resolution: field paths of one query level against the schema.

A :class:`Scope` is one FROM object with the parent tables its paths reach: each
distinct relationship path (``Account``, ``Account.Owner``) becomes one LEFT OUTER JOIN,
shared by every field that goes through it, so ``Account.Name, Account.Industry`` join
once. Polymorphic lookups (``What``, ``Who``) are not joined: their targets are only
known per row, so the executor fetches them afterwards, batched by type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ...core.fieldtypes import FieldType
from ..schema.model import FieldDef, ObjectDef
from ..schema.registry import Schema
from . import ast
from .errors import InvalidField, InvalidType

MAX_PARENT_LEVELS = 5


def no_such_column(name: str, obj: ObjectDef) -> InvalidField:
    return InvalidField(
        f"No such column '{name}' on entity '{obj.name}'. If you are attempting to use a "
        "custom field, be sure to append the '__c' after the custom field name. Please "
        "reference your WSDL or the describe call for the appropriate names.",
        fields=[name],
    )


def no_such_relationship(name: str) -> InvalidField:
    return InvalidField(
        f"Didn't understand relationship '{name}' in field path. If you are attempting to "
        "use a custom relationship, be sure to append the '__r' after the custom "
        "relationship name. Please reference your WSDL or the describe call for the "
        "appropriate names.",
        fields=[name],
    )


def unsupported_type(name: str) -> InvalidType:
    return InvalidType(
        f"sObject type '{name}' is not supported. If you are attempting to use a custom "
        "object, be sure to append the '__c' after the entity name. Please reference your "
        "WSDL or the describe call for the appropriate names."
    )


def lookup_object(schema: Schema, name: str) -> ObjectDef:
    obj = schema.get(name)
    if obj is None or not obj.queryable or obj.kind not in ("standard", "custom", "history"):
        raise unsupported_type(name)
    return obj


@dataclass(slots=True)
class Join:
    """One parent reached by a relationship path."""

    names: tuple[str, ...]  # relationship names as the schema spells them
    obj: ObjectDef
    table: Any  # aliased table
    on: Any  # the join condition


@dataclass(slots=True)
class Resolved:
    """A field reached by a path: its column, definition, and the join that holds it.

    ``join`` is None for a field of the FROM object itself. For a polymorphic path
    (``What.Name``) ``poly`` is the lookup field and ``column`` its id column.
    """

    field: FieldDef
    obj: ObjectDef
    column: Any
    join: Join | None = None
    poly: FieldDef | None = None
    poly_field: str | None = None

    @property
    def path(self) -> tuple[str, ...]:
        return self.join.names if self.join else ()


@dataclass(slots=True)
class Scope:
    schema: Schema
    obj: ObjectDef
    alias: str | None = None
    depth: int = 0
    table: Any = None
    joins: dict[tuple[str, ...], Join] = field(default_factory=dict)
    # FROM Contact c, c.Account a: alias -> relationship path
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.table is None:
            self.table = self.schema.table(self.obj).alias(f"t{self.depth}")

    def add_related(self, related: tuple[ast.FromRelated, ...]) -> None:
        for item in related:
            path = self._strip(list(item.path))
            if item.alias:
                self.aliases[item.alias.lower()] = tuple(path)

    def _strip(self, parts: list[str]) -> list[str]:
        """Drop a leading alias or object name (``c.Name``, ``Contact.Name``)."""
        if len(parts) > 1:
            head = parts[0].lower()
            if self.alias and head == self.alias.lower():
                return parts[1:]
            if head in self.aliases:
                return [*self.aliases[head], *parts[1:]]
            if head == self.obj.name.lower() and self.obj.by_relationship(parts[0]) is None:
                return parts[1:]
        return parts

    def resolve(self, f: ast.Field) -> Resolved:
        parts = self._strip(list(f.path))
        *rels, last = parts
        if len(rels) > MAX_PARENT_LEVELS:
            raise InvalidField(
                "SOQL statements cannot query more than 5 levels of parent relationships",
                fields=[f.name],
            )
        obj, table, join = self.obj, self.table, None
        for i, rel in enumerate(rels):
            ref = obj.by_relationship(rel)
            if ref is None:
                raise no_such_relationship(rel)
            if ref.polymorphic:
                if i != len(rels) - 1:
                    raise no_such_relationship(rels[i + 1])
                return Resolved(ref, obj, table.c[ref.column], join, ref, last)
            names = (*(join.names if join else ()), ref.relationship_name or rel)
            key = tuple(n.lower() for n in names)
            join = self.joins.get(key)
            if join is None:
                parent = lookup_object(self.schema, ref.reference_to[0])
                alias = self.schema.table(parent).alias(f"t{self.depth}_{len(self.joins) + 1}")
                join = Join(names, parent, alias, alias.c.id == table.c[ref.column])
                self.joins[key] = join
            obj, table = join.obj, join.table
        fd = self.schema.field(obj, last)
        if fd is None:
            raise no_such_column(f.name if not rels else last, obj)
        column = table.c[fd.column] if fd.stored else None
        return Resolved(fd, obj, column, join)

    def components(self, r: Resolved) -> list[tuple[str, FieldDef, Any]]:
        """The parts of an address or location field: (wire key, field, column)."""
        table = r.join.table if r.join else self.table
        parts = r.obj.compound_parts(r.field)
        if r.field.type == FieldType.LOCATION:
            keyed = [("latitude", "latitude__s"), ("longitude", "longitude__s")]
            return [
                (key, c, table.c[c.column])
                for key, suffix in keyed
                for c in parts
                if c.name.lower().endswith(suffix)
            ]
        prefix = r.field.name[: -len("Address")] if r.field.name.endswith("Address") else ""
        out = []
        for key, suffix in (
            ("street", "Street"),
            ("city", "City"),
            ("state", "State"),
            ("postalCode", "PostalCode"),
            ("country", "Country"),
            ("latitude", "Latitude"),
            ("longitude", "Longitude"),
            ("geocodeAccuracy", "GeocodeAccuracy"),
        ):
            c = r.obj.field(prefix + suffix)
            if c is not None and c.compound_field_name == r.field.name:
                out.append((key, c, table.c[c.column]))
        return out

    def from_clause(self) -> Any:
        clause = self.table
        for join in self.joins.values():
            clause = clause.outerjoin(join.table, join.on)
        return clause

    def live(self) -> Any:
        return self.table.c.isdeleted.is_(sa.false())


__all__ = [
    "MAX_PARENT_LEVELS",
    "Join",
    "Resolved",
    "Scope",
    "lookup_object",
    "no_such_column",
    "no_such_relationship",
    "unsupported_type",
]
