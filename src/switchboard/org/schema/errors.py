"""Failures reading object and field metadata::

SwitchboardError                 (core.errors)
└── OrgError                     (org.errors)
    └── SchemaError              terminal: metadata that cannot be loaded
        └── SfdxError            terminal: 400 DEPLOY_FAILED: unreadable SFDX source
"""

from __future__ import annotations

from ..errors import OrgError


class SchemaError(OrgError):
    """Object or field metadata that cannot be loaded."""

    error_code = "INVALID_TYPE"
    status = 400


class SfdxError(SchemaError):
    """An SFDX project that cannot be read: malformed XML or no ``objects`` folder.

    ``path`` names the offending file or folder.
    """

    error_code = "DEPLOY_FAILED"

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


__all__ = ["SchemaError", "SfdxError"]
