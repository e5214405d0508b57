"""Bulk API jobs (2.0 ingest and query, 1.0) and 1.0 batches."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...store.migrations import Chain, Step

metadata = sa.MetaData()

# Bulk API jobs (2.0 ingest and query, 1.0) and 1.0 batches.
# Progress (offset, counts, result file sizes) is committed with each chunk's DML, so a
# job resumes after a crash exactly where its last committed chunk ended.
bulk_job = sa.Table(
    "sb_bulk_job",
    metadata,
    sa.Column("id", sa.String(18), primary_key=True),
    sa.Column("api", sa.String(8), nullable=False),  # "v2" or "v1"
    sa.Column("job_type", sa.String(16), nullable=False),  # V2Ingest, V2Query, Classic
    sa.Column("operation", sa.String(16), nullable=False),
    sa.Column("object", sa.String(100), nullable=True),
    sa.Column("external_id_field", sa.String(100), nullable=True),
    sa.Column("query", sa.Text, nullable=True),
    sa.Column("state", sa.String(16), nullable=False, index=True),
    sa.Column("content_type", sa.String(16), nullable=False),
    sa.Column("column_delimiter", sa.String(16), nullable=False),
    sa.Column("line_ending", sa.String(8), nullable=False),
    sa.Column("api_version", sa.String(8), nullable=False),
    sa.Column("created_by", sa.String(18), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("modstamp", sa.DateTime, nullable=False),
    sa.Column("processed", sa.BigInteger, nullable=False, default=0),
    sa.Column("failed", sa.BigInteger, nullable=False, default=0),
    sa.Column("retries", sa.Integer, nullable=False, default=0),
    sa.Column("processing_ms", sa.BigInteger, nullable=False, default=0),
    sa.Column("error_message", sa.Text, nullable=True),
    sa.Column("read_offset", sa.BigInteger, nullable=False, default=0),
    sa.Column("success_bytes", sa.BigInteger, nullable=False, default=0),
    sa.Column("failed_bytes", sa.BigInteger, nullable=False, default=0),
    sa.Column("lease_owner", sa.String(64), nullable=True),
    sa.Column("lease_until", sa.DateTime, nullable=True),
)

bulk_batch = sa.Table(
    "sb_bulk_batch",
    metadata,
    sa.Column("id", sa.String(18), primary_key=True),
    sa.Column("job_id", sa.String(18), nullable=False, index=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("modstamp", sa.DateTime, nullable=False),
    sa.Column("processed", sa.BigInteger, nullable=False, default=0),
    sa.Column("failed", sa.BigInteger, nullable=False, default=0),
    sa.Column("state_message", sa.Text, nullable=True),
)


def _v1_jobs(conn: Connection) -> None:
    metadata.create_all(conn, tables=[bulk_job, bulk_batch])


# ``legacy``: the pre-chain migration that created the same tables (see store.migrations).
CHAIN = Chain(
    "bulk",
    [Step(1, _v1_jobs, legacy=3)],
)

__all__ = ["CHAIN", "bulk_batch", "bulk_job", "metadata"]
