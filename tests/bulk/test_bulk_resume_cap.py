"""A bulk job whose worker keeps vanishing is resumed at most MAX_RESUMES times, then
failed with a message: a job that kills every attempt still ends. Through the
Runtime's own bulk worker, on both backends."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from support.databases import BACKENDS
from support.hostile import V, hostile_org
from switchboard.core import clock
from switchboard.org.bulk.tables import bulk_job
from switchboard.org.bulk.worker import MAX_RESUMES


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_job_is_resumed_at_most_max_resumes_times(backend: str, tmp_path: Path) -> None:
    with hostile_org(backend, tmp_path) as h:  # services not started: claims by hand
        job = h.request(
            "POST", f"{V}/jobs/ingest", json={"object": "Account", "operation": "insert"}
        ).json()["id"]
        h.request(
            "PUT",
            f"{V}/jobs/ingest/{job}/batches",
            content=b"Name\nx\n",
            headers={"Content-Type": "text/csv"},
        )
        h.request("PATCH", f"{V}/jobs/ingest/{job}", json={"state": "UploadComplete"})
        worker = h.runtime.bulk
        store = h.org.store

        def lease_lost() -> None:  # as if the worker holding it had died
            past = clock.now() - timedelta(seconds=60)
            store.write(
                lambda c: c.execute(
                    bulk_job.update().where(bulk_job.c.id == job).values(lease_until=past)
                )
            )

        claimed = worker.claim()
        assert claimed is not None and claimed.id == job
        for _ in range(MAX_RESUMES):
            lease_lost()
            assert worker.claim() is not None  # resumed
        lease_lost()
        assert worker.claim() is None  # not a sixth time
        info = h.request("GET", f"{V}/jobs/ingest/{job}").json()
        assert info["state"] == "Failed", info
        assert f"retried {MAX_RESUMES} times" in info["errorMessage"], info
        with store.read() as conn:
            retries = conn.execute(
                sa.select(bulk_job.c.retries).where(bulk_job.c.id == job)
            ).scalar()
        assert retries == MAX_RESUMES
