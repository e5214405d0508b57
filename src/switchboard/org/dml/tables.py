"""The DML path's tables: auto-number counters and the delete log."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...store.migrations import Chain, Step

metadata = sa.MetaData()

autonumber = sa.Table(
    "sb_autonumber",
    metadata,
    sa.Column("object_name", sa.String(100), primary_key=True),
    sa.Column("field_name", sa.String(100), primary_key=True),
    sa.Column("next_value", sa.BigInteger, nullable=False),
)

# Every record deletion, soft or hard, for the REST "Get Deleted" resource (replication):
# a hard delete leaves no row in the object's table to report. Kept 15 days, as
# Salesforce keeps its delete log; the deletes that add to it prune it.
delete_log = sa.Table(
    "sb_delete_log",
    metadata,
    sa.Column("object_name", sa.String(255), nullable=False),
    sa.Column("record_id", sa.String(18), nullable=False),
    sa.Column("deleted_at", sa.DateTime, nullable=False, index=True),
)
sa.Index("ix_sb_delete_log_object_at", delete_log.c.object_name, delete_log.c.deleted_at)


def _v1_autonumber(conn: Connection) -> None:
    metadata.create_all(conn, tables=[autonumber])


def _v2_delete_log(conn: Connection) -> None:
    metadata.create_all(conn, tables=[delete_log])


# ``legacy``: the pre-chain migration that created the same tables (see store.migrations).
CHAIN = Chain(
    "dml",
    [Step(1, _v1_autonumber, legacy=1), Step(2, _v2_delete_log, legacy=6)],
)

__all__ = ["CHAIN", "autonumber", "delete_log", "metadata"]
