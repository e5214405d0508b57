"""Errors of the org's secret store::

    SwitchboardError
    └── OrgError
        └── SecretError                terminal
            ├── SecretNotFound         no secret of that name (`switchboard secret set`)
            ├── SecretKeyMismatch      stored under another key than this process has
            └── InvalidSecretName      a name outside [A-Za-z][A-Za-z0-9_.-]*

Messages name the secret, never its value.
"""

from __future__ import annotations

from ..errors import OrgError


class SecretError(OrgError):
    error_code = "INVALID_SECRET"


class SecretNotFound(SecretError):
    error_code = "NOT_FOUND"
    status = 404


class SecretKeyMismatch(SecretError):
    status = 500


class InvalidSecretName(SecretError):
    pass


__all__ = ["InvalidSecretName", "SecretError", "SecretKeyMismatch", "SecretNotFound"]
