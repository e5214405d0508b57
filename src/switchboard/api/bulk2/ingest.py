"""Bulk API 2.0 ingest jobs: create, upload, close or abort, inspect, results, delete.

The upload (``PUT .../batches``, up to 150 MB) is streamed to the job's file rather than
read into memory, so it has its own endpoint instead of the buffered :func:`endpoint`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ...core.errors import NotFound, SwitchboardError
from ...org.bulk import jobs, states
from ...org.bulk.csvio import encode_rows, iter_rows, read_header
from ...org.bulk.errors import InvalidJob, InvalidJobState, UploadTooLarge
from ...org.bulk.files import JobFiles
from ...org.errors import InvalidType
from ...org.runtime import Org
from .. import versions
from ..call import Call, authenticate, bearer, check_untrusted
from ..responses import json_response, no_content
from . import listing
from .errors import render

# Set as a header, not a media type: Starlette would append "; charset=utf-8", and the
# documented format of the result resources is plain text/csv.
CSV_HEADERS = {"Content-Type": "text/csv"}


def _job(call: Call, *, query: bool = False) -> jobs.Job:
    with call.org.store.read() as conn:
        job = jobs.get(conn, call.params["id"])
    if job is None or job.api != "v2" or job.is_query != query:
        raise NotFound("Could not find a job with that id")
    return job


def create(call: Call) -> Response:
    data = call.json_object()
    operation = str(data.get("operation") or "")
    if operation not in jobs.INGEST_OPERATIONS:
        raise InvalidJob(f"InvalidJob : Invalid operation: {operation or '(none)'}")
    name = data.get("object")
    if not isinstance(name, str) or not name:
        raise InvalidJob("InvalidJob : The object is required")
    try:
        obj = call.org.schema.object(name)
    except InvalidType:
        raise InvalidJob(f"InvalidJob : sObject type '{name}' is not supported") from None
    ext = data.get("externalIdFieldName")
    if operation == "upsert":
        key = call.org.schema.field(obj, str(ext or ""))
        if not ext or key is None:
            raise InvalidJob(
                f"InvalidJob : External ID was blank for {obj.name}. "
                "An External ID must be specified for upsert."
            )
        if not (key.external_id or key.id_lookup or key.name == "Id"):
            raise InvalidJob(f"InvalidJob : The field {ext} is not an External ID field")
        ext = key.name
    if str(data.get("contentType", "CSV")).upper() != "CSV":
        raise InvalidJob("InvalidJob : Only CSV content is supported")

    def work(conn: Connection) -> jobs.Job:
        return jobs.create(
            conn,
            user_id=call.session.user_id,
            operation=operation,
            object_name=obj.name,
            api_version=call.version,
            external_id_field=ext if operation == "upsert" else None,
            column_delimiter=str(data.get("columnDelimiter") or "COMMA"),
            line_ending=str(data.get("lineEnding") or "LF"),
        )

    job = call.org.store.write(work)
    return json_response(job.summary())


def list_jobs(call: Call) -> Response:
    return listing.reply(call, query=False)


def info(call: Call) -> Response:
    return json_response(_job(call).info())


def change_state(call: Call, *, query: bool = False) -> Response:
    job = _job(call, query=query)
    wanted = states.check_requested(call.json_object().get("state"), query=query)
    uploaded = JobFiles(call.org.settings.data_dir, job.id).upload.exists()
    job = call.org.store.write(lambda c: states.change(c, job, wanted, uploaded=uploaded))
    if job.state == jobs.UPLOAD_COMPLETE:
        call.runtime.bulk.notify()
    return json_response(job.summary())


def delete(call: Call, *, query: bool = False) -> Response:
    job = _job(call, query=query)
    states.check_deletable(job, query=query)
    call.org.store.write(lambda c: jobs.delete(c, job.id))
    JobFiles(call.org.settings.data_dir, job.id).remove()
    return no_content()


def _stream(path: Any, size: int) -> Iterator[bytes]:
    with open(path, "rb") as f:
        left = size
        while left > 0:
            block = f.read(min(1 << 20, left))
            if not block:
                return
            left -= len(block)
            yield block


def _header_only(columns: list[str], job: jobs.Job) -> bytes:
    return encode_rows([columns], job.delimiter, "\r\n" if job.line_ending == "CRLF" else "\n")


def _original_header(job: jobs.Job, files: JobFiles) -> list[str]:
    try:
        return read_header(files.upload, job.delimiter)[0]
    except (OSError, SwitchboardError):
        return []


def successful(call: Call) -> Response:
    return _results(call, "success")


def failed(call: Call) -> Response:
    return _results(call, "failed")


def _results(call: Call, kind: str) -> Response:
    job = _job(call)
    files = JobFiles(call.org.settings.data_dir, job.id)
    path, size = (
        (files.success, job.success_bytes)
        if kind == "success"
        else (files.failed, job.failed_bytes)
    )
    if size == 0:
        lead = ["sf__Id", "sf__Created"] if kind == "success" else ["sf__Error", "sf__Id"]
        body = _header_only(lead + _original_header(job, files), job)
        return Response(body, headers=CSV_HEADERS)
    return StreamingResponse(_stream(path, size), headers=CSV_HEADERS)


def unprocessed(call: Call) -> Response:
    job = _job(call)
    files = JobFiles(call.org.settings.data_dir, job.id)
    header = _original_header(job, files)
    newline = "\r\n" if job.line_ending == "CRLF" else "\n"
    if job.state not in (jobs.FAILED, jobs.ABORTED) or not header:
        return Response(_header_only(header, job), headers=CSV_HEADERS)
    start = job.read_offset or read_header(files.upload, job.delimiter)[1]

    def gen() -> Iterator[bytes]:
        yield encode_rows([header], job.delimiter, newline)
        batch: list[list[str]] = []
        for row in iter_rows(files.upload, job.delimiter, start):
            batch.append(row)
            if len(batch) >= 2000:
                yield encode_rows(batch, job.delimiter, newline)
                batch = []
        if batch:
            yield encode_rows(batch, job.delimiter, newline)

    return StreamingResponse(gen(), headers=CSV_HEADERS)


def upload_endpoint(org: Org) -> Any:
    """``PUT jobs/ingest/{id}/batches``: the CSV streamed to the job's upload file."""
    limit = org.settings.bulk_max_upload_mb * 1024 * 1024

    def too_large() -> UploadTooLarge:
        return UploadTooLarge(f"The upload is larger than {org.settings.bulk_max_upload_mb} MB")

    async def run(request: Request) -> Response:
        params = dict(request.path_params)

        def check() -> jobs.Job:
            versions.parse(params["version"])
            authenticate(org, bearer(request.headers))
            check_untrusted(params, request.query_params)
            with org.store.read() as conn:
                job = jobs.get(conn, params["id"])
            if job is None or job.api != "v2" or job.is_query:
                raise NotFound("Could not find a job with that id")
            if job.state != jobs.OPEN:
                raise InvalidJobState(
                    f"Job {job.id} is in state {job.state}; data can only be uploaded "
                    "to an Open job"
                )
            return job

        try:
            job = await run_in_threadpool(check)
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise too_large()
            files = JobFiles(org.settings.data_dir, job.id).ensure()
            if files.upload.exists() and files.upload.stat().st_size > 0:
                raise InvalidJobState("Data has already been uploaded for this job")
            part = files.upload.with_suffix(".part")
            size = 0
            with open(part, "wb") as f:
                async for block in request.stream():
                    size += len(block)
                    if size > limit:
                        break
                    f.write(block)
            if size > limit:
                part.unlink(missing_ok=True)
                raise too_large()
            part.rename(files.upload)
        except Exception as exc:
            return render(exc)  # the Bulk API 2.0 error shape, authentication included
        return Response(status_code=201)

    return run


__all__ = [
    "change_state",
    "create",
    "delete",
    "failed",
    "info",
    "list_jobs",
    "successful",
    "unprocessed",
    "upload_endpoint",
]
