"""The store's own tables: the migration record and the key-value ``sb_meta``.

Every other table is declared by the layer that owns it, beside its code, with its
migration chain (``events/tables.py``, ``org/identity/tables.py``, ``org/bulk/tables.py``,
...; see :mod:`store.migrations`). ``sb_meta`` holds small state any layer keeps under
its own keys (the org id, the schema version, relay checkpoints).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# One row per applied step of each chain. (Before chains it had ``version`` alone; such
# a table is rebuilt in this shape on open, see store.migrations.)
migration = sa.Table(
    "sb_migration",
    metadata,
    sa.Column("chain", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", sa.DateTime, nullable=False),
)

meta = sa.Table(
    "sb_meta",
    metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

__all__ = ["meta", "metadata", "migration"]
