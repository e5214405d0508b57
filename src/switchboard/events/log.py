"""Appending to the event log inside the writer's own transaction (transactional outbox).

An event row commits or rolls back with the record change that caused it, so no
committed change is without its event and no event describes a change that never
committed. Readers and replay live beside this module; appending is all DML needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.engine import Connection

from ..store import internal


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def append(conn: Connection, events: Sequence[tuple[str, dict[str, Any]]], at: datetime) -> None:
    """Append ``(channel, payload)`` events in one statement, within ``conn``'s transaction."""
    if not events:
        return
    conn.execute(
        internal.event.insert(),
        [
            {
                "channel": channel,
                "payload": orjson.dumps(payload, default=_default).decode(),
                "created_at": at,
            }
            for channel, payload in events
        ],
    )


__all__ = ["append"]
