"""Retention: LoginHistory, SetupAuditTrail, EventLogFile and the captured API events
are kept for their settings' days, then deleted (in chunks, so a prune never holds
SQLite's writer for long)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ....core import clock
from .tables import api_event, log_content, object_table

if TYPE_CHECKING:
    from ....core.settings import Settings
    from ....store.engine import Store

_CHUNK = 1000


def _delete_older(store: Store, table: sa.Table, column: sa.Column, before: object) -> int:
    key = table.primary_key.columns.values()[0]
    total = 0
    while True:

        def work(conn: Connection) -> int:
            ids = [r[0] for r in conn.execute(sa.select(key).where(column < before).limit(_CHUNK))]
            if not ids:
                return 0
            if table.name == object_table("EventLogFile").name:
                conn.execute(log_content.delete().where(log_content.c.file_id.in_(ids)))
            conn.execute(table.delete().where(key.in_(ids)))
            return len(ids)

        done = store.write(work)
        total += done
        if done < _CHUNK:
            return total


def prune(store: Store, settings: Settings) -> dict[str, int]:
    """Delete what is past retention; how many rows of each went."""
    now = clock.now()
    login = object_table("LoginHistory")
    setup = object_table("SetupAuditTrail")
    elf = object_table("EventLogFile")
    days = {
        "LoginHistory": settings.login_history_retention_days,
        "SetupAuditTrail": settings.audit_retention_days,
        "EventLogFile": settings.event_log_retention_days,
    }
    return {
        "LoginHistory": _delete_older(
            store, login, login.c.logintime, now - timedelta(days=days["LoginHistory"])
        ),
        "SetupAuditTrail": _delete_older(
            store, setup, setup.c.createddate, now - timedelta(days=days["SetupAuditTrail"])
        ),
        "EventLogFile": _delete_older(
            store, elf, elf.c.logdate, now - timedelta(days=days["EventLogFile"])
        ),
        "events": _delete_older(
            store, api_event, api_event.c.at, now - timedelta(days=days["EventLogFile"])
        ),
    }


__all__ = ["prune"]
