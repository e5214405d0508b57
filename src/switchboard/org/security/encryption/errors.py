"""Errors of field encryption at rest::

    OrgError
    └── SecurityError                       (org.security.errors)
        ├── EncryptionKeyError              500: no root key, or a value sealed under a
        │                                   key this org does not hold (or altered)
        └── UnsupportedEncryption           400 DEPLOY_FAILED: an encryptionScheme on a
                                            field type or use it cannot serve

Messages name fields and key ids, never a value or a key.
"""

from __future__ import annotations

from ..errors import EncryptionKeyError, SecurityError


class UnsupportedEncryption(SecurityError):
    error_code = "DEPLOY_FAILED"
    status = 400


__all__ = ["EncryptionKeyError", "UnsupportedEncryption"]
