"""Bulk API 2.0 on the wire, checked against the Bulk API 2.0 Developer Guide: the job
info JSON, the job lists, the error replies of illegal requests and the result headers."""

from __future__ import annotations

import http.client
import re
import ssl
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from support.server import Server
from switchboard.org.bulk import jobs
from switchboard.store import open_store

STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000")
# Keys in Salesforce's order, from the reference's examples; every job reply starts so.
HEAD = [
    "id",
    "operation",
    "object",
    "createdById",
    "createdDate",
    "systemModstamp",
    "state",
    "concurrencyMode",
    "contentType",
    "apiVersion",
]
INGEST_CREATED = [
    *HEAD,
    "contentUrl",
    "lineEnding",
    "columnDelimiter",
    "jobType",
]
QUERY_INFO = [
    *HEAD,
    "jobType",
    "lineEnding",
    "columnDelimiter",
    "numberRecordsProcessed",
    "retries",
    "totalProcessingTime",
    "isPkChunkingSupported",
]


class Http:
    def __init__(self, server: Server) -> None:
        self.base = f"{server.instance_url}/services/data/v59.0/jobs"
        self.token = server.token()
        self.s = requests.Session()
        self.s.headers["Authorization"] = f"Bearer {self.token}"

    def __call__(self, method: str, path: str, **kw: Any) -> requests.Response:
        return self.s.request(method, self.base + path, timeout=60, **kw)

    def ingest(self, **body: Any) -> dict[str, Any]:
        r = self("POST", "/ingest", json={"object": "Account", "operation": "insert", **body})
        assert r.status_code == 200, r.text
        return dict(r.json())

    def put(self, job_id: str, data: bytes) -> requests.Response:
        return self(
            "PUT", f"/ingest/{job_id}/batches", data=data, headers={"Content-Type": "text/csv"}
        )

    def wait(self, kind: str, job_id: str) -> dict[str, Any]:
        for _ in range(300):
            info = self("GET", f"/{kind}/{job_id}").json()
            if info["state"] in ("JobComplete", "Failed", "Aborted"):
                return dict(info)
            time.sleep(0.1)
        raise AssertionError(f"job did not finish: {info}")


@pytest.fixture(scope="module")
def api(server: Server) -> Http:
    return Http(server)


def bulk_error(r: requests.Response, status: int, code: str) -> str:
    """The one Bulk API 2.0 error of a reply: ``[{"errorCode", "message"}]``."""
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    assert isinstance(body, list) and len(body) == 1, body
    assert list(body[0]) == ["errorCode", "message"], body
    assert body[0]["errorCode"] == code, body
    return str(body[0]["message"])


def _direct_job(server: Server, state: str, **kw: Any) -> str:
    """A job row written straight to the server's database: a state the worker never
    leaves it in long enough to observe over HTTP (InProgress with no lease is never
    claimed)."""
    store = open_store(server.db)
    args: dict[str, Any] = {
        "user_id": "005000000000001AAA",
        "operation": "insert",
        "object_name": "Account",
        "api_version": "59.0",
    }
    args.update(kw)
    try:
        return store.write(lambda c: jobs.create(c, state=state, **args)).id
    finally:
        store.dispose()


