"""The trail's own tables: API events waiting to be rolled into event log files, and
the CSV content of each EventLogFile (a base64 field has no column on its record).

The three sObjects themselves (SetupAuditTrail, LoginHistory, EventLogFile) are ordinary
catalog objects whose tables the schema creates; :func:`object_table` gives their
SQLAlchemy tables to writers that hold a connection but no Schema (connected apps,
secrets), built from the same catalog definition the schema builds them from.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ....store.migrations import Chain, Step
from ....store.tables import build_table
from ...schema.catalog import audit as catalog
from ...schema.registry import _columns

metadata = sa.MetaData()

api_event = sa.Table(
    "sb_api_event",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_type", sa.String(16), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False, index=True),
    sa.Column("user_id", sa.String(18), nullable=True, index=True),
    # The event's values keyed by their CSV column names, as JSON.
    sa.Column("payload", sa.Text, nullable=False),
    # Set once the event is in its Hourly and its Daily EventLogFile.
    sa.Column("in_hourly", sa.Boolean, nullable=False, default=False, index=True),
    sa.Column("in_daily", sa.Boolean, nullable=False, default=False, index=True),
)

log_content = sa.Table(
    "sb_event_log_content",
    metadata,
    sa.Column("file_id", sa.String(18), primary_key=True),
    sa.Column("content", sa.LargeBinary, nullable=False),
)


def _v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=[api_event, log_content])


CHAIN = Chain("trail", [Step(1, _v1)])

_BUILDERS = {b().name: b for b in catalog.OBJECTS}


@functools.cache
def object_table(name: str) -> sa.Table:
    """The table of SetupAuditTrail, LoginHistory or EventLogFile."""
    obj = _BUILDERS[name]()
    return build_table(obj.table, _columns(obj), sa.MetaData())


__all__ = ["CHAIN", "api_event", "log_content", "metadata", "object_table"]
