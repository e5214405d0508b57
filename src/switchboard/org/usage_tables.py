"""API usage counters: per minute for the org, and per connected app (see :mod:`org.usage`)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..store.migrations import Chain, Step

metadata = sa.MetaData()

api_usage = sa.Table(
    "sb_api_usage",
    metadata,
    sa.Column("minute", sa.BigInteger, primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
)

# The same per-minute counts per connected app (per-app quotas); the org-wide total
# stays in sb_api_usage.
api_app_usage = sa.Table(
    "sb_api_app_usage",
    metadata,
    sa.Column("client_id", sa.String(255), primary_key=True),
    sa.Column("minute", sa.BigInteger, primary_key=True, index=True),
    sa.Column("count", sa.BigInteger, nullable=False),
)


def _v1_api_usage(conn: Connection) -> None:
    metadata.create_all(conn, tables=[api_usage])


def _v2_app_usage(conn: Connection) -> None:
    metadata.create_all(conn, tables=[api_app_usage])


# ``legacy``: the pre-chain migration that created the same tables (see store.migrations).
CHAIN = Chain(
    "usage",
    [Step(1, _v1_api_usage, legacy=1), Step(2, _v2_app_usage, legacy=5)],
)

__all__ = ["CHAIN", "api_app_usage", "api_usage", "metadata"]
