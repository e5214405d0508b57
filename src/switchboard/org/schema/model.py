"""The metadata model every layer reads: objects, fields and their types.

Names follow Salesforce's describe: a field's ``name`` is its API name and ``type`` the
describe type. Lookups by name are case-insensitive (``ObjectDef.field``); replies use
``FieldDef.name``. Storage columns are the lower-cased API names, so the same SQL works on
SQLite and PostgreSQL without quoting.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ...core.fieldtypes import BLOB_TYPES, COMPOUND_TYPES, NUMBER_TYPES, TEXT_TYPES, FieldType


@dataclass(frozen=True, slots=True)
class PicklistValue:
    value: str
    label: str | None = None
    default: bool = False
    active: bool = True

    def describe(self) -> dict[str, Any]:
        return {
            "active": self.active,
            "defaultValue": self.default,
            "label": self.label or self.value,
            "validFor": None,
            "value": self.value,
        }


# Types whose values are never case-folded when matched.
_UNFOLDED = frozenset(
    {
        FieldType.ID,
        FieldType.REFERENCE,
        FieldType.BOOLEAN,
        FieldType.DATE,
        FieldType.DATETIME,
        FieldType.TIME,
        *NUMBER_TYPES,
    }
)


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One field of an object, as describe reports it."""

    name: str
    type: FieldType
    label: str = ""
    length: int = 0
    precision: int = 0
    scale: int = 0
    digits: int = 0
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    unique: bool = False
    case_sensitive: bool = False
    external_id: bool = False
    id_lookup: bool = False
    name_field: bool = False
    auto_number: bool = False
    display_format: str | None = None
    calculated: bool = False
    formula: str | None = None
    # formulaTreatBlanksAs: a blank number field reads as 0 in this field's formula.
    blank_as_zero: bool = False
    # A defaultValue that is a formula (TODAY() + 30, $User.Email): evaluated on create.
    default_formula: str | None = None
    # trackHistory: changes are written to the object's history.
    track_history: bool = False
    # encryptionScheme (Shield Platform Encryption): "ProbabilisticEncryption",
    # "CaseSensitiveDeterministicEncryption" or "CaseInsensitiveDeterministicEncryption";
    # None when stored in clear (org.security.encryption seals the column).
    encryption_scheme: str | None = None
    # Roll-up summary: "count", "sum", "min" or "max" over the children that
    # summary_foreign_key ("Child__c.Parent__c") names, of summarized_field
    # ("Child__c.Amount__c"); summary_filters is a JSON list of [field, operation, value].
    summary_operation: str | None = None
    summary_foreign_key: str | None = None
    summarized_field: str | None = None
    summary_filters: str | None = None
    default_value: Any = None
    defaulted_on_create: bool = False
    picklist: tuple[PicklistValue, ...] = ()
    restricted_picklist: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    # Name of the child relationship on the parent (e.g. "Contacts" for Contact.AccountId).
    child_relationship_name: str | None = None
    # "SetNull", "Restrict" or "Cascade" (master-detail always cascades).
    delete_constraint: str = "SetNull"
    master_detail: bool = False
    compound_field_name: str | None = None
    extra_type_info: str | None = None
    html_formatted: bool = False
    custom: bool = False
    # Fields the org maintains itself (Id, CreatedDate, SystemModstamp, ...).
    system: bool = False
    # Derived once: DML reads these for every field of every row.
    column: str = field(init=False, repr=False, compare=False)
    stored: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column", self.name.lower())
        # Compound fields, formulas and blobs (kept in the file store) have no column.
        object.__setattr__(
            self,
            "stored",
            self.type not in COMPOUND_TYPES and self.type not in BLOB_TYPES and not self.calculated,
        )

    @property
    def folded(self) -> bool:
        """Values are matched case-insensitively, as ``lower(column)`` (unique and
        external id text fields that are not case-sensitive)."""
        if self.encryption_scheme == "CaseSensitiveDeterministicEncryption":
            return False
        return not self.case_sensitive and self.type not in _UNFOLDED

    @property
    def encrypted(self) -> bool:
        """Stored as ciphertext (an encryptionScheme other than None)."""
        return self.encryption_scheme is not None

    @property
    def deterministic(self) -> bool:
        """Encrypted so that equal values give equal ciphertexts (filterable by =)."""
        return self.encryption_scheme is not None and "Deterministic" in self.encryption_scheme

    @property
    def required(self) -> bool:
        """A create must give a value (no default, not nillable, createable)."""
        return (
            not self.nillable
            and self.createable
            and not self.defaulted_on_create
            and self.type != FieldType.BOOLEAN
        )

    @property
    def blob(self) -> bool:
        """Bytes held by the file store (VersionData, Body): written through DML as base64
        or an upload, read through the field's own resource."""
        return self.type in BLOB_TYPES

    @property
    def polymorphic(self) -> bool:
        return len(self.reference_to) > 1

    def with_(self, **changes: Any) -> FieldDef:
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class ValidationRule:
    """A validation rule: when ``formula`` is true for a record, the write fails."""

    name: str
    formula: str
    message: str
    display_field: str | None = None
    active: bool = True
    description: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "formula": self.formula,
            "message": self.message,
            "display_field": self.display_field,
            "active": self.active,
            "description": self.description,
        }


