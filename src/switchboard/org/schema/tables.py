"""The schema's tables: deployed custom objects and fields (definitions as JSON)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...store.migrations import Chain, Step

metadata = sa.MetaData()

custom_object = sa.Table(
    "sb_custom_object",
    metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("definition", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

custom_field = sa.Table(
    "sb_custom_field",
    metadata,
    sa.Column("object_name", sa.String(100), primary_key=True),
    sa.Column("field_name", sa.String(100), primary_key=True),
    sa.Column("definition", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)


def _v1_custom_metadata(conn: Connection) -> None:
    metadata.create_all(conn, tables=[custom_object, custom_field])


# ``legacy``: the pre-chain migration that created the same tables (see store.migrations).
CHAIN = Chain(
    "schema",
    [Step(1, _v1_custom_metadata, legacy=1)],
)

__all__ = ["CHAIN", "custom_field", "custom_object", "metadata"]
