"""Re-encrypting stored values under the active key version, while the org serves.

``sync`` walks every encrypted field and re-seals, in batches, each value that is not
under the active version (older versions, and clear text written before the field was
encrypted). Each batch is read outside any transaction, then written in one short
transaction whose updates are compare-and-set on the old ciphertext: a value a writer
changed in between is left as that writer wrote it (under the active version, or picked
up by the next batch if the writer had not yet seen the rotation). Readers accept any
version throughout, so nothing is ever unreadable; records' audit fields and change
events are untouched (the data did not change, only its sealing).

Idempotent and resumable: what is done is simply no longer selected. After the walk
finds nothing left, it waits out one keyring poll interval (the longest a writer in
another process may still seal under the previous version) and walks once more.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlalchemy as sa

from .column import cipher_of
from .keyring import Keyring

if TYPE_CHECKING:
    from ...schema.registry import Schema

BATCH = 500


@dataclass
class SyncReport:
    key_id: str
    version: int
    resealed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.resealed.values())


def sync(
    schema: Schema,
    *,
    batch: int = BATCH,
    settle: bool = True,
    progress: Callable[[str, int], None] | None = None,
) -> SyncReport:
    """Re-seal everything not under the active version; what was done, by field."""
    keyring: Keyring = schema.keyring
    active = keyring.active()
    report = SyncReport(active.key_id, active.version)
    rounds = 2 if settle else 1
    for round_ in range(rounds):
        if round_:
            time.sleep(keyring.poll_interval * 1.5)
        for obj in schema.objects():
            if not any(f.encrypted for f in obj.stored_fields()):
                continue
            table = schema.table(obj)
            for f in obj.stored_fields():
                if not f.encrypted:
                    continue
                done = _sync_field(schema, table, f.column, active.head, batch)
                if done:
                    where = f"{obj.name}.{f.name}"
                    report.resealed[where] = report.resealed.get(where, 0) + done
                    if progress is not None:
                        progress(where, done)
    return report


def _sync_field(schema: Schema, table: sa.Table, column: str, head: str, batch: int) -> int:
    col = table.c[column]
    cipher = cipher_of(col)
    if cipher is None:
        return 0
    raw = sa.type_coerce(col, sa.Text)
    stale = sa.and_(raw.isnot(None), sa.func.substr(raw, 1, len(head)) != head)
    done = 0
    after = ""
    while True:
        with schema.store.read() as conn:
            rows = conn.execute(
                sa.select(table.c.id, raw)
                .where(stale, table.c.id > after)
                .order_by(table.c.id)
                .limit(batch)
            ).all()
        if not rows:
            return done
        after = rows[-1][0]
        # Opened outside the transaction: the write lock is held only for the updates.
        plain = [(rid, old, cipher.open(old)) for rid, old in rows]

        def work(conn: sa.Connection, plain: list[tuple[str, str, str]] = plain) -> int:
            n = 0
            for rid, old, value in plain:
                n += conn.execute(
                    sa.update(table)
                    .where(table.c.id == rid, raw == old)
                    .values({column: value})  # sealed under the active version by the type
                ).rowcount
            return n

        done += schema.store.write(work)


__all__ = ["BATCH", "SyncReport", "sync"]
