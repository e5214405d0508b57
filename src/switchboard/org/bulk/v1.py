"""Bulk API 1.0 batches: how one becomes a worker job, and finding one of a job.

A 1.0 batch is a worker job (api ``v1b``, created UploadComplete so the worker takes it
at once) plus a row of ``sb_bulk_batch`` giving its job and order. The request as sent
is kept beside the job's files (``GET .../batch/{id}/request`` returns it), the rows
to apply as the worker's CSV. Both files and rows are written in the transaction that
creates the batch, so a batch whose commit failed leaves files no row points to (they
are removed with the job), never a row without its data.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...core import clock
from . import jobs
from .files import JobFiles
from .tables import bulk_batch

BATCH_PREFIX = "751"


def add_batch(
    conn: Connection,
    job: jobs.Job,
    *,
    user_id: str,
    data_dir: Path,
    request: bytes,
    rows_csv: bytes | None,
    query: str | None,
) -> jobs.Job:
    """Add a batch to the Open 1.0 ``job``: ``rows_csv`` (ingest) or ``query``."""
    b = bulk_batch
    seq = conn.execute(sa.select(sa.func.count()).select_from(b).where(b.c.job_id == job.id))
    part = jobs.create(
        conn,
        user_id=user_id,
        operation=job.operation,
        object_name=job.object,
        api_version=job.api_version,
        external_id_field=job.external_id_field,
        query=query,
        api="v1b",
        state=jobs.UPLOAD_COMPLETE,
        id_prefix=BATCH_PREFIX,
    )
    files = JobFiles(data_dir, part.id).ensure()
    (files.dir / "request").write_bytes(request)
    if rows_csv is not None:
        files.upload.write_bytes(rows_csv)
    now = clock.now()
    conn.execute(
        b.insert().values(
            id=part.id,
            job_id=job.id,
            seq=int(seq.scalar() or 0),
            state="Queued",
            created_at=now,
            modstamp=now,
            processed=0,
            failed=0,
        )
    )
    return part


def find_batch(conn: Connection, job: jobs.Job, batch_id: str) -> jobs.Job | None:
    """The worker job of batch ``batch_id`` of ``job`` (None if it is not one of its)."""
    b = bulk_batch
    linked = conn.execute(sa.select(b.c.id).where(b.c.id == batch_id, b.c.job_id == job.id))
    return jobs.get(conn, batch_id) if linked.first() else None


__all__ = ["BATCH_PREFIX", "add_batch", "find_batch"]
