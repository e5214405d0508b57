"""References resolved against the org's schema: fields, lookups followed by their
relationship names (``Account.Owner.Name``, ``Broker__r.Email__c``), ``$User`` and
``$Organization``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ...core.fieldtypes import FieldType
from ..schema.model import FieldDef, ObjectDef
from .values import FieldInfo, FType, ftype_of

ObjectLookup = Callable[[str], ObjectDef | None]
_GLOBALS = {"$user": ("User", "user"), "$organization": ("Organization", "organization")}
# Salesforce allows 10 relationship hops in one formula.
MAX_HOPS = 10


def field_ftype(f: FieldDef) -> FType:
    return ftype_of(f.type)


def follow(
    obj: ObjectDef, relationship: str, objects: ObjectLookup
) -> tuple[FieldDef, ObjectDef] | None:
    """The lookup field named by ``relationship`` on ``obj`` and the object it points to
    (the first target of a polymorphic lookup, as the formula editor offers)."""
    f = obj.by_relationship(relationship)
    if f is None or f.type != FieldType.REFERENCE or not f.reference_to:
        return None
    target = objects(f.reference_to[0])
    return None if target is None else (f, target)


@dataclass(slots=True)
class SchemaScope:
    """The scope of a formula on ``obj``."""

    obj: ObjectDef
    objects: ObjectLookup

    def resolve(self, path: tuple[str, ...]) -> FieldInfo | None:
        root, obj, parts = "record", self.obj, list(path)
        glob = _GLOBALS.get(parts[0].lower())
        if parts[0].startswith("$"):
            if glob is None or len(parts) < 2:
                return None
            target = self.objects(glob[0])
            if target is None:
                return None
            root, obj, parts = glob[1], target, parts[1:]
        if len(parts) - 1 > MAX_HOPS:
            return None
        key: list[str] = []
        for rel in parts[:-1]:
            hop = follow(obj, rel, self.objects)
            if hop is None:
                return None
            key.append(rel.lower())
            obj = hop[1]
        f = obj.field(parts[-1])
        if f is None or f.type in (FieldType.ADDRESS, FieldType.LOCATION):
            return None
        key.append(f.column)
        shown = ".".join(path[:-1] + (f.name,))
        return FieldInfo(shown, field_ftype(f), tuple(key), root)


__all__ = ["MAX_HOPS", "SchemaScope", "follow"]