def test_ingest_job_info(api: Http) -> None:
    job = api.ingest()
    assert list(job) == INGEST_CREATED
    assert job["contentUrl"] == f"services/data/v59.0/jobs/ingest/{job['id']}/batches"
    assert job["apiVersion"] == 59.0 and isinstance(job["apiVersion"], float)
    assert STAMP.fullmatch(job["createdDate"]) and STAMP.fullmatch(job["systemModstamp"])
    assert job["state"] == "Open" and job["jobType"] == "V2Ingest"

    # An Open job's info tells where to upload; nulls are left out.
    info = api("GET", f"/ingest/{job['id']}").json()
    assert info["contentUrl"] == job["contentUrl"] and "externalIdFieldName" not in info
    assert "errorMessage" not in info
    for name in ("numberRecordsProcessed", "numberRecordsFailed", "retries"):
        assert info[name] == 0
    for name in ("totalProcessingTime", "apiActiveProcessingTime", "apexProcessingTime"):
        assert isinstance(info[name], int)

    assert api.put(job["id"], b"Name\nInfo one\n").status_code == 201
    closed = api("PATCH", f"/ingest/{job['id']}", json={"state": "UploadComplete"}).json()
    assert closed["state"] == "UploadComplete" and closed["id"] == job["id"]
    done = api.wait("ingest", job["id"])
    assert "contentUrl" not in done and done["numberRecordsProcessed"] == 1
    assert list(done)[:7] == INGEST_CREATED[:7]

    upsert = api.ingest(operation="upsert", externalIdFieldName="id")
    assert upsert["externalIdFieldName"] == "Id"
    assert list(upsert).index("externalIdFieldName") == list(upsert).index("state") + 1


def test_query_job_info(api: Http) -> None:
    made = api("POST", "/query", json={"operation": "query", "query": "SELECT Id FROM User"})
    assert made.status_code == 200, made.text
    assert made.json()["state"] == "UploadComplete" and "contentUrl" not in made.json()
    info = api.wait("query", made.json()["id"])
    assert list(info) == QUERY_INFO and info["isPkChunkingSupported"] is True
    assert info["jobType"] == "V2Query" and info["numberRecordsProcessed"] >= 1
    ordered = api(
        "POST", "/query", json={"operation": "query", "query": "SELECT Id FROM User ORDER BY Id"}
    ).json()
    assert api.wait("query", ordered["id"])["isPkChunkingSupported"] is False


def test_job_lists(server: Server, api: Http) -> None:
    ingest_id = api.ingest()["id"]
    query_id = api(
        "POST", "/query", json={"operation": "query", "query": "SELECT Id FROM User"}
    ).json()["id"]
    classic = requests.post(
        f"{server.instance_url}/services/async/59.0/job",
        json={"operation": "insert", "object": "Account", "contentType": "CSV"},
        headers={"X-SFDC-Session": api.token},
        timeout=60,
    )
    assert classic.status_code == 201, classic.text
    classic_id = classic.json()["id"]

    listed = api("GET", "/ingest").json()
    assert list(listed) == ["done", "records", "nextRecordsUrl"]
    assert listed["done"] is True and listed["nextRecordsUrl"] is None
    by_id = {j["id"]: j for j in listed["records"]}
    assert ingest_id in by_id and query_id not in by_id and classic_id in by_id
    assert by_id[classic_id]["jobType"] == "Classic" and "contentUrl" not in by_id[classic_id]
    assert by_id[ingest_id]["contentUrl"].endswith(f"/{ingest_id}/batches")

    queries = {j["id"]: j for j in api("GET", "/query").json()["records"]}
    assert query_id in queries and classic_id in queries and ingest_id not in queries

    def ids(kind: str, **params: str) -> set[str]:
        return {j["id"] for j in api("GET", f"/{kind}", params=params).json()["records"]}

    assert classic_id not in ids("ingest", jobType="V2Ingest")
    assert ids("ingest", jobType="Classic") >= {classic_id}
    assert ingest_id not in ids("ingest", jobType="Classic")
    assert ids("query", jobType="V2Query") >= {query_id}
    assert ids("ingest", isPkChunkingEnabled="true") == set()
    assert ids("ingest", concurrencyMode="serial") == set()
    assert ingest_id in ids("ingest", concurrencyMode="parallel", isPkChunkingEnabled="false")

    # More than a page: 1,000 jobs a page, the rest behind nextRecordsUrl's locator.
    store = open_store(server.db)
    try:
        store.write(
            lambda c: [
                jobs.create(
                    c,
                    user_id="005000000000001AAA",
                    operation="insert",
                    object_name="Account",
                    api_version="59.0",
                )
                for _ in range(1001)
            ]
        )
    finally:
        store.dispose()
    first = api("GET", "/ingest", params={"jobType": "V2Ingest"}).json()
    assert first["done"] is False and len(first["records"]) == 1000
    nxt = urlsplit(first["nextRecordsUrl"])
    assert nxt.path == "/services/data/v59.0/jobs/ingest"
    assert re.search(r"queryLocator=01g\w+-1000", nxt.query) and "jobType=V2Ingest" in nxt.query
    rest = requests.get(
        f"{server.instance_url}{first['nextRecordsUrl']}", headers=api.s.headers, timeout=60
    ).json()
    assert rest["done"] is True and rest["nextRecordsUrl"] is None
    seen = [j["id"] for j in first["records"] + rest["records"]]
    assert len(seen) == len(set(seen)) and ingest_id in seen
    assert all(j["jobType"] == "V2Ingest" for j in rest["records"])
    bad = api("GET", "/ingest", params={"queryLocator": "nonsense"})
    bulk_error(bad, 400, "INVALID_QUERY_LOCATOR")


