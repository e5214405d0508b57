"""The org's secret store: named values sealed with AES-256-GCM before they are written.

A value is sealed (:func:`core.crypto.seal`) with the secret's name as associated data
and stored with the id of the key that sealed it; it exists in clear only in the memory
of the process that reads it. Reading a secret sealed under another key fails with
:class:`SecretKeyMismatch` (naming both key ids), not with garbage or a silent
"not found". The key is loaded on first use, so a hub that never uses secrets never
creates a key file.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import sqlalchemy as sa

from ...core import clock
from ...core.crypto import CryptoError, key_id, load_or_create_key, open_sealed, seal
from ...core.settings import Settings
from ...store.engine import Store
from .errors import InvalidSecretName, SecretKeyMismatch, SecretNotFound
from .tables import secret

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]{0,254}$")


class SecretStore:
    """``get``/``set``/``delete``/``names`` over the org's database."""

    def __init__(self, store: Store, key: bytes | None = None, *, configured_key: str = "",
                 data_dir: Path | None = None) -> None:  # fmt: skip
        self.store = store
        self._key = key
        self._configured = configured_key
        self._data_dir = data_dir
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, store: Store, settings: Settings) -> SecretStore:
        """Keyed by ``SWITCHBOARD_SECRET_KEY``, else ``DATA_DIR/secret.key``."""
        return cls(store, configured_key=settings.secret_key, data_dir=settings.data_dir)

    @property
    def key(self) -> bytes:
        with self._lock:
            if self._key is None:
                if self._data_dir is None and not self._configured:
                    raise CryptoError("no secret key: set SWITCHBOARD_SECRET_KEY")
                self._key = load_or_create_key(self._configured, self._data_dir or Path("."))
            return self._key

    @staticmethod
    def check_name(name: str) -> str:
        if not NAME.match(name):
            raise InvalidSecretName(
                "a secret name starts with a letter and holds only letters, digits, "
                "'_', '.' and '-' (at most 255)"
            )
        return name

    def set(self, name: str, value: str) -> None:
        """Store (or replace) ``name``; only the sealed value reaches the database."""
        self.check_name(name)
        key = self.key
        sealed = seal(key, value.encode("utf-8"), name.encode())
        kid = key_id(key)

        def work(conn: sa.Connection) -> None:
            now = clock.now()
            updated = conn.execute(
                sa.update(secret).where(secret.c.name == name)
                .values(sealed=sealed, key_id=kid, updated_at=now)
            ).rowcount  # fmt: skip
            if not updated:
                conn.execute(sa.insert(secret).values(name=name, sealed=sealed, key_id=kid,
                                                      created_at=now, updated_at=now))  # fmt: skip

        self.store.write(work)

    def get(self, name: str) -> str:
        """The value of ``name``; :class:`SecretNotFound` when it was never set."""
        with self.store.read() as conn:
            row = conn.execute(
                sa.select(secret.c.sealed, secret.c.key_id).where(secret.c.name == name)
            ).first()
        if row is None:
            raise SecretNotFound(f"no secret named {name}; run `switchboard secret set {name}`")
        key = self.key
        if row.key_id != key_id(key):
            raise SecretKeyMismatch(
                f"secret {name} was sealed with key {row.key_id}, this process has key "
                f"{key_id(key)}: give every process the same SWITCHBOARD_SECRET_KEY"
            )
        try:
            return open_sealed(key, bytes(row.sealed), name.encode()).decode("utf-8")
        except CryptoError:
            raise SecretKeyMismatch(f"secret {name} does not open: its row was altered") from None

    def delete(self, name: str) -> bool:
        """Remove ``name``; whether it existed."""
        return bool(self.store.write(
            lambda conn: conn.execute(sa.delete(secret).where(secret.c.name == name)).rowcount
        ))  # fmt: skip

    def names(self) -> list[str]:
        return self.names_in(self.store)

    @staticmethod
    def names_in(store: Store) -> list[str]:
        """The names of every secret (no key needed: values stay sealed)."""
        with store.read() as conn:
            return [r[0] for r in conn.execute(sa.select(secret.c.name).order_by(secret.c.name))]


__all__ = ["SecretStore"]
