"""Change events of encrypted fields: sealed in the event log, opened when read.

A change event carries the values that changed, and the log keeps it for days (72 hours
by default): written as is, the log would hold in clear what the record's row never
does. So DML seals each encrypted field's value into the payload (probabilistically:
nothing filters the log by value), and the store's payload opener, which the event log
applies to every payload it reads back (``events.replay``), opens them again for the
subscribers. Relays that ship raw log rows elsewhere (NATS) ship the sealed form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from .column import FieldCipher, cipher_of
from .envelope import is_envelope, seal
from .schemes import PROBABILISTIC

if TYPE_CHECKING:
    from ...schema.model import ObjectDef
    from ...schema.registry import Schema


class EventSeal:
    """Seals one object's encrypted fields in its change event payloads."""

    __slots__ = ("ciphers",)

    def __init__(self, ciphers: dict[str, FieldCipher]) -> None:
        self.ciphers = ciphers

    @classmethod
    def of(cls, obj: ObjectDef, table: sa.Table) -> EventSeal | None:
        ciphers = {}
        for f in obj.stored_fields():
            cipher = cipher_of(table.c[f.column]) if f.encrypted else None
            if cipher is not None:
                ciphers[f.name] = cipher
        return cls(ciphers) if ciphers else None

    def __call__(self, values: dict[str, Any]) -> None:
        for name, cipher in self.ciphers.items():
            value = values.get(name)
            if value is not None:
                key = cipher.keyring.active()
                values[name] = seal(key, cipher.aad, str(value), PROBABILISTIC)


class PayloadOpener:
    """Opens sealed fields of change event payloads as the log reads them.

    Only the entity's encrypted fields are looked at: testing every value of every
    payload for the envelope's mark was a fifth of reading a batch of Account CREATE
    events (``bench/callouts.py``), for objects with no encrypted field at all. A field
    no longer encrypted was never opened anyway (its cipher is gone)."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        # entity -> (its definition, its encrypted fields' names): a reload makes new
        # definitions, so the identity check finds a stale entry.
        self._encrypted: dict[str, tuple[ObjectDef, tuple[str, ...]]] = {}

    def __call__(self, payload: dict[str, Any]) -> None:
        header = payload.get("ChangeEventHeader")
        entity = header.get("entityName") if isinstance(header, dict) else None
        if not isinstance(entity, str):
            return
        obj = self.schema.get(entity)
        if obj is None:
            return
        known = self._encrypted.get(entity)
        if known is None or known[0] is not obj:
            names = tuple(f.name for f in obj.fields.values() if f.encrypted)
            known = self._encrypted[entity] = (obj, names)
        if not known[1]:
            return
        table = None
        for name in known[1]:
            value = payload.get(name)
            if not isinstance(value, str) or not is_envelope(value):
                continue
            f = obj.field(name)
            table = table if table is not None else self.schema.table(obj)
            cipher = cipher_of(table.c[f.column]) if f is not None else None
            if cipher is not None:
                payload[name] = cipher.open(value)


__all__ = ["EventSeal", "PayloadOpener"]
