"""Errors of the security layer, each the entry Salesforce gives. All terminal: a call
refused for want of access fails the same way until someone grants it.

    OrgError
    └── SecurityError
        ├── InsufficientAccess            INSUFFICIENT_ACCESS_OR_READONLY (403): no
        │                                 object permission, or the record is not
        │                                 shared for that operation
        ├── InsufficientAccessOnCrossReference
        │                                 INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY:
        │                                 a lookup names a record the user cannot see
        ├── EncryptionKeyError            a field is encrypted and no key opens it
        ├── ApiDisabled                   API_DISABLED_FOR_ORG (403): the user's profile
        │                                 and permission sets lack API Enabled
        ├── UnknownGrant                  INVALID_CROSS_REFERENCE_KEY: a profile,
        │                                 permission set or group that does not exist
        ├── InvalidPermissionSource       INVALID_CROSS_REFERENCE_KEY: an SFDX permission
        │                                 file names what is not there
        └── InvalidSharingRule            INVALID_FIELD: a sharing rule's criteria or
                                          targets do not fit the object
"""

from __future__ import annotations

from ..errors import OrgError


class SecurityError(OrgError):
    pass


class InsufficientAccess(SecurityError):
    error_code = "INSUFFICIENT_ACCESS_OR_READONLY"
    status = 403


class InsufficientAccessOnCrossReference(SecurityError):
    error_code = "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY"
    status = 400


class EncryptionKeyError(SecurityError):
    error_code = "UNKNOWN_EXCEPTION"
    status = 500


class ApiDisabled(SecurityError):
    error_code = "API_DISABLED_FOR_ORG"
    status = 403

    def __init__(self) -> None:
        super().__init__("API is not enabled for this Organization or Partner", fields=[])


__all__ = [
    "ApiDisabled",
    "EncryptionKeyError",
    "InsufficientAccess",
    "InsufficientAccessOnCrossReference",
    "SecurityError",
]


class UnknownGrant(SecurityError):
    """A profile, permission set or group that does not exist, or a wrong assignment."""

    error_code = "INVALID_CROSS_REFERENCE_KEY"
    status = 400


class InvalidPermissionSource(SecurityError):
    error_code = "INVALID_CROSS_REFERENCE_KEY"
    status = 400


class InvalidSharingRule(SecurityError):
    error_code = "INVALID_FIELD"
