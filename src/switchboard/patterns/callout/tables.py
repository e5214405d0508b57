"""The call-out pattern's own tables: deliveries, their attempts and schedule
marks (consumer cursors are the event layer's: :mod:`events.consumers`).

A delivery row is committed in the same transaction that advances the consumer cursor
past the event that caused it (:mod:`events.consumers`), so a committed change is a
delivery exactly once, across crashes. ``idempotency_key`` is unique: it is the key the
endpoint sees on every attempt, and the guard against a second row for one trigger.

States: ``pending`` (due at ``next_attempt_at``) → ``in_flight`` (leased by
``lease_owner`` until ``lease_until``; an expired lease is claimable again) →
``delivered`` | ``dead`` (retry budget spent; ``last_*`` kept) | ``discarded`` (by hand).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...store.migrations import Chain

metadata = sa.MetaData()

TRIGGERS = ("change", "event", "schedule", "invoke", "retry")
STATES = ("pending", "in_flight", "delivered", "dead", "discarded")
OUTCOMES = ("ok", "transient", "terminal", "timeout", "circuit_open")

delivery = sa.Table(
    "sb_callout_delivery",
    metadata,
    sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    sa.Column("callout", sa.String(255), nullable=False),
    sa.Column("trigger", sa.String(16), nullable=False),
    sa.Column("event_id", sa.BigInteger, nullable=True),
    sa.Column("record_id", sa.String(18), nullable=True),
    sa.Column("order_key", sa.String(255), nullable=True),
    sa.Column("idempotency_key", sa.String(255), nullable=False, unique=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    # A re-driven dead letter keeps its attempt numbers rising (each attempt row stays
    # unique); its retry budget counts from ``retry_base`` and ``cycle_started_at``.
    sa.Column("retry_base", sa.Integer, nullable=False, server_default="0"),
    sa.Column("cycle_started_at", sa.DateTime, nullable=True),
    sa.Column("next_attempt_at", sa.DateTime, nullable=False),
    sa.Column("lease_owner", sa.String(255), nullable=True),
    sa.Column("lease_until", sa.DateTime, nullable=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("last_request", sa.Text, nullable=True),
    sa.Column("last_response", sa.Text, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("delivered_at", sa.DateTime, nullable=True),
    # Claiming scans due rows by state and time; listing scans one callout's newest.
    sa.Index("ix_sb_callout_delivery_due", "state", "next_attempt_at"),
    sa.Index("ix_sb_callout_delivery_callout", "callout", "id"),
    sa.Index("ix_sb_callout_delivery_order", "callout", "order_key", "id"),
)

attempt = sa.Table(
    "sb_callout_attempt",
    metadata,
    sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    sa.Column("delivery_id", sa.BigInteger, nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime, nullable=True),
    sa.Column("status", sa.Integer, nullable=True),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("duration_ms", sa.Float, nullable=True),
    # One row per attempt number of a delivery: a second worker recording the same
    # attempt fails here rather than counting twice.
    sa.UniqueConstraint("delivery_id", "number", name="uq_sb_callout_attempt_number"),
)

schedule_mark = sa.Table(
    "sb_callout_schedule",
    metadata,
    sa.Column("callout", sa.String(255), primary_key=True),
    sa.Column("last_fired", sa.DateTime, nullable=False),  # the cron slot last fired
)


def _v1_deliveries(conn: Connection) -> None:
    metadata.create_all(conn, tables=[delivery, attempt, schedule_mark])


# This layer's migration chain, run by the Runtime (``patterns.PATTERN_CHAINS``).
STEPS: list[tuple[int, Callable[[Connection], None]]] = [(1, _v1_deliveries)]
LAYER = "callout"
CHAIN = Chain(LAYER, STEPS)


def ensure(conn: Connection) -> None:
    """Create the tables that are missing (idempotent)."""
    metadata.create_all(conn, checkfirst=True)


__all__ = [
    "CHAIN",
    "LAYER",
    "OUTCOMES",
    "STATES",
    "STEPS",
    "TRIGGERS",
    "attempt",
    "delivery",
    "ensure",
    "metadata",
    "schedule_mark",
]
