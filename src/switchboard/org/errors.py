"""Errors of the org: schema lookups and DML, each rendering as Salesforce's entry.

    SwitchboardError
    └── OrgError                         terminal (all of them)
        ├── InvalidType                  INVALID_TYPE: no such sObject type
        ├── InvalidField                 INVALID_FIELD: no such field
        ├── InvalidFieldForInsertUpdate  INVALID_FIELD_FOR_INSERT_UPDATE: read-only field
        ├── RequiredFieldMissing         REQUIRED_FIELD_MISSING
        ├── StringTooLong                STRING_TOO_LONG
        ├── InvalidTypeOnField           INVALID_TYPE_ON_FIELD_IN_RECORD
        ├── InvalidRestrictedPicklist    INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST
        ├── NumberOutsideValidRange      NUMBER_OUTSIDE_VALID_RANGE
        ├── InvalidEmailAddress          INVALID_EMAIL_ADDRESS
        ├── EntityIsDeleted              ENTITY_IS_DELETED
        ├── DuplicateValue               DUPLICATE_VALUE (unique fields)
        ├── DuplicateExternalId          DUPLICATE_EXTERNAL_ID (upsert matched several)
        ├── InvalidCrossReferenceKey     INVALID_CROSS_REFERENCE_KEY (lookup to nothing)
        ├── FieldIntegrityException      FIELD_INTEGRITY_EXCEPTION (lookup to wrong type)
        ├── DeleteFailed                 DELETE_FAILED (restricted lookups)
        ├── CannotInsertUpdate           CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY (read-only object)
        ├── CannotReplicate              CANNOT_REPLICATE (an object that is not replicateable)
        ├── InvalidReplicationDate       INVALID_REPLICATION_DATE (Get Updated / Deleted)
        ├── ExceededIdLimit              EXCEEDED_ID_LIMIT (more than 600,000 ids)
        ├── FieldCustomValidationException  terminal: FIELD_CUSTOM_VALIDATION_EXCEPTION
        │                                   (a validation rule's condition held)
        ├── DuplicatesDetected           terminal: DUPLICATES_DETECTED (a duplicate rule
        │                                blocked the save; carries duplicateResult)
        ├── formulas.errors.FormulaError terminal: INVALID_FORMULA (a formula refused at deploy)
        ├── soql.errors.SoqlError        query failures
        ├── bulk.errors.BulkError        bulk jobs
        ├── security.errors.SecurityError  access refused, keys
        └── schema.errors.SchemaError    metadata and SFDX source

Record-level errors are terminal: the same input fails the same way every time.
"""

from __future__ import annotations

from typing import Any

from ..core.errors import SwitchboardError


class OrgError(SwitchboardError):
    status = 400


class InvalidType(OrgError):
    error_code = "INVALID_TYPE"


class InvalidField(OrgError):
    error_code = "INVALID_FIELD"


class RequiredFieldMissing(OrgError):
    error_code = "REQUIRED_FIELD_MISSING"


class StringTooLong(OrgError):
    error_code = "STRING_TOO_LONG"


class InvalidTypeOnField(OrgError):
    error_code = "INVALID_TYPE_ON_FIELD_IN_RECORD"


class InvalidRestrictedPicklist(OrgError):
    error_code = "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"


class NumberOutsideValidRange(OrgError):
    error_code = "NUMBER_OUTSIDE_VALID_RANGE"


class InvalidEmailAddress(OrgError):
    error_code = "INVALID_EMAIL_ADDRESS"


class EntityIsDeleted(OrgError):
    error_code = "ENTITY_IS_DELETED"


class DuplicateValue(OrgError):
    error_code = "DUPLICATE_VALUE"


class DuplicateExternalId(OrgError):
    error_code = "DUPLICATE_EXTERNAL_ID"

    def __init__(self, message: str, *, fields: list[str], matches: list[str]) -> None:
        super().__init__(message, fields=fields)
        self.matches = matches


class InvalidCrossReferenceKey(OrgError):
    error_code = "INVALID_CROSS_REFERENCE_KEY"


class FieldIntegrityException(OrgError):
    error_code = "FIELD_INTEGRITY_EXCEPTION"


class DeleteFailed(OrgError):
    error_code = "DELETE_FAILED"


class InvalidFieldForInsertUpdate(OrgError):
    error_code = "INVALID_FIELD_FOR_INSERT_UPDATE"


class CannotInsertUpdate(OrgError):
    error_code = "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY"


class CannotReplicate(OrgError):
    error_code = "CANNOT_REPLICATE"


class InvalidReplicationDate(OrgError):
    error_code = "INVALID_REPLICATION_DATE"


class ExceededIdLimit(OrgError):
    error_code = "EXCEEDED_ID_LIMIT"


class DuplicatesDetected(OrgError):
    """A duplicate rule found matches; the reply carries its ``duplicateResult``."""

    error_code = "DUPLICATES_DETECTED"

    def __init__(self, message: str, duplicate_result: dict[str, Any]) -> None:
        super().__init__(message)
        self.duplicate_result = duplicate_result

    def to_salesforce(self) -> dict[str, Any]:
        return {"duplicateResult": self.duplicate_result, **super().to_salesforce()}


class FieldCustomValidationException(OrgError):
    """A validation rule's condition held: its errorMessage, its errorDisplayField."""

    error_code = "FIELD_CUSTOM_VALIDATION_EXCEPTION"


__all__ = [
    "CannotInsertUpdate",
    "CannotReplicate",
    "DeleteFailed",
    "DuplicateExternalId",
    "DuplicatesDetected",
    "DuplicateValue",
    "EntityIsDeleted",
    "ExceededIdLimit",
    "FieldCustomValidationException",
    "FieldIntegrityException",
    "InvalidCrossReferenceKey",
    "InvalidEmailAddress",
    "InvalidField",
    "InvalidFieldForInsertUpdate",
    "InvalidReplicationDate",
    "InvalidRestrictedPicklist",
    "InvalidType",
    "InvalidTypeOnField",
    "NumberOutsideValidRange",
    "OrgError",
    "RequiredFieldMissing",
    "StringTooLong",
]
