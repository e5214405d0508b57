"""The event layer's tables: the event log (see :mod:`events.log`, :mod:`events.replay`)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..store.migrations import Chain, Step

metadata = sa.MetaData()

event = sa.Table(
    "sb_event",
    metadata,
    sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    sa.Column("channel", sa.String(255), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False, index=True),
)
sa.Index("ix_sb_event_channel_id", event.c.channel, event.c.id)


def _v1_event_log(conn: Connection) -> None:
    metadata.create_all(conn, tables=[event])


# ``legacy``: the pre-chain migration that created the same tables (see store.migrations).
CHAIN = Chain(
    "events",
    [Step(1, _v1_event_log, legacy=1)],
)

__all__ = ["CHAIN", "event", "metadata"]
