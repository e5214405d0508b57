"""The query engine's table: query locators (``nextRecordsUrl`` cursors)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...store.migrations import Chain, Step

metadata = sa.MetaData()

# Query locators (``nextRecordsUrl``): the query to re-run and when the cursor expires.
query_locator = sa.Table(
    "sb_query_locator",
    metadata,
    sa.Column("id", sa.String(18), primary_key=True),
    sa.Column("query", sa.Text, nullable=False),
    sa.Column("all_rows", sa.Boolean, nullable=False),
    sa.Column("batch_size", sa.Integer, nullable=False),
    sa.Column("user_id", sa.String(18), nullable=True),
    sa.Column("expires_at", sa.DateTime, nullable=False, index=True),
)


def _v1_query_locators(conn: Connection) -> None:
    metadata.create_all(conn, tables=[query_locator])


# ``legacy``: the pre-chain migration that created the same tables (see store.migrations).
CHAIN = Chain(
    "soql",
    [Step(1, _v1_query_locators, legacy=4)],
)

__all__ = ["CHAIN", "metadata", "query_locator"]
