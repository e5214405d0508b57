"""Bulk jobs: their states, their row in ``sb_bulk_job``, and the shape clients read.

Ingest: Open → UploadComplete → InProgress → JobComplete | Failed, or Aborted from any
state before completion. Query: UploadComplete → InProgress → JobComplete | Failed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...core import clock, ids
from ...core.clock import format_datetime
from ...core.errors import SwitchboardError
from . import tables as bulk_tables
from .errors import InvalidJob, InvalidJobState

OPEN, UPLOAD_COMPLETE, IN_PROGRESS = "Open", "UploadComplete", "InProgress"
COMPLETE, FAILED, ABORTED = "JobComplete", "Failed", "Aborted"
FINAL = {COMPLETE, FAILED, ABORTED}
INGEST_OPERATIONS = {"insert", "update", "upsert", "delete", "hardDelete"}
QUERY_OPERATIONS = {"query", "queryAll"}
DELIMITERS = {
    "COMMA": ",",
    "TAB": "\t",
    "SEMICOLON": ";",
    "PIPE": "|",
    "CARET": "^",
    "BACKQUOTE": "`",
}
LINE_ENDINGS = {"LF", "CRLF"}
JOB_KEY_PREFIX = "750"

T = bulk_tables.bulk_job


@dataclass(slots=True)
class Job:
    id: str
    api: str
    job_type: str
    operation: str
    object: str | None
    external_id_field: str | None
    query: str | None
    state: str
    content_type: str
    column_delimiter: str
    line_ending: str
    api_version: str
    created_by: str
    created_at: datetime
    modstamp: datetime
    processed: int = 0
    failed: int = 0
    retries: int = 0
    processing_ms: int = 0
    error_message: str | None = None
    read_offset: int = 0
    success_bytes: int = 0
    failed_bytes: int = 0
    lease_owner: str | None = None
    lease_until: datetime | None = None

    @property
    def delimiter(self) -> str:
        return DELIMITERS[self.column_delimiter]

    @property
    def is_query(self) -> bool:
        return self.operation in QUERY_OPERATIONS

    @property
    def content_url(self) -> str:
        return f"services/data/v{self.api_version}/jobs/ingest/{self.id}/batches"

    def _head(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "operation": self.operation,
            "object": self.object,
            "createdById": self.created_by,
            "createdDate": format_datetime(self.created_at),
            "systemModstamp": format_datetime(self.modstamp),
            "state": self.state,
        }
        # Salesforce leaves null properties out: externalIdFieldName is there for upsert.
        if self.external_id_field and not self.is_query:
            out["externalIdFieldName"] = self.external_id_field
        out.update(
            concurrencyMode="Parallel",
            contentType=self.content_type,
            apiVersion=float(self.api_version),
        )
        return out

    def info(self) -> dict[str, Any]:
        """The job as ``GET jobs/ingest/{id}`` (or ``jobs/query/{id}``) shows it, fields in
        Salesforce's order."""
        out = self._head()
        out["jobType"] = self.job_type
        if self.state == OPEN and self.job_type == "V2Ingest":
            out["contentUrl"] = self.content_url  # the upload URL, while the job takes data
        out.update(
            lineEnding=self.line_ending,
            columnDelimiter=self.column_delimiter,
            numberRecordsProcessed=self.processed,
        )
        if not self.is_query:
            out["numberRecordsFailed"] = self.failed
        out.update(
            retries=self.retries,
            totalProcessingTime=self.processing_ms,
        )
        if not self.is_query:
            out.update(apiActiveProcessingTime=self.processing_ms, apexProcessingTime=0)
        if self.error_message:
            out["errorMessage"] = self.error_message
        if self.is_query:
            out["isPkChunkingSupported"] = pk_chunking_supported(self.query)
        return out

    def summary(self) -> dict[str, Any]:
        """The reply to job creation and state changes, and the entries of the job list."""
        out = self._head()
        if self.job_type == "V2Ingest":
            out["contentUrl"] = self.content_url
        elif self.query is not None and self.job_type == "V2Query":
            out["query"] = self.query
        out.update(
            lineEnding=self.line_ending,
            columnDelimiter=self.column_delimiter,
            jobType=self.job_type,
        )
        return out


@functools.lru_cache(maxsize=256)
def pk_chunking_supported(query: str | None) -> bool:
    """Whether a query job could be chunked by primary key: ORDER BY and LIMIT turn PK
    chunking off, as Salesforce documents for Bulk API 2.0 query jobs. Cached by query
    text: clients poll a job's info many times, and its query never changes."""
    if not query:
        return True
    from ..soql.parser import parse  # deferred: jobs are read far more often than queried

    try:
        parsed = parse(query)
    except SwitchboardError:  # the query was planned at creation; this cannot happen
        return True
    return not parsed.order_by and parsed.limit is None


