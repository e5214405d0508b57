"""The sync pattern's own tables: each sync's position, its runs and its failed rows.

``sb_sync_state`` holds one row per sync: the ``(cursor, key)`` of the last source row
applied, each a tagged JSON value (:mod:`.positions`) so a timestamp comes back a
timestamp. It is moved in the transaction that writes the batch and its error rows,
with a compare-and-set on the old position, so a batch is applied exactly once: a crash
before the commit leaves the old position and no write; a concurrent run of the same
sync that moved it first makes this one's batch roll back and re-read.

``sb_sync_run`` records each run (started, finished, rows read, written, failed, status:
``running`` → ``succeeded`` | ``failed`` | ``interrupted`` (a run that never finished,
seen by the next run of its sync)); its counts move with each batch's transaction. Only
the latest runs of each sync are kept (``runner.KEEP_RUNS``): a sync scheduled every
minute would otherwise add half a million rows a year.

``sb_sync_error`` keeps the rows the org refused (the source key, the Salesforce
``errorCode``, message and fields), one row per source key still failing: a later
successful write of that key deletes it. Record values are not kept: the target field
may be encrypted at rest, and an error table must not hold it in clear.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...store.migrations import Chain

metadata = sa.MetaData()
STATUSES = ("running", "succeeded", "failed", "interrupted")

_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")

state = sa.Table(
    "sb_sync_state",
    metadata,
    sa.Column("sync", sa.String(255), primary_key=True),
    sa.Column("cursor_value", sa.Text, nullable=True),  # None: nothing applied yet
    sa.Column("key_value", sa.Text, nullable=True),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

run = sa.Table(
    "sb_sync_run",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("sync", sa.String(255), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime, nullable=True),
    sa.Column("rows_read", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rows_written", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rows_failed", sa.Integer, nullable=False, server_default="0"),
    sa.Column("batches", sa.Integer, nullable=False, server_default="0"),
    sa.Column("error", sa.Text, nullable=True),  # why a failed run stopped
    sa.Index("ix_sb_sync_run_sync", "sync", "id"),
)

error = sa.Table(
    "sb_sync_error",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("sync", sa.String(255), nullable=False),
    sa.Column("run_id", sa.BigInteger, nullable=False),
    sa.Column("source_key", sa.String(255), nullable=False),
    sa.Column("error_code", sa.String(64), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("fields", sa.Text, nullable=False),  # JSON list of field names
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("sync", "source_key", name="uq_sb_sync_error_key"),
)


def _v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=[state, run, error])


# This layer's migration chain, run by the Runtime (``patterns.PATTERN_CHAINS``).
STEPS: list[tuple[int, Callable[[Connection], None]]] = [(1, _v1)]
LAYER = "sync"
CHAIN = Chain(LAYER, STEPS)

__all__ = ["CHAIN", "LAYER", "STATUSES", "STEPS", "error", "metadata", "run", "state"]
