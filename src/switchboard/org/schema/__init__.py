"""Object and field metadata: the catalog of standard objects, SFDX import, describe."""

from .model import FieldDef, FieldType, ObjectDef, PicklistValue

__all__ = ["FieldDef", "FieldType", "ObjectDef", "PicklistValue"]