def test_illegal_states(server: Server, api: Http) -> None:
    job = api.ingest()["id"]
    bulk_error(api("PATCH", f"/ingest/{job}", json={"state": "Bogus"}), 409, "INVALIDJOBSTATE")
    bulk_error(
        api("PATCH", f"/ingest/{job}", json={"state": "JobComplete"}), 409, "INVALIDJOBSTATE"
    )
    # An Open job is not deleted (only UploadComplete, JobComplete, Aborted or Failed).
    bulk_error(api("DELETE", f"/ingest/{job}"), 409, "INVALIDJOBSTATE")
    assert api.put(job, b"Name\nOnce\n").status_code == 201
    bulk_error(api.put(job, b"Name\nTwice\n"), 409, "INVALIDJOBSTATE")
    assert api("PATCH", f"/ingest/{job}", json={"state": "UploadComplete"}).status_code == 200
    again = api("PATCH", f"/ingest/{job}", json={"state": "UploadComplete"})
    bulk_error(again, 409, "INVALIDJOBSTATE")
    bulk_error(api.put(job, b"Name\nLate\n"), 409, "INVALIDJOBSTATE")
    api.wait("ingest", job)
    bulk_error(api("PATCH", f"/ingest/{job}", json={"state": "Aborted"}), 409, "INVALIDJOBSTATE")

    aborted = api.ingest()["id"]
    assert api("PATCH", f"/ingest/{aborted}", json={"state": "Aborted"}).status_code == 200
    bulk_error(
        api("PATCH", f"/ingest/{aborted}", json={"state": "Aborted"}), 409, "INVALIDJOBSTATE"
    )
    assert api("DELETE", f"/ingest/{aborted}").status_code == 204

    running = _direct_job(server, jobs.IN_PROGRESS)
    bulk_error(api("DELETE", f"/ingest/{running}"), 409, "INVALIDJOBSTATE")
    bulk_error(api("GET", f"/ingest/{'750' + 'x' * 15}"), 404, "NOT_FOUND")

    # Query jobs: results before completion, and deletion before the job has finished.
    query = _direct_job(server, jobs.IN_PROGRESS, operation="query", query="SELECT Id FROM Account")
    bulk_error(api("GET", f"/query/{query}/results"), 412, "JOB_NOT_COMPLETE")
    message = bulk_error(api("DELETE", f"/query/{query}"), 400, "API_ERROR")
    assert message == "Error encountered when deleting the job because the job is not terminated"
    assert api("PATCH", f"/query/{query}", json={"state": "Aborted"}).status_code == 200
    assert api("DELETE", f"/query/{query}").status_code == 204


