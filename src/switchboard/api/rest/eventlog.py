"""``GET sobjects/EventLogFile/{id}/LogFile``: an event log file's CSV, as Salesforce
serves it (``text/csv``), for the event monitoring tools that download them."""

from __future__ import annotations

from starlette.responses import Response

from ...core import ids
from ...core.errors import NotFound
from ...org.security.trail import log_file_content
from ..call import Call, Handler


def log_file(call: Call) -> Response:
    raw = call.params.get("id", "")
    if not ids.looks_like_id(raw) or not raw.startswith("0AT"):
        raise NotFound()
    with call.org.store.read() as conn:
        body = log_file_content(conn, ids.to18(raw[:15]))
    if body is None:
        raise NotFound()
    # Exactly text/csv, no charset: some clients compare the type as a string.
    return Response(body, headers={"Content-Type": "text/csv"})


def eventlog_routes(v: str) -> list[tuple[str, dict[str, Handler]]]:
    return [(v + "/sobjects/EventLogFile/{id}/LogFile", {"GET": log_file})]


__all__ = ["eventlog_routes", "log_file"]
