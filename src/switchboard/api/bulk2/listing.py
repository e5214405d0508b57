"""``GET jobs/ingest`` and ``GET jobs/query``: the job list, filtered and paged.

Salesforce pages the list by 1,000 jobs and hands out the next page as
``nextRecordsUrl: /services/data/vXX.X/jobs/ingest?queryLocator=01g...-1000``; here the
position travels in the locator after the dash, and the filters in the URL beside it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.responses import Response

from ...core import ids
from ...org.bulk import jobs
from ...org.soql.errors import InvalidQueryLocator
from ...org.soql.locators import PREFIX
from ..call import Call
from ..responses import json_response

PAGE = 1000
_FILTERS = ("isPkChunkingEnabled", "jobType", "concurrencyMode")


def _position(locator: str) -> int:
    if not locator:
        return 0
    _, _, tail = locator.rpartition("-")
    if not tail.isdigit():
        raise InvalidQueryLocator("invalid query locator")
    return int(tail)


def reply(call: Call, *, query: bool) -> Response:
    start = _position(call.query.get("queryLocator", ""))
    job_type = call.query.get("jobType") or None
    # Nothing here runs PK chunking and every job is Parallel, so those filters either
    # keep every job or none.
    none = call.query.get("isPkChunkingEnabled", "").lower() == "true" or (
        call.query.get("concurrencyMode", "parallel").lower() != "parallel"
    )
    found: list[jobs.Job] = []
    if not none:
        with call.org.store.read() as conn:
            found = jobs.list_jobs(
                conn, query=query, job_type=job_type, offset=start, limit=PAGE + 1
            )
    more = len(found) > PAGE
    next_url = None
    if more:
        params = {k: call.query[k] for k in _FILTERS if k in call.query}
        params["queryLocator"] = f"{ids.new_id(PREFIX)}-{start + PAGE}"
        kind = "query" if query else "ingest"
        next_url = f"/services/data/v{call.version}/jobs/{kind}?{urlencode(params)}"
    return json_response(
        {
            "done": not more,
            "records": [j.summary() for j in found[:PAGE]],
            "nextRecordsUrl": next_url,
        }
    )


__all__ = ["PAGE", "reply"]
