"""Secrets are org data: sealed at rest in the org's database (:mod:`.store`), with the
org's named credentials (:mod:`.credentials`) that reference them."""

from .credentials import NamedCredentialDef, NamedCredentials
from .errors import InvalidSecretName, SecretError, SecretKeyMismatch, SecretNotFound
from .store import SecretStore

__all__ = [
    "InvalidSecretName",
    "NamedCredentialDef",
    "NamedCredentials",
    "SecretError",
    "SecretKeyMismatch",
    "SecretNotFound",
    "SecretStore",
]
