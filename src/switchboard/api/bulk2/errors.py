"""Errors of the Bulk API 2.0 resources (the job errors themselves live in org.bulk).

SwitchboardError
└── ApiError
    └── UnsupportedBulkQuery   400 API_ERROR: SOQL that Bulk API 2.0 query jobs refuse
"""

from __future__ import annotations

from ..errors import ApiError


class UnsupportedBulkQuery(ApiError):
    # Salesforce refuses these when the job is created, with a JSON error array whose
    # message names the feature ("Aggregate Relationships not supported in Bulk V2 Query
    # with CSV content type" for a child subquery). The errorCode is not documented:
    # API_ERROR, Salesforce's generic code for a call the API cannot carry out, is a
    # best guess; clients key on the message.
    error_code = "API_ERROR"
    status = 400


__all__ = ["UnsupportedBulkQuery"]
