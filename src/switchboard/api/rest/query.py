"""SOQL over REST: ``query``, ``queryAll``, their locators, and ``explain``."""

from __future__ import annotations

from starlette.responses import Response

from ...org.soql.engine import batch_size
from ...org.soql.errors import MalformedQuery
from ..call import Call
from ..responses import json_response


def _run(call: Call, all_rows: bool) -> Response:
    engine = call.runtime.soql
    explain = call.query.get("explain")
    if explain is not None:
        return json_response(engine.explain(explain))
    text = call.query.get("q")
    if text is None or not text.strip():
        raise MalformedQuery("SOQL statements cannot be empty or null")
    if call.query.get("columns", "").lower() == "true":
        from ...org.soql.columns import column_metadata

        return json_response(column_metadata(engine, text, call.principal))
    reply = engine.query(
        text,
        version=call.version,
        all_rows=all_rows,
        batch=batch_size(call.headers.get("sforce-query-options")),
        user_id=call.session.user_id,
        principal=call.principal,
    )
    return json_response(reply)


def query(call: Call) -> Response:
    return _run(call, False)


def query_all(call: Call) -> Response:
    return _run(call, True)


def more(call: Call) -> Response:
    return json_response(call.runtime.soql.more(call.params["locator"], version=call.version))


__all__ = ["more", "query", "query_all"]