@dataclass(slots=True)
class ObjectDef:
    """One sObject type: its fields in describe order, keyed case-insensitively."""

    name: str
    label: str
    label_plural: str
    key_prefix: str
    custom: bool = False
    # "standard", "custom", "platform_event" or "external"
    kind: str = "standard"
    fields: dict[str, FieldDef] = field(default_factory=dict)
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    queryable: bool = True
    retrieveable: bool = True
    # Whether record changes publish Change Data Capture events.
    track_changes: bool = True
    # enableHistory: tracked fields (trackHistory) write the object's history.
    enable_history: bool = False
    _stored: list[FieldDef] | None = field(default=None, init=False, repr=False, compare=False)
    # Deployed validation rules, kept apart from the definition (schema.rules stores them).
    validation_rules: list[ValidationRule] = field(
        default_factory=list, init=False, repr=False, compare=False
    )
    # Deployed duplicate rules (org.duplicates.rules.DuplicateRule), stored the same way.
    duplicate_rules: list[Any] = field(default_factory=list, init=False, repr=False, compare=False)

    def add(self, f: FieldDef) -> None:
        self.fields[f.name.lower()] = f
        self._stored = None

    def field(self, name: str) -> FieldDef | None:
        return self.fields.get(name.lower())

    @property
    def table(self) -> str:
        return "o_" + self.name.lower()

    @property
    def name_field(self) -> FieldDef | None:
        for f in self.fields.values():
            if f.name_field:
                return f
        return None

    def compound_parts(self, parent: FieldDef) -> list[FieldDef]:
        """The fields whose describe names ``parent`` as their compound, in field order."""
        key = parent.name.lower()
        return [
            f
            for f in self.fields.values()
            if f.compound_field_name and f.compound_field_name.lower() == key
        ]

    @property
    def person_name(self) -> bool:
        """Contact, Lead and User: Name is the text of a compound whose parts
        (FirstName, LastName, ...) are set instead; the org fills Name on every write
        and change events nest the parts under it."""
        name = self.field("Name")
        return (
            name is not None and name.type not in COMPOUND_TYPES and bool(self.compound_parts(name))
        )

    def stored_fields(self) -> list[FieldDef]:
        """Fields with a column, in describe order (cached until the next ``add``)."""
        if self._stored is None or len(self._stored) > len(self.fields):
            self._stored = [f for f in self.fields.values() if f.stored]
        return self._stored

    def by_relationship(self, relationship: str) -> FieldDef | None:
        rel = relationship.lower()
        for f in self.fields.values():
            if f.relationship_name and f.relationship_name.lower() == rel:
                return f
        return None


__all__ = [
    "COMPOUND_TYPES",
    "NUMBER_TYPES",
    "TEXT_TYPES",
    "FieldDef",
    "FieldType",
    "ObjectDef",
    "PicklistValue",
    "ValidationRule",
]
