"""Errors of bulk jobs.

SwitchboardError
└── OrgError
    └── BulkError
        ├── InvalidJob          400 INVALIDJOB: bad job definition
        ├── InvalidJobState     409 INVALIDJOBSTATE: operation not allowed in this state
        ├── JobNotComplete      412 JOB_NOT_COMPLETE: results asked for too early
        └── UploadTooLarge      413 EXCEEDED_QUOTA: upload above the size limit
"""

from __future__ import annotations

from ..errors import OrgError


class BulkError(OrgError):
    pass


class InvalidJob(BulkError):
    error_code = "INVALIDJOB"


class InvalidJobState(BulkError):
    error_code = "INVALIDJOBSTATE"
    status = 409


class JobNotComplete(BulkError):
    error_code = "JOB_NOT_COMPLETE"
    status = 412


class UploadTooLarge(BulkError):
    error_code = "EXCEEDED_QUOTA"
    status = 413


__all__ = ["BulkError", "InvalidJob", "InvalidJobState", "JobNotComplete", "UploadTooLarge"]
