"""Bulk API 1.0 jobs and batches: the handlers.

A job is a row of ``sb_bulk_job`` with api ``v1`` whose state is Bulk API 1.0's own
(Open, Closed, Aborted, Failed), which the bulk worker never claims. Each batch is a
row of ``sb_bulk_batch`` (its job and order) and a worker job with api ``v1b`` and the
batch's id, created UploadComplete so the worker processes it at once; the batch's
state is that job's state in 1.0 words.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy.engine import Connection
from starlette.responses import Response, StreamingResponse

from ...core.clock import format_datetime
from ...core.errors import NotFound
from ...org.bulk import jobs, states, v1
from ...org.bulk.errors import InvalidBatchState, InvalidJob
from ...org.bulk.files import JobFiles
from ...org.bulk.states import V1_BATCH_STATE
from ...org.errors import InvalidType
from ..call import Call
from . import batches, wire

RESULT_PREFIX = "752"
_CONTENT = {"CSV": "CSV", "XML": "XML", "JSON": "JSON", "ZIP_CSV": "CSV", "ZIP_XML": "XML"}
MAX_BATCH_BYTES = 10 * 1024 * 1024


def _sends_json(call: Call) -> bool:
    return call.headers.get("content-type", "").split(";")[0].strip().lower() == wire.JSON


def _json_job(job: jobs.Job) -> bool:
    return job.content_type == "JSON"


def _stamp(value: Any, as_json: bool) -> str:
    text = format_datetime(value)
    return text if as_json else text.replace("+0000", "Z")


def _job(call: Call) -> jobs.Job:
    with call.org.store.read() as conn:
        job = jobs.get(conn, call.params["job"])
    if job is None or job.api != "v1":
        raise NotFound(f"Unable to find job {call.params['job']}")
    return job


def _job_fields(job: jobs.Job, parts: list[jobs.Job], as_json: bool) -> list[tuple[str, Any]]:
    states = [V1_BATCH_STATE[b.state] for b in parts]
    fields: list[tuple[str, Any]] = [
        ("id", job.id),
        ("operation", job.operation),
        ("object", job.object),
    ]
    if job.external_id_field:
        fields.append(("externalIdFieldName", job.external_id_field))
    fields += [
        ("createdById", job.created_by),
        ("createdDate", _stamp(job.created_at, as_json)),
        ("systemModstamp", _stamp(job.modstamp, as_json)),
        ("state", job.state),
        ("concurrencyMode", "Parallel"),
        ("contentType", job.content_type),
        ("numberBatchesQueued", states.count("Queued")),
        ("numberBatchesInProgress", states.count("InProgress")),
        ("numberBatchesCompleted", states.count("Completed")),
        ("numberBatchesFailed", states.count("Failed")),
        ("numberBatchesTotal", len(parts)),
        ("numberRecordsProcessed", sum(b.processed for b in parts)),
        ("numberRetries", sum(b.retries for b in parts)),
        ("apiVersion", job.api_version if not as_json else float(job.api_version)),
        ("numberRecordsFailed", sum(b.failed for b in parts)),
        ("totalProcessingTime", sum(b.processing_ms for b in parts)),
        ("apiActiveProcessingTime", sum(b.processing_ms for b in parts)),
        ("apexProcessingTime", 0),
    ]
    return fields


def _batch_fields(batch: jobs.Job, job_id: str, as_json: bool) -> list[tuple[str, Any]]:
    return [
        ("id", batch.id),
        ("jobId", job_id),
        ("state", V1_BATCH_STATE[batch.state]),
        ("stateMessage", batch.error_message),
        ("createdDate", _stamp(batch.created_at, as_json)),
        ("systemModstamp", _stamp(batch.modstamp, as_json)),
        ("numberRecordsProcessed", batch.processed),
        ("numberRecordsFailed", batch.failed),
        ("totalProcessingTime", batch.processing_ms),
        ("apiActiveProcessingTime", batch.processing_ms),
        ("apexProcessingTime", 0),
    ]


def _job_response(call: Call, job: jobs.Job, as_json: bool, status: int = 200) -> Response:
    with call.org.store.read() as conn:
        parts = states.v1_batches(conn, job.id)
    return wire.info_response("jobInfo", _job_fields(job, parts, as_json), as_json, status)


def create_job(call: Call) -> Response:
    as_json = _sends_json(call)
    doc = wire.parse_job_doc(call.body, as_json)
    operation = doc.get("operation", "")
    if operation not in jobs.INGEST_OPERATIONS | jobs.QUERY_OPERATIONS:
        raise InvalidJob(f"InvalidJob : Invalid operation: {operation or '(none)'}")
    try:
        obj = call.org.schema.object(doc.get("object", ""))
    except InvalidType:
        raise InvalidJob(f"InvalidJob : Unable to find object: {doc.get('object')}") from None
    content = _CONTENT.get(doc.get("contentType", "XML").upper())
    if content is None:
        raise InvalidJob(f"InvalidJob : Invalid contentType: {doc.get('contentType')}")
    ext = None
    if operation == "upsert":
        key = call.org.schema.field(obj, doc.get("externalIdFieldName", ""))
        if key is None or not (key.external_id or key.id_lookup or key.name == "Id"):
            raise InvalidJob(
                f"InvalidJob : External ID was blank or not an external id field for {obj.name}"
            )
        ext = key.name

    def work(conn: Connection) -> jobs.Job:
        return jobs.create(
            conn,
            user_id=call.session.user_id,
            operation=operation,
            object_name=obj.name,
            api_version=call.version,
            external_id_field=ext,
            content_type=content,
            api="v1",
            state=states.V1_OPEN,
        )

    job = call.org.store.write(work)
    return _job_response(call, job, as_json, 201)


def get_job(call: Call) -> Response:
    job = _job(call)
    return _job_response(call, job, _json_job(job))


def change_job(call: Call) -> Response:
    as_json = _sends_json(call)
    wanted = wire.parse_job_doc(call.body, as_json).get("state")
    job = _job(call)
    return _job_response(
        call, call.org.store.write(lambda c: states.v1_change(c, job, wanted)), as_json
    )


def add_batch(call: Call) -> Response:
    job = _job(call)
    states.v1_require_open(job)
    if len(call.body) > MAX_BATCH_BYTES:
        raise InvalidJob("InvalidBatch : The batch is larger than 10 MB")
    query = None
    data = call.body
    if job.is_query:
        query = call.body.decode("utf-8", errors="replace").strip()
        # MALFORMED_QUERY (and what the caller may not read) now.
        call.runtime.soql.plan(query, job.operation == "queryAll", call.principal)
    elif job.content_type == "JSON":
        records = call.json()
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise InvalidJob("InvalidBatch : A JSON array of records was expected")
        data = batches.records_to_csv(records)
    elif job.content_type == "XML":
        data = batches.records_to_csv(wire.parse_sobjects(call.body))

    def work(conn: Connection) -> jobs.Job:
        return v1.add_batch(
            conn,
            job,
            user_id=call.session.user_id,
            data_dir=call.org.settings.data_dir,
            request=call.body,
            rows_csv=None if job.is_query else data,
            query=query,
        )

    part = call.org.store.write(work)
    call.runtime.bulk.notify()
    as_json = _json_job(job) or _sends_json(call)
    return wire.info_response("batchInfo", _batch_fields(part, job.id, as_json), as_json, 201)


def _batch(call: Call, job: jobs.Job) -> jobs.Job:
    with call.org.store.read() as conn:
        part = v1.find_batch(conn, job, call.params["batch"])
    if part is None:
        raise NotFound(f"Unable to find batch {call.params['batch']} in job {job.id}")
    return part


def list_batches(call: Call) -> Response:
    job = _job(call)
    with call.org.store.read() as conn:
        parts = states.v1_batches(conn, job.id)
    as_json = _json_job(job)
    return wire.batch_list_response([_batch_fields(p, job.id, as_json) for p in parts], as_json)


def get_batch(call: Call) -> Response:
    job = _job(call)
    as_json = _json_job(job)
    part = _batch(call, job)
    return wire.info_response("batchInfo", _batch_fields(part, job.id, as_json), as_json, 200)


def batch_request(call: Call) -> Response:
    job = _job(call)
    part = _batch(call, job)
    body = (JobFiles(call.org.settings.data_dir, part.id).dir / "request").read_bytes()
    media = wire.CSV if job.content_type == "CSV" else wire.JSON if _json_job(job) else wire.XML
    if job.is_query:
        media = "text/plain"
    return wire.raw_response(body, media)


def _completed(part: jobs.Job) -> None:
    if part.state != jobs.COMPLETE:
        raise InvalidBatchState(
            f"InvalidBatch : Batch {part.id} is {V1_BATCH_STATE[part.state]}; "
            "results are available once it is Completed"
        )


def batch_result(call: Call) -> Response:
    job = _job(call)
    part = _batch(call, job)
    _completed(part)
    as_json = _json_job(job)
    if job.is_query:
        return wire.result_list_response([RESULT_PREFIX + part.id[3:]], as_json)
    results = batches.dml_results(JobFiles(call.org.settings.data_dir, part.id))
    if job.content_type == "CSV":
        return wire.raw_response(batches.dml_results_csv(results), wire.CSV)
    if as_json:
        return wire.json_response(results)
    return wire.xml_response(wire.dml_results_xml(results))


def _blocks(path: Any) -> Iterator[bytes]:
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            yield block


def query_result(call: Call) -> Response:
    job = _job(call)
    part = _batch(call, job)
    _completed(part)
    if not job.is_query or call.params["result"] != RESULT_PREFIX + part.id[3:]:
        raise NotFound(f"Unable to find result {call.params['result']}")
    path = JobFiles(call.org.settings.data_dir, part.id).query
    if job.content_type == "CSV":
        if not path.exists() or path.stat().st_size == 0:
            return wire.raw_response(b"Records not found for this query", wire.CSV)
        return StreamingResponse(_blocks(path), headers={"Content-Type": wire.CSV})
    assert job.object is not None
    as_json = _json_job(job)
    records = batches.query_records(
        call.org.schema, job.object, path, job.api_version, epoch=as_json
    )
    if as_json:
        return wire.json_response(records)
    return wire.xml_response(wire.records_xml(job.object, records))


__all__ = [
    "add_batch",
    "batch_request",
    "batch_result",
    "change_job",
    "create_job",
    "get_batch",
    "get_job",
    "list_batches",
    "query_result",
]
