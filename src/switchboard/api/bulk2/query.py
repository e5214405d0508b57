"""Bulk API 2.0 query jobs: create, inspect, abort, delete, and paged CSV results.

A query job takes plain record queries only: Salesforce refuses child subqueries, GROUP
BY, aggregate functions, OFFSET, TYPEOF, FIELDS() and compound fields when the job is
created, so the org does too rather than writing a CSV that silently drops them.
"""

from __future__ import annotations

import base64

from sqlalchemy.engine import Connection
from starlette.responses import Response

from ...org.bulk import jobs
from ...org.bulk.csvio import encode_rows, iter_rows, read_header
from ...org.bulk.errors import InvalidJob, JobNotComplete
from ...org.bulk.files import JobFiles
from ...org.soql import ast
from ...org.soql.errors import InvalidQueryLocator
from ...org.soql.executor import Plan
from ...org.soql.parser import parse
from ...org.soql.shape import COMPOUND, PARENT, RecordShape
from ..call import Call
from ..responses import json_response
from . import ingest, listing
from .errors import UnsupportedBulkQuery

CSV_HEADERS = {"Content-Type": "text/csv"}  # no charset: see ingest.CSV_HEADERS
_MAX_PAGE = 1_000_000  # a page of results Salesforce may cut smaller, never larger


def _has_compound(shape: RecordShape) -> bool:
    return any(e[0] == COMPOUND or (e[0] == PARENT and _has_compound(e[2])) for e in shape.entries)


def _unsupported(text: str, plan: Plan) -> str | None:
    """Why Bulk API 2.0 refuses the query ``plan`` was made from, or None."""
    query = parse(text)
    if any(isinstance(item, ast.Subquery) for item in query.select):
        return "Aggregate Relationships not supported in Bulk V2 Query with CSV content type"
    if query.group_by is not None:
        return "GROUP BY not supported in Bulk V2 Query"
    if plan.mode != "records":
        return "Aggregate functions such as COUNT() not supported in Bulk V2 Query"
    if query.offset is not None:
        return "OFFSET not supported in Bulk V2 Query"
    if any(isinstance(item, ast.TypeOf) for item in query.select):
        return "TYPEOF not supported in Bulk V2 Query"
    if any(isinstance(item, ast.FieldsSelector) for item in query.select):
        return "FIELDS() not supported in Bulk V2 Query"
    if _has_compound(plan.compiled.shape):
        return "Selecting compound data not supported in Bulk Query"
    return None


def create(call: Call) -> Response:
    data = call.json_object()
    operation = str(data.get("operation") or "query")
    if operation not in jobs.QUERY_OPERATIONS:
        raise InvalidJob(f"InvalidJob : Invalid operation: {operation}")
    text = data.get("query")
    if not isinstance(text, str) or not text.strip():
        raise InvalidJob("InvalidJob : The query is required")
    # MALFORMED_QUERY, INVALID_TYPE and INVALID_FIELD now, as the caller.
    plan = call.runtime.soql.plan(text, operation == "queryAll", call.principal)
    refused = _unsupported(text, plan)
    if refused is not None:
        raise UnsupportedBulkQuery(refused)
    object_name = getattr(getattr(plan, "compiled", None), "obj", None)

    def work(conn: Connection) -> jobs.Job:
        return jobs.create(
            conn,
            user_id=call.session.user_id,
            operation=operation,
            object_name=getattr(object_name, "name", None),
            api_version=call.version,
            query=text,
            column_delimiter=str(data.get("columnDelimiter") or "COMMA"),
            line_ending=str(data.get("lineEnding") or "LF"),
            state=jobs.UPLOAD_COMPLETE,
        )

    job = call.org.store.write(work)
    call.runtime.bulk.notify()
    return json_response(job.summary())


def list_jobs(call: Call) -> Response:
    return listing.reply(call, query=True)


def info(call: Call) -> Response:
    return json_response(ingest._job(call, query=True).info())


def change_state(call: Call) -> Response:
    return ingest.change_state(call, query=True)


def delete(call: Call) -> Response:
    return ingest.delete(call, query=True)


def _locator(position: int) -> str:
    """Since API 49.0 Salesforce's Sforce-Locator is an opaque string (``MTAwMDA``), not
    a row number; this one is the position in base64, without padding."""
    return base64.urlsafe_b64encode(str(position).encode()).decode().rstrip("=")


def _position(locator: str) -> int:
    if not locator:
        return 0
    if locator.isdigit():  # the plain row numbers handed out before
        return int(locator)
    try:
        text = base64.urlsafe_b64decode(locator + "=" * (-len(locator) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        text = ""
    if not text.isdigit():
        raise InvalidQueryLocator(f"Invalid locator: {locator}")
    return int(text)


def results(call: Call) -> Response:
    job = ingest._job(call, query=True)
    if job.state != jobs.COMPLETE:
        raise JobNotComplete(f"Job {job.id} is not complete: its state is {job.state}")
    raw_max = call.query.get("maxRecords", "")
    limit = int(raw_max) if raw_max.isdigit() and int(raw_max) > 0 else _MAX_PAGE
    limit = min(limit, _MAX_PAGE)
    start = _position(call.query.get("locator", ""))
    path = JobFiles(call.org.settings.data_dir, job.id).query
    newline = "\r\n" if job.line_ending == "CRLF" else "\n"
    if not path.exists() or path.stat().st_size == 0:
        headers = {**CSV_HEADERS, "Sforce-Locator": "null", "Sforce-NumberOfRecords": "0"}
        return Response(b"", headers=headers)
    header, data_at = read_header(path, job.delimiter)
    page: list[list[str]] = []
    more = False
    for i, row in enumerate(iter_rows(path, job.delimiter, data_at)):
        if i < start:
            continue
        if len(page) >= limit:
            more = True
            break
        page.append(row)
    body = encode_rows([header, *page], job.delimiter, newline)
    headers = {
        **CSV_HEADERS,
        "Sforce-Locator": _locator(start + len(page)) if more else "null",
        "Sforce-NumberOfRecords": str(len(page)),
    }
    return Response(body, headers=headers)


__all__ = ["change_state", "create", "delete", "info", "list_jobs", "results"]
