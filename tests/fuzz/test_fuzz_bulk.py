"""Generated Bulk API 2.0 ingest jobs: CSV headers and cells with NUL bytes, unknown or
repeated columns, over-long and out-of-range values, broken quoting. Every job must
end (JobComplete or Failed) with a stored message, never stay InProgress, and a row
with a NUL byte fails alone."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.hostile import Hostile, V
from support.hostile_values import EDGE_TEXT, NUL_TEXT, NUMBERS

COLUMNS = ["Name", "NumberOfEmployees", "AnnualRevenue", "Rating", "Website", "Description"]
HEADER = st.one_of(
    st.sampled_from(COLUMNS), NUL_TEXT, st.sampled_from(["", "Bogus__c", "name", "Na me"])
)
CELL = st.one_of(EDGE_TEXT.filter(lambda s: len(s) < 5000), NUMBERS.map(str), NUL_TEXT)


@st.composite
def upload(draw: Any) -> tuple[bytes, bool, bool]:
    """CSV bytes, whether the header holds a NUL, whether a cell does."""
    header = draw(st.lists(HEADER, min_size=1, max_size=4))
    if draw(st.booleans()):
        header[0] = "Name"
    rows = draw(st.lists(st.lists(CELL, min_size=len(header), max_size=len(header)), max_size=6))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    writer.writerows(rows)
    raw = out.getvalue().encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 7)) == 0:
        raw = raw + b'"unterminated,\x00'
    return raw, any("\x00" in h for h in header), any("\x00" in c for r in rows for c in r)


def _wait(hostile: Hostile, job_id: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        info = hostile.request("GET", f"{V}/jobs/ingest/{job_id}").json()
        if info["state"] in ("JobComplete", "Failed", "Aborted"):
            return dict(info)
        assert time.monotonic() < deadline, f"job stuck in {info['state']}: {info}"
        time.sleep(0.05)


def test_ingest_jobs_always_end(hostile: Hostile) -> None:
    @settings(
        max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    @given(up=upload(), operation=st.sampled_from(["insert", "upsert"]))
    def run(up: tuple[bytes, bool, bool], operation: str) -> None:
        body, nul_header, nul_cell = up
        spec = {"object": "Account", "operation": operation}
        if operation == "upsert":
            spec["externalIdFieldName"] = "Id"
        created = hostile.request("POST", f"{V}/jobs/ingest", json=spec)
        assert created.status_code == 200, created.text
        job_id = created.json()["id"]
        put = hostile.request(
            "PUT",
            f"{V}/jobs/ingest/{job_id}/batches",
            content=body,
            headers={"Content-Type": "text/csv"},
        )
        if put.status_code >= 400:
            return
        hostile.request("PATCH", f"{V}/jobs/ingest/{job_id}", json={"state": "UploadComplete"})
        info = _wait(hostile, job_id)
        if info["state"] == "Failed":
            assert info.get("errorMessage"), info
            assert "\x00" not in info["errorMessage"]
        if nul_header:
            assert info["state"] == "Failed", info
        elif nul_cell and info["state"] == "JobComplete":
            assert info["numberRecordsFailed"] >= 1, info

    run()
