"""Which state changes a client may ask of a bulk job, and what each one does.

These are Salesforce's rules, so they belong to the org (the API only parses the
request and renders the reply): Bulk API 2.0 lets a client close an ingest job's upload
(``UploadComplete``) or abort a job; closing a job without data fails it; a running job
cannot be deleted. Bulk API 1.0 jobs have their own states (Open, Closed, Aborted,
Failed), take batches only while Open, and aborting one keeps its queued batches from
running. The worker's own moves (InProgress, JobComplete, Failed) go through
:func:`jobs.set_state`, whose table of allowed transitions is the last word for both.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...core import clock
from . import jobs
from .errors import InvalidJobState, JobNotTerminated
from .tables import bulk_batch, bulk_job

# Bulk API 1.0's job states.
V1_OPEN, V1_CLOSED, V1_ABORTED, V1_FAILED = "Open", "Closed", "Aborted", "Failed"
# A 1.0 batch is a worker job; its state in 1.0 words.
V1_BATCH_STATE = {
    jobs.OPEN: "Queued",
    jobs.UPLOAD_COMPLETE: "Queued",
    jobs.IN_PROGRESS: "InProgress",
    jobs.COMPLETE: "Completed",
    jobs.FAILED: "Failed",
    jobs.ABORTED: "NotProcessed",
}


# -- Bulk API 2.0 -------------------------------------------------------------------------
def check_requested(wanted: Any, *, query: bool) -> str:
    """The state a 2.0 PATCH may ask for: UploadComplete (ingest) or Aborted."""
    if wanted not in (jobs.UPLOAD_COMPLETE, jobs.ABORTED) or (query and wanted != jobs.ABORTED):
        raise InvalidJobState(f"InvalidJob : Invalid state for the job: {wanted}")
    return str(wanted)


def change(conn: Connection, job: jobs.Job, wanted: str, *, uploaded: bool) -> jobs.Job:
    """Apply a 2.0 client's state change (checked by :func:`check_requested`)."""
    if wanted == jobs.UPLOAD_COMPLETE and not uploaded:
        # Salesforce fails a job closed without data rather than refusing the request.
        return jobs.set_state(conn, job, jobs.FAILED, error="InvalidBatch : No data uploaded")
    return jobs.set_state(conn, job, wanted)


def check_deletable(job: jobs.Job, *, query: bool) -> None:
    """Salesforce deletes an ingest job once its upload is complete and a query job once
    it has finished; while it runs (or, for ingest, while it is still Open) it refuses."""
    if query and job.state not in jobs.FINAL:
        raise JobNotTerminated()
    if not query and job.state in (jobs.OPEN, jobs.IN_PROGRESS):
        raise InvalidJobState(
            f"Job {job.id} is {job.state}; only a job whose upload is complete, or that "
            "is JobComplete, Failed or Aborted, can be deleted"
        )


# -- Bulk API 1.0 -------------------------------------------------------------------------
def v1_batches(conn: Connection, job_id: str) -> list[jobs.Job]:
    """The worker jobs of a 1.0 job's batches, in the order they were added."""
    b = bulk_batch
    ids = [
        r[0] for r in conn.execute(sa.select(b.c.id).where(b.c.job_id == job_id).order_by(b.c.seq))
    ]
    found = [jobs.get(conn, i) for i in ids]
    return [j for j in found if j is not None]


def v1_require_open(job: jobs.Job) -> None:
    """A 1.0 job takes batches only while Open."""
    if job.state != V1_OPEN:
        raise InvalidJobState(f"InvalidJobState : Job {job.id} is {job.state}, not Open")


def v1_change(conn: Connection, job: jobs.Job, wanted: Any) -> jobs.Job:
    """Close or abort a 1.0 job (an aborted job's queued batches are not processed;
    running ones finish)."""
    if wanted not in (V1_CLOSED, V1_ABORTED):
        raise InvalidJobState(f"InvalidJobState : Invalid state for the job: {wanted}")
    if job.state != V1_OPEN and not (wanted == V1_ABORTED and job.state == V1_CLOSED):
        raise InvalidJobState(f"InvalidJobState : Job {job.id} is {job.state}, not Open")
    moved = conn.execute(
        bulk_job.update()
        .where(bulk_job.c.id == job.id, bulk_job.c.state == job.state)
        .values(state=wanted, modstamp=clock.now())
    )
    if moved.rowcount != 1:
        raise InvalidJobState(f"Job {job.id} changed state meanwhile; try again")
    if wanted == V1_ABORTED:
        for part in v1_batches(conn, job.id):
            if part.state == jobs.UPLOAD_COMPLETE:
                jobs.set_state(conn, part, jobs.ABORTED)
    fresh = jobs.get(conn, job.id)
    assert fresh is not None
    return fresh


__all__ = [
    "V1_ABORTED",
    "V1_BATCH_STATE",
    "V1_CLOSED",
    "V1_FAILED",
    "V1_OPEN",
    "change",
    "check_deletable",
    "check_requested",
    "v1_batches",
    "v1_change",
    "v1_require_open",
]
