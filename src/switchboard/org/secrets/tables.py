"""The secrets layer's tables: sealed secret values and the org's named credentials."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...store.migrations import Chain, Step

metadata = sa.MetaData()

secret = sa.Table(
    "sb_secret",
    metadata,
    sa.Column("name", sa.String(255), primary_key=True),
    # core.crypto.seal(key, value, associated=name): never the value in clear.
    sa.Column("sealed", sa.LargeBinary, nullable=False),
    sa.Column("key_id", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

named_credential = sa.Table(
    "sb_named_credential",
    metadata,
    sa.Column("name", sa.String(255), primary_key=True),
    sa.Column("label", sa.String(255), nullable=False),
    sa.Column("endpoint", sa.Text, nullable=False),
    sa.Column("principal_type", sa.String(40), nullable=False),
    sa.Column("protocol", sa.String(40), nullable=False),
    sa.Column("username", sa.String(255), nullable=True),
    sa.Column("deployed_at", sa.DateTime, nullable=False),
)


def _v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=[secret, named_credential])


CHAIN = Chain("secrets", [Step(1, _v1)])

__all__ = ["CHAIN", "named_credential", "secret"]
