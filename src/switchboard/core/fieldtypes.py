"""Salesforce field types, by their describe names; shared by storage and the org."""

from __future__ import annotations

from enum import StrEnum


class FieldType(StrEnum):
    ID = "id"
    STRING = "string"
    TEXTAREA = "textarea"
    EMAIL = "email"
    PHONE = "phone"
    URL = "url"
    PICKLIST = "picklist"
    MULTIPICKLIST = "multipicklist"
    COMBOBOX = "combobox"
    BOOLEAN = "boolean"
    INT = "int"
    DOUBLE = "double"
    CURRENCY = "currency"
    PERCENT = "percent"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"
    REFERENCE = "reference"
    # Compound fields: read-only views over their component fields, no column of their own.
    ADDRESS = "address"
    LOCATION = "location"
    BASE64 = "base64"
    ENCRYPTEDSTRING = "encryptedstring"


TEXT_TYPES = frozenset(
    {
        FieldType.ID,
        FieldType.STRING,
        FieldType.TEXTAREA,
        FieldType.EMAIL,
        FieldType.PHONE,
        FieldType.URL,
        FieldType.PICKLIST,
        FieldType.MULTIPICKLIST,
        FieldType.COMBOBOX,
        FieldType.REFERENCE,
        FieldType.ENCRYPTEDSTRING,
    }
)
NUMBER_TYPES = frozenset({FieldType.INT, FieldType.DOUBLE, FieldType.CURRENCY, FieldType.PERCENT})
COMPOUND_TYPES = frozenset({FieldType.ADDRESS, FieldType.LOCATION})
# Blob fields (VersionData, Body): their bytes live in the org's file store, not a column.
BLOB_TYPES = frozenset({FieldType.BASE64})


__all__ = ["BLOB_TYPES", "COMPOUND_TYPES", "NUMBER_TYPES", "TEXT_TYPES", "FieldType"]
