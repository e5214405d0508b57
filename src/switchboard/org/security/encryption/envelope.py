"""Field values as AES-256-GCM ciphertext in a text envelope.

A stored value is ``sbe1$<key id>$<base64url(nonce || ciphertext || tag)>``: the key id
names the data key version (a hash prefix, revealing nothing), so a reader opens values
of any version while writers use the active one. The associated data is the field
(``object.field``), so a ciphertext copied into another field does not open there.

Nonces:

- probabilistic: 12 random bytes (NIST SP 800-38D: safe far beyond 2**32 values a key).
- case-sensitive deterministic: a synthetic IV, HMAC-SHA256 of the plaintext under a key
  derived apart from the encryption key, truncated to 12 bytes. Equal plaintexts give
  equal envelopes (what equality filters and external ids need); different plaintexts
  get different nonces, so GCM's nonce is never reused across plaintexts.
- case-insensitive deterministic: 6 bytes of an HMAC of the case-folded plaintext (the
  equality token, the first 8 base64 characters of the body) then 6 bytes of the
  synthetic IV of the exact plaintext. "Ann" and "ANN" share the token, so a filter
  matches the envelope's prefix, yet their nonces still differ. A token collision
  between different folded values has chance 2**-48 per stored value.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .errors import EncryptionKeyError
from .schemes import CASE_INSENSITIVE, CASE_SENSITIVE

MARK = "sbe1"
NONCE = 12
TOKEN = 6  # bytes of the case-insensitive equality token: 8 base64 characters
TOKEN_CHARS = 8


def _derive(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(key)


@dataclass(frozen=True)
class DataKey:
    """One version of the org's data key, with the subkeys derived from it."""

    version: int
    key_id: str
    aead: AESGCM
    siv: bytes
    token: bytes

    @classmethod
    def of(cls, version: int, key_id: str, key: bytes) -> DataKey:
        return cls(
            version,
            key_id,
            AESGCM(_derive(key, b"switchboard field encryption v1")),
            _derive(key, b"switchboard field synthetic iv v1"),
            _derive(key, b"switchboard field equality token v1"),
        )

    @property
    def head(self) -> str:
        return f"{MARK}${self.key_id}$"


def _mac(key: bytes, aad: bytes, text: bytes) -> bytes:
    return hmac.new(key, aad + b"\x00" + text, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _nonce(key: DataKey, aad: bytes, plain: bytes, text: str, scheme: str) -> bytes:
    if scheme == CASE_SENSITIVE:
        return _mac(key.siv, aad, plain)[:NONCE]
    if scheme == CASE_INSENSITIVE:
        folded = text.casefold().encode("utf-8")
        return _mac(key.token, aad, folded)[:TOKEN] + _mac(key.siv, aad, plain)[: NONCE - TOKEN]
    return os.urandom(NONCE)


def seal(key: DataKey, aad: bytes, text: str, scheme: str) -> str:
    """The envelope of ``text`` for a field of ``scheme``."""
    plain = text.encode("utf-8")
    nonce = _nonce(key, aad, plain, text, scheme)
    return key.head + _b64(nonce + key.aead.encrypt(nonce, plain, aad))


def equality_form(key: DataKey, aad: bytes, text: str, scheme: str) -> str:
    """What a stored value equal to ``text`` under ``key`` is (case-sensitive: the whole
    envelope) or starts with (case-insensitive: key id and token)."""
    if scheme == CASE_INSENSITIVE:
        token = _mac(key.token, aad, text.casefold().encode("utf-8"))[:TOKEN]
        return key.head + _b64(token)
    return seal(key, aad, text, scheme)


def is_envelope(value: str) -> bool:
    return value.startswith(MARK + "$")


def key_id_of(value: str) -> str:
    return value.split("$", 2)[1]


def open_with(key: DataKey, aad: bytes, value: str, where: str) -> str:
    try:
        body = _unb64(value.split("$", 2)[2])
        return key.aead.decrypt(body[:NONCE], body[NONCE:], aad).decode("utf-8")
    except (InvalidTag, IndexError, ValueError, binascii.Error):
        raise EncryptionKeyError(
            f"the encrypted value of {where} does not open (altered, or moved from another field)"
        ) from None


__all__ = [
    "MARK",
    "TOKEN_CHARS",
    "DataKey",
    "equality_form",
    "is_envelope",
    "key_id_of",
    "open_with",
    "seal",
]
