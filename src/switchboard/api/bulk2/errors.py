"""Errors of the Bulk API 2.0 resources (the job errors themselves live in org.bulk), and
their rendering.

SwitchboardError
└── ApiError
    └── UnsupportedBulkQuery   400 API_ERROR: SOQL that Bulk API 2.0 query jobs refuse

Bulk API 2.0 answers errors as ``[{"errorCode": ..., "message": ...}]``, without the
``fields`` list of the REST API's errors (the Delete a Query Job reference shows one).
"""

from __future__ import annotations

import functools

from starlette.responses import Response

from ...core.errors import SwitchboardError
from ..call import Call, Handler
from ..errors import ApiError, render_error
from ..responses import json_response


class UnsupportedBulkQuery(ApiError):
    # Salesforce refuses these when the job is created, with a JSON error array whose
    # message names the feature ("Aggregate Relationships not supported in Bulk V2 Query
    # with CSV content type" for a child subquery). The errorCode is not documented:
    # API_ERROR, Salesforce's generic code for a call the API cannot carry out, is a
    # best guess; clients key on the message.
    error_code = "API_ERROR"
    status = 400


def render(exc: BaseException, headers: dict[str, str] | None = None) -> Response:
    """A Bulk API 2.0 error array; anything unexpected renders as everywhere else."""
    if isinstance(exc, SwitchboardError):
        body = [{"errorCode": exc.error_code, "message": exc.message}]
        return json_response(body, exc.status, headers)
    return render_error(exc, headers)


def bulk_errors(handler: Handler) -> Handler:
    """``handler`` with its Switchboard errors rendered in the Bulk API 2.0 shape (errors
    before it runs, such as authentication, are the REST API's)."""

    @functools.wraps(handler)
    def run(call: Call) -> Response:
        try:
            return handler(call)
        except SwitchboardError as exc:
            return render(exc)

    return run


__all__ = ["UnsupportedBulkQuery", "bulk_errors", "render"]
