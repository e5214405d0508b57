"""AES-256-GCM for values at rest (secrets), and the key they are sealed with.

A sealed value is ``version byte || 12-byte nonce || ciphertext+tag``; the associated
data (e.g. the secret's name) is authenticated but not stored, so a ciphertext copied
onto another row does not open there. Nonces are random: with 96 bits, 2**32
encryptions under one key keep the collision chance below 2**-32 (NIST SP 800-38D),
far beyond how often secrets are set.

The key is 32 random bytes, given as URL-safe base64 in ``SWITCHBOARD_SECRET_KEY``
(scaled-out deployments: every process must share it), or generated on first use into
``DATA_DIR/secret.key`` with mode 0600 (embedded). :func:`key_id` names a key without
revealing it, so a store can tell "wrong key" from "tampered value".

Errors::

    SwitchboardError
    └── CryptoError     terminal  a key that is not 32 bytes of base64, or a sealed
                                  value that does not open (another key, or altered)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import SwitchboardError
from .private import private_dir

VERSION = 1
NONCE_BYTES = 12
KEY_BYTES = 32
KEY_FILE = "secret.key"
log = logging.getLogger("switchboard.crypto")


class CryptoError(SwitchboardError):
    """A key is unusable or a sealed value does not open (terminal)."""

    error_code = "INVALID_KEY"
    status = 500


def generate_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode()


def decode_key(text: str, setting: str = "SWITCHBOARD_SECRET_KEY") -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode() + b"=" * (-len(text.strip()) % 4))
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise CryptoError(
            f"{setting} must be 32 random bytes in URL-safe base64; make one with "
            "`python -c \"import base64,os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())\"`"
        )
    return key


def key_id(key: bytes) -> str:
    """A short public name of ``key`` (a hash prefix), stored beside sealed values."""
    return hashlib.sha256(b"switchboard-key-id:" + key).hexdigest()[:16]


def seal(key: bytes, plaintext: bytes, associated: bytes = b"") -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return bytes([VERSION]) + nonce + AESGCM(key).encrypt(nonce, plaintext, associated)


def open_sealed(key: bytes, sealed: bytes, associated: bytes = b"") -> bytes:
    if len(sealed) < 1 + NONCE_BYTES + 16 or sealed[0] != VERSION:
        raise CryptoError("sealed value is malformed")
    nonce, body = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, body, associated)
    except InvalidTag:
        raise CryptoError("sealed value does not open with this key (tampered or another key)") from None


def load_or_create_key(
    configured: str,
    data_dir: Path,
    *,
    file_name: str = KEY_FILE,
    setting: str = "SWITCHBOARD_SECRET_KEY",
) -> bytes:
    """The key from the setting, else from (or newly into) ``data_dir/<file_name>``
    (``secret.key`` for secrets; the field encryption root key uses its own file)."""
    if configured:
        return decode_key(configured, setting)
    path = data_dir / file_name
    try:
        return _read_key_file(path, setting)
    except FileNotFoundError:
        pass
    private_dir(data_dir)
    key = generate_key()
    # Written whole under a private name, then linked into place: a process starting at
    # the same moment sees either no file or a complete one, never a half-written key.
    tmp = data_dir / f".{file_name}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(encode_key(key) + "\n")
    try:
        os.link(tmp, path)
    except FileExistsError:  # another process made it first: use theirs
        return _read_key_file(path, setting)
    finally:
        tmp.unlink()
    log.info("generated the key %s (mode 0600); back it up with the database", path)
    return key


def _read_key_file(path: Path, setting: str) -> bytes:
    text = path.read_text()
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        log.warning("%s is readable by others (mode %o); chmod 600 it", path, mode)
    return decode_key(text, setting)


__all__ = [
    "CryptoError",
    "decode_key",
    "encode_key",
    "generate_key",
    "key_id",
    "load_or_create_key",
    "open_sealed",
    "seal",
]
