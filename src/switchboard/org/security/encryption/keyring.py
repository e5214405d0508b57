"""The org's data keys: versions sealed by a root key, one of them active.

The root key comes from ``SWITCHBOARD_ENCRYPTION_KEY`` or ``DATA_DIR/encryption.key``
(generated 0600 on first use, as the secret key is: :func:`core.crypto.load_or_create_key`).
It never touches a record: it seals the data keys, which live in ``sb_encryption_key``,
so rotating a data key needs no new root key and every process sharing the database
(holding the same root key) sees the same versions.

Readers open a value under whichever version its envelope names; writers seal under
the active version. Another process may rotate (``switchboard keys rotate``): the
keyring re-reads the table at most every ``poll_interval`` seconds, and at once when it
meets a key id it does not know, so a rotation reaches every writer within that time
and no reader ever fails on a new version.
"""

from __future__ import annotations

import secrets
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from ....core import clock
from ....core.crypto import CryptoError, key_id, load_or_create_key, open_sealed, seal
from ....store.engine import Store
from .envelope import DataKey
from .errors import EncryptionKeyError
from .tables import data_key

KEY_FILE = "encryption.key"
SETTING = "SWITCHBOARD_ENCRYPTION_KEY"


class Keyring:
    def __init__(
        self,
        store: Store,
        *,
        configured_key: str = "",
        data_dir: Path | None = None,
        poll_interval: float = 1.0,
    ) -> None:
        self.store = store
        self._configured = configured_key
        self._data_dir = data_dir
        self.poll_interval = poll_interval
        self._root: bytes | None = None
        self._keys: dict[str, DataKey] = {}
        self._active: DataKey | None = None
        self._checked = 0.0
        # Bumped whenever the set of versions changes: plans holding ciphertexts of
        # literals (SOQL equality on deterministic fields) are compiled per generation.
        self.generation = 0
        self._lock = threading.RLock()

    # -- keys ---------------------------------------------------------------------------
    @property
    def root(self) -> bytes:
        with self._lock:
            if self._root is None:
                if self._data_dir is None and not self._configured:
                    raise EncryptionKeyError(f"no encryption key: set {SETTING}")
                try:
                    self._root = load_or_create_key(
                        self._configured, self._data_dir or Path("."), file_name=KEY_FILE,
                        setting=SETTING,
                    )  # fmt: skip
                except CryptoError as exc:
                    raise EncryptionKeyError(str(exc)) from None
            return self._root

    def _load(self) -> None:
        with self.store.read() as conn:
            rows = conn.execute(sa.select(data_key).order_by(data_key.c.version)).all()
        keys: dict[str, DataKey] = {}
        active = None
        root = self.root if rows else b""  # an org that encrypts nothing needs no root key
        for row in rows:
            if row.root_id != key_id(root):
                raise EncryptionKeyError(
                    f"data key version {row.version} is sealed under root key {row.root_id}, "
                    f"this process has root key {key_id(root)}: give every process the same "
                    f"{SETTING}"
                )
            try:
                raw = open_sealed(root, bytes(row.sealed), b"data key %d" % row.version)
            except CryptoError:
                raise EncryptionKeyError(f"data key version {row.version} was altered") from None
            keys[row.key_id] = DataKey.of(row.version, row.key_id, raw)
            if row.active:
                active = keys[row.key_id]
        with self._lock:
            if set(keys) != set(self._keys) or active is not self._active:
                self.generation += 1
            self._keys, self._active = keys, active
            self._checked = time.monotonic()

    def _fresh(self) -> None:
        if time.monotonic() - self._checked >= self.poll_interval:
            self._load()

    def poll(self) -> int:
        """The generation, after re-reading the versions when due (query planning calls
        this, so a rotation elsewhere retires plans holding old ciphertexts)."""
        self._fresh()
        return self.generation

    def active(self) -> DataKey:
        """The version writers seal under (created on first use)."""
        self._fresh()
        if self._active is None:
            self.ensure()
        assert self._active is not None
        return self._active

    def by_id(self, kid: str, where: str) -> DataKey:
        found = self._keys.get(kid)
        if found is None:
            self._load()  # rotated by another process since the last look
            found = self._keys.get(kid)
            if found is None:
                raise EncryptionKeyError(
                    f"the encrypted value of {where} is under key {kid}, which this org "
                    "does not hold"
                )
        return found

    def versions(self) -> list[DataKey]:
        """Every version a stored value may be under, oldest first."""
        self._fresh()
        return sorted(self._keys.values(), key=lambda k: k.version)

    def newest_known(self) -> int:
        """The highest version this process holds (0 before the first)."""
        return max((k.version for k in self._keys.values()), default=0)

    def moved_past(self, conn: sa.Connection, version: int) -> bool:
        """Whether the database holds a version above ``version``, read on ``conn``;
        if so the keyring re-reads its versions at once (see :meth:`QueryEngine.query`)."""
        top = conn.execute(sa.select(sa.func.max(data_key.c.version))).scalar() or 0
        if top > version:
            self._load()
            return True
        return False

    def ensure(self) -> DataKey:
        """Create version 1 when the org has no data key yet (before the first encrypted
        write, outside any other transaction: on SQLite a writer holds the only lock)."""
        self._load()
        if self._active is None:
            self._add(first=True)
        assert self._active is not None
        return self._active

    def rotate(self) -> DataKey:
        """A new active version; older ones keep opening what they sealed."""
        self._load()
        return self._add(first=False)

    def _add(self, *, first: bool) -> DataKey:
        root = self.root

        def work(conn: sa.Connection) -> None:
            top = conn.execute(sa.select(sa.func.max(data_key.c.version))).scalar()
            if first and top is not None:
                return  # another process made it meanwhile
            version = (top or 0) + 1
            raw = secrets.token_bytes(32)
            conn.execute(sa.update(data_key).values(active=False))
            conn.execute(
                sa.insert(data_key).values(
                    version=version,
                    key_id=key_id(raw),
                    sealed=seal(root, raw, b"data key %d" % version),
                    root_id=key_id(root),
                    active=True,
                    created_at=clock.now(),
                )
            )
            if not first:  # a rotation is a setup change: it goes in the audit trail
                from ..trail.setup import KEY_ROTATED, PLATFORM_ENCRYPTION, write_setup

                write_setup(conn, KEY_ROTATED, PLATFORM_ENCRYPTION,
                            f"Rotated the data encryption key: version {version} "
                            f"(key id {key_id(raw)}) is now active")  # fmt: skip

        self.store.write(work)
        self._load()
        assert self._active is not None
        return self._active

    def describe(self) -> list[dict[str, object]]:
        """Versions for ``switchboard keys list`` (no key material)."""
        with self.store.read() as conn:
            rows = conn.execute(
                sa.select(data_key.c.version, data_key.c.key_id, data_key.c.active,
                          data_key.c.created_at).order_by(data_key.c.version)
            ).all()  # fmt: skip
        return [dict(r._mapping) for r in rows]


__all__ = ["KEY_FILE", "SETTING", "Keyring"]
