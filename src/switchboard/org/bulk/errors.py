"""Errors of bulk jobs.

SwitchboardError
└── OrgError
    └── BulkError               terminal (all of them)
        ├── InvalidJob          400 INVALIDJOB: bad job definition
        ├── InvalidJobState     409 INVALIDJOBSTATE: operation not allowed in this state
        ├── InvalidBatchState   400 InvalidBatch: a 1.0 batch's results before it completed
        ├── JobNotComplete      412 JOB_NOT_COMPLETE: results asked for too early
        ├── JobNotTerminated    400 API_ERROR: a query job deleted before it finished
        ├── UploadTooLarge      413 EXCEEDED_QUOTA: upload above the size limit
        └── CsvFormatError      400 InvalidBatch: a CSV that cannot be read
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


class InvalidBatchState(BulkError):
    error_code = "InvalidBatch"


class JobNotComplete(BulkError):
    error_code = "JOB_NOT_COMPLETE"
    status = 412


class JobNotTerminated(BulkError):
    # Documented in "Delete a Query Job": 400, API_ERROR and this very message.
    error_code = "API_ERROR"
    status = 400

    def __init__(self) -> None:
        super().__init__(
            "Error encountered when deleting the job because the job is not terminated"
        )


class CsvFormatError(BulkError):
    error_code = "InvalidBatch"


class UploadTooLarge(BulkError):
    error_code = "EXCEEDED_QUOTA"
    status = 413


__all__ = [
    "BulkError",
    "CsvFormatError",
    "InvalidBatchState",
    "InvalidJob",
    "InvalidJobState",
    "JobNotComplete",
    "JobNotTerminated",
    "UploadTooLarge",
]
