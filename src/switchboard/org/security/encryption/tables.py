"""The data keys of field encryption: each version sealed under the root key."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ....store.migrations import Chain, Step

metadata = sa.MetaData()

data_key = sa.Table(
    "sb_encryption_key",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("key_id", sa.String(16), nullable=False, unique=True),
    # core.crypto.seal(root key, data key, associated=b"data key <version>")
    sa.Column("sealed", sa.LargeBinary, nullable=False),
    # The root key that sealed it (core.crypto.key_id), to name a wrong root key.
    sa.Column("root_id", sa.String(16), nullable=False),
    sa.Column("active", sa.Boolean(create_constraint=False), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)


def _v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=[data_key])


CHAIN = Chain("encryption", [Step(1, _v1)])

__all__ = ["CHAIN", "data_key"]
