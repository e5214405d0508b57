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
        └── ApiDisabled                   API_DISABLED_FOR_ORG (403): the user's profile
                                          and permission sets lack API Enabled
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
