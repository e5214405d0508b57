"""The column type of an encrypted field: seals on the way in, opens on the way out.

Every write of a record goes through the one DML path, whose batch writes run the
columns' bind processors (``store.batch_writes``), and every read through SQLAlchemy
runs the result processors; so a field's ciphertext is made and opened here and
nowhere else, and no caller can forget to. SOQL reads rows off the driver's cursor, so
its record makers call :meth:`FieldCipher.open` themselves (``soql.compiler``).

A stored value that is not an envelope was written before the field was encrypted: it
reads as it is, and ``switchboard keys sync`` seals it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from .envelope import equality_form, is_envelope, key_id_of, open_with, seal
from .keyring import Keyring
from .schemes import CASE_INSENSITIVE


class FieldCipher:
    """Sealing and opening the values of one field."""

    __slots__ = ("aad", "keyring", "scheme", "where")

    def __init__(self, keyring: Keyring, object_name: str, field_name: str, scheme: str) -> None:
        self.keyring = keyring
        self.scheme = scheme
        self.where = f"{object_name}.{field_name}"
        self.aad = self.where.lower().encode()

    def seal(self, value: Any) -> str | None:
        if value is None:
            return None
        return seal(self.keyring.active(), self.aad, str(value), self.scheme)

    def open(self, value: Any) -> Any:
        if value is None or not isinstance(value, str) or not is_envelope(value):
            return value
        key = self.keyring.by_id(key_id_of(value), self.where)
        return open_with(key, self.aad, value, self.where)

    @property
    def by_prefix(self) -> bool:
        """Case-insensitive: a stored value matches when it starts with the form."""
        return self.scheme == CASE_INSENSITIVE

    def equality_forms(self, text: str) -> list[str]:
        """What a value equal to ``text`` is stored as under each key version."""
        return [equality_form(k, self.aad, text, self.scheme) for k in self.keyring.versions()]

    def matches(self, column: Any, texts: list[str]) -> Any:
        """SQL: the raw ``column`` holds one of ``texts`` (under any key version)."""
        raw = sa.type_coerce(column, sa.Text)
        forms = [form for t in texts for form in self.equality_forms(t)]
        if not forms:
            return sa.false()
        if not self.by_prefix:
            return raw.in_([sa.literal(f, sa.Text) for f in forms])
        width = len(forms[0])  # the head and the token: the same length for every version
        return sa.func.substr(raw, 1, width).in_([sa.literal(f, sa.Text) for f in forms])


class EncryptedText(sa.types.TypeDecorator[Any]):
    """TEXT holding envelopes; the field's values in clear only in Python."""

    impl = sa.Text
    cache_ok = True

    def __init__(self, cipher: FieldCipher) -> None:
        super().__init__()
        self.cipher = cipher

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        return self.cipher.seal(value)

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return self.cipher.open(value)


def cipher_of(column: Any) -> FieldCipher | None:
    """The cipher of an encrypted column (of a table or an alias of one), else None."""
    kind = getattr(column, "type", None)
    return kind.cipher if isinstance(kind, EncryptedText) else None


__all__ = ["EncryptedText", "FieldCipher", "cipher_of"]
