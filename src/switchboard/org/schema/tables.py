"""The schema's tables: deployed custom objects, fields and object rules (definitions as JSON)."""

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

# Validation and duplicate rules, one JSON list per object and kind ("validation",
# "duplicate"); a deploy merges by rule name into what the object had.
object_rules = sa.Table(
    "sb_object_rules",
    metadata,
    sa.Column("object_name", sa.String(100), primary_key=True),
    sa.Column("kind", sa.String(20), primary_key=True),
    sa.Column("definition", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)


def _v1_custom_metadata(conn: Connection) -> None:
    metadata.create_all(conn, tables=[custom_object, custom_field])


def _v2_object_rules(conn: Connection) -> None:
    metadata.create_all(conn, tables=[object_rules])


# ``legacy``: the pre-chain migration that created the same tables (see store.migrations).
CHAIN = Chain(
    "schema",
    [Step(1, _v1_custom_metadata, legacy=1), Step(2, _v2_object_rules)],
)

__all__ = ["CHAIN", "custom_field", "custom_object", "metadata", "object_rules"]