def create(
    conn: Connection,
    *,
    user_id: str,
    operation: str,
    object_name: str | None,
    api_version: str,
    external_id_field: str | None = None,
    query: str | None = None,
    column_delimiter: str = "COMMA",
    line_ending: str = "LF",
    content_type: str = "CSV",
    api: str = "v2",
    state: str = OPEN,
    id_prefix: str = JOB_KEY_PREFIX,
) -> Job:
    if column_delimiter not in DELIMITERS:
        raise InvalidJob(f"Invalid column delimiter: {column_delimiter}")
    if line_ending not in LINE_ENDINGS:
        raise InvalidJob(f"Invalid line ending: {line_ending}")
    now = clock.now()
    job_type = (
        "Classic" if api == "v1" else ("V2Query" if operation in QUERY_OPERATIONS else "V2Ingest")
    )
    job = Job(
        id=ids.new_id(id_prefix),
        api=api,
        job_type=job_type,
        operation=operation,
        object=object_name,
        external_id_field=external_id_field,
        query=query,
        state=state,
        content_type=content_type,
        column_delimiter=column_delimiter,
        line_ending=line_ending,
        api_version=api_version,
        created_by=user_id,
        created_at=now,
        modstamp=now,
    )
    conn.execute(T.insert().values(**{c.name: getattr(job, c.name) for c in T.columns}))
    return job


def get(conn: Connection, job_id: str) -> Job | None:
    row = conn.execute(sa.select(T).where(T.c.id == job_id)).mappings().first()
    return Job(**dict(row)) if row else None


def list_jobs(
    conn: Connection,
    *,
    query: bool,
    job_type: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[Job]:
    """The jobs ``GET jobs/ingest`` (``query=False``) or ``GET jobs/query`` lists: Bulk
    API 2.0 jobs of that kind and every Bulk API 1.0 job (jobType Classic), oldest first,
    optionally of one ``job_type`` and a page of them."""
    kinds = {"Classic", "V2Query" if query else "V2Ingest"}
    if job_type is not None:
        kinds &= {job_type}
    # v1 batches are rows of their own (api v1b) and are no jobs to list.
    where = sa.and_(T.c.api.in_(("v1", "v2")), T.c.job_type.in_(sorted(kinds)))
    stmt = sa.select(T).where(where).order_by(T.c.created_at, T.c.id).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [Job(**dict(r)) for r in conn.execute(stmt).mappings()]


def set_state(conn: Connection, job: Job, state: str, *, error: str | None = None) -> Job:
    """Move ``job`` to ``state`` if Salesforce allows it from where the job is."""
    allowed = {
        UPLOAD_COMPLETE: {OPEN},
        ABORTED: {OPEN, UPLOAD_COMPLETE, IN_PROGRESS},
        FAILED: {OPEN, UPLOAD_COMPLETE, IN_PROGRESS},
        COMPLETE: {IN_PROGRESS, UPLOAD_COMPLETE},
        IN_PROGRESS: {UPLOAD_COMPLETE, IN_PROGRESS},
    }
    if job.state not in allowed.get(state, set()):
        raise InvalidJobState(
            f"Job {job.id} is in state {job.state}; it cannot be changed to {state}"
        )
    now = clock.now()
    values: dict[str, Any] = {"state": state, "modstamp": now}
    if error is not None:
        values["error_message"] = error
    result = conn.execute(
        T.update().where(T.c.id == job.id, T.c.state == job.state).values(**values)
    )
    if result.rowcount != 1:
        raise InvalidJobState(f"Job {job.id} changed state meanwhile; try again")
    job.state, job.modstamp = state, now
    if error is not None:
        job.error_message = error
    return job


def delete(conn: Connection, job_id: str) -> None:
    conn.execute(T.delete().where(T.c.id == job_id))
    conn.execute(bulk_tables.bulk_batch.delete().where(bulk_tables.bulk_batch.c.job_id == job_id))


__all__ = [
    "ABORTED",
    "COMPLETE",
    "DELIMITERS",
    "FAILED",
    "FINAL",
    "INGEST_OPERATIONS",
    "IN_PROGRESS",
    "Job",
    "OPEN",
    "QUERY_OPERATIONS",
    "UPLOAD_COMPLETE",
    "create",
    "delete",
    "get",
    "list_jobs",
    "set_state",
]
