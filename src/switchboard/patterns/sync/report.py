"""What ``switchboard sync status`` and ``sync errors`` show, read from the sync tables.

Errors are Salesforce-shaped, as a Bulk job's failed rows or a composite reply's:
``{"sourceKey": "42", "errors": [{"message": ..., "errorCode": ..., "fields": [...]}]}``.
"""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa

from ...core import clock
from . import positions
from .tables import error, run, state


def _time(value: Any) -> str | None:
    return clock.format_datetime(value) if value is not None else None


def status(store: Any) -> list[dict[str, Any]]:
    """Every sync that ever ran: its position, its last run and its rows still failing."""
    out = []
    with store.read() as conn:
        states = conn.execute(sa.select(state).order_by(state.c.sync)).mappings().all()
        for s in states:
            last = conn.execute(
                sa.select(run).where(run.c.sync == s["sync"]).order_by(run.c.id.desc()).limit(1)
            ).mappings().first()
            failing = conn.execute(
                sa.select(sa.func.count()).select_from(error).where(error.c.sync == s["sync"])
            ).scalar()
            cursor = positions.decode(s["cursor_value"]) if s["cursor_value"] else None
            key = positions.decode(s["key_value"]) if s["key_value"] else None
            out.append({
                "sync": s["sync"],
                "cursor": None if cursor is None else str(cursor),
                "key": None if key is None else str(key),
                "lastRun": None if last is None else {
                    "id": last["id"], "status": last["status"],
                    "startedAt": _time(last["started_at"]),
                    "finishedAt": _time(last["finished_at"]),
                    "rowsRead": last["rows_read"], "rowsWritten": last["rows_written"],
                    "rowsFailed": last["rows_failed"], "batches": last["batches"],
                    "error": last["error"],
                },
                "failingRows": int(failing or 0),
            })  # fmt: skip
    return out


def errors(store: Any, sync: str, limit: int = 1000) -> list[dict[str, Any]]:
    """The rows of ``sync`` the org refused and that have not been written since."""
    with store.read() as conn:
        rows = conn.execute(
            sa.select(error).where(error.c.sync == sync).order_by(error.c.id).limit(limit)
        ).mappings().all()
    return [{
        "sourceKey": r["source_key"],
        "runId": r["run_id"],
        "createdAt": _time(r["created_at"]),
        "errors": [{"message": r["message"], "errorCode": r["error_code"],
                    "fields": orjson.loads(r["fields"])}],
    } for r in rows]  # fmt: skip


__all__ = ["errors", "status"]