def test_bad_job_definitions(api: Http) -> None:
    def create(body: bytes | dict[str, Any]) -> requests.Response:
        if isinstance(body, bytes):
            return api("POST", "/ingest", data=body, headers={"Content-Type": "application/json"})
        return api("POST", "/ingest", json=body)

    bulk_error(create(b'{"object": "Account",'), 400, "JSON_PARSER_ERROR")
    insert = {"object": "Account", "operation": "insert"}
    assert "NoSuch__c" in bulk_error(create({**insert, "object": "NoSuch__c"}), 400, "INVALIDJOB")
    assert "merge" in bulk_error(create({**insert, "operation": "merge"}), 400, "INVALIDJOB")
    assert "External ID" in bulk_error(create({**insert, "operation": "upsert"}), 400, "INVALIDJOB")
    bulk_error(create({**insert, "columnDelimiter": "COLON"}), 400, "INVALIDJOB")
    bulk_error(create({**insert, "lineEnding": "CR"}), 400, "INVALIDJOB")
    bulk_error(create({**insert, "contentType": "JSON"}), 400, "INVALIDJOB")
    made = api(
        "POST",
        "/query",
        json={"operation": "query", "query": "SELECT Id FROM Account", "lineEnding": "CR"},
    )
    bulk_error(made, 400, "INVALIDJOB")


def test_result_content_types_and_locators(server: Server, api: Http) -> None:
    job = api.ingest()["id"]
    assert api.put(job, b"Name\nCT ok\n\n").status_code == 201
    api("PATCH", f"/ingest/{job}", json={"state": "UploadComplete"})
    api.wait("ingest", job)
    for resource in ("successfulResults", "failedResults", "unprocessedrecords"):
        r = api("GET", f"/ingest/{job}/{resource}")
        assert r.status_code == 200 and r.headers["Content-Type"] == "text/csv", resource

    soql = "SELECT Name FROM Account WHERE Name LIKE 'Locator %'"
    loaded = api.ingest()["id"]
    rows = "".join(f"Locator {i}\n" for i in range(5)).encode()
    api.put(loaded, b"Name\n" + rows)
    api("PATCH", f"/ingest/{loaded}", json={"state": "UploadComplete"})
    api.wait("ingest", loaded)
    query = api("POST", "/query", json={"operation": "query", "query": soql}).json()["id"]
    api.wait("query", query)
    got, locator = [], ""
    for _ in range(5):
        params = {"maxRecords": "2", **({"locator": locator} if locator else {})}
        page = api("GET", f"/query/{query}/results", params=params)
        assert page.headers["Content-Type"] == "text/csv"
        lines = page.text.splitlines()
        assert lines[0] == "Name" and page.headers["Sforce-NumberOfRecords"] == str(len(lines) - 1)
        got += lines[1:]
        locator = page.headers["Sforce-Locator"]
        if locator == "null":
            break
        assert not locator.isdigit()  # opaque since API 49.0, as Salesforce's MTAwMDA
    assert sorted(got) == [f"Locator {i}" for i in range(5)] and locator == "null"


def test_upload_over_the_limit(server: Server, api: Http) -> None:
    """A body declared larger than the limit (150 MB by default) is refused before it is
    read: 413 EXCEEDED_QUOTA."""
    job = api.ingest()["id"]
    url = urlsplit(server.instance_url)
    conn = http.client.HTTPSConnection(
        url.hostname or "127.0.0.1",
        url.port,
        context=ssl.create_default_context(),  # SSL_CERT_FILE names the test CA
        timeout=60,
    )
    try:
        conn.putrequest("PUT", f"/services/data/v59.0/jobs/ingest/{job}/batches")
        conn.putheader("Authorization", f"Bearer {api.token}")
        conn.putheader("Content-Type", "text/csv")
        conn.putheader("Content-Length", str(151 * 1024 * 1024))
        conn.endheaders()
        reply = conn.getresponse()
        status, body = reply.status, reply.read()
    finally:
        conn.close()
    assert status == 413, body
    assert b'"errorCode":"EXCEEDED_QUOTA"' in body
    info = api("GET", f"/ingest/{job}").json()
    assert info["state"] == "Open"
    assert api.put(job, b"Name\nAfter refusal\n").status_code == 201
