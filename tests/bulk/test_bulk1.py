"""Bulk API 1.0 with the unmodified salesforce-bulk and simple-salesforce ``bulk`` clients."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

REALTY = Path(__file__).parents[1] / "fixtures" / "sfdx-realty"


@pytest.fixture(scope="module")
def realty(server, sf):  # type: ignore[no-untyped-def]
    server.cli("org", "deploy", str(REALTY))
    return sf


@pytest.fixture(scope="module")
def bulk(server):  # type: ignore[no-untyped-def]
    from salesforce_bulk import SalesforceBulk

    return SalesforceBulk(
        sessionId=server.token(), host=f"127.0.0.1:{server.port}", API_version="59.0"
    )


def test_salesforce_bulk_insert_and_query(realty, bulk) -> None:  # type: ignore[no-untyped-def]
    job = bulk.create_insert_job("Account", contentType="CSV")
    body = "Name,NumberOfEmployees,Customer_Number__c\nSB One,3,SB1\n,4,SB2\nSB Three,x,SB3\nSB Four,5,SB4\n"
    batch = bulk.post_batch(job, body.encode())
    bulk.close_job(job)
    bulk.wait_for_batch(job, batch, timeout=30, sleep_interval=0.2)
    results = bulk.get_batch_results(batch, job)
    assert [r.success for r in results] == ["true", "false", "false", "true"]
    assert results[0].id.startswith("001") and results[0].created == "true"
    assert results[1].error.startswith("REQUIRED_FIELD_MISSING")
    assert results[2].id == "" and results[2].error.startswith("INVALID_TYPE")
    info = bulk.job_status(job)
    assert info["state"] == "Closed" and info["numberRecordsProcessed"] == "4"
    assert info["numberRecordsFailed"] == "2" and info["numberBatchesCompleted"] == "1"
    assert list(info)[:7] == [
        "id",
        "operation",
        "object",
        "createdById",
        "createdDate",
        "systemModstamp",
        "state",
    ]

    qjob = bulk.create_query_job("Account", contentType="CSV")
    qbatch = bulk.query(
        qjob, "SELECT Id, Name, NumberOfEmployees FROM Account WHERE Name LIKE 'SB %' ORDER BY Name"
    )
    bulk.close_job(qjob)
    bulk.wait_for_batch(qjob, qbatch, timeout=30, sleep_interval=0.2)
    rows = []
    for result in bulk.get_all_results_for_query_batch(qbatch, qjob):
        rows += list(csv.DictReader(io.TextIOWrapper(result, encoding="utf-8")))
    assert [r["Name"] for r in rows] == ["SB Four", "SB One"]
    assert rows[1]["NumberOfEmployees"] == "3" and rows[1]["Id"] == results[0].id
    assert bulk.get_query_batch_request(qbatch, qjob).startswith("SELECT Id")


def test_salesforce_bulk_xml_job(realty, bulk) -> None:  # type: ignore[no-untyped-def]
    job = bulk.create_insert_job("Account", contentType="XML")
    ns = "http://www.force.com/2009/06/asyncapi/dataload"
    body = (
        f'<sObjects xmlns="{ns}"><sObject><Name>XML One</Name></sObject>'
        "<sObject><NumberOfEmployees>2</NumberOfEmployees></sObject></sObjects>"
    )
    batch = bulk.post_batch(job, body.encode())
    bulk.wait_for_batch(job, batch, timeout=30, sleep_interval=0.2)
    results = bulk.get_batch_results(batch, job)
    assert [(r.success, r.created) for r in results] == [(True, True), (False, False)]
    assert results[1].error[0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    listed = bulk.get_batch_list(job)
    assert [b["id"] for b in listed] == [batch] and listed[0]["state"] == "Completed"
    bulk.abort_job(job)
    assert bulk.job_state(job) == "Aborted"

    qjob = bulk.create_query_job("Account", contentType="XML")
    qbatch = bulk.query(qjob, "SELECT Name, NumberOfEmployees FROM Account WHERE Name = 'XML One'")
    bulk.wait_for_batch(qjob, qbatch, timeout=30, sleep_interval=0.2)
    (rid,) = bulk.get_query_batch_result_ids(qbatch, qjob)
    xml = bulk.get_query_batch_results(qbatch, rid, qjob).read().decode()
    assert '<records xsi:type="sObject"><type>Account</type><Name>XML One</Name>' in xml
    assert '<NumberOfEmployees xsi:nil="true"/>' in xml


@pytest.fixture
def quick_bulk_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """simple-salesforce's Bulk 1.0 insert/delete take no ``wait`` and sleep a fixed 5 s
    between batch status checks; its module's ``sleep`` is capped at 0.2 s here (as
    ``wait=0.2`` does for its queries), so the client still polls until the batch is done."""
    import time

    import simple_salesforce.bulk

    monkeypatch.setattr(simple_salesforce.bulk, "sleep", lambda s: time.sleep(min(s, 0.2)))


def test_simple_salesforce_bulk(realty, quick_bulk_polls) -> None:  # type: ignore[no-untyped-def]
    sf = realty
    res = sf.bulk.Account.insert(
        [{"Name": "SS One", "NumberOfEmployees": 9}, {"Name": "SS Two"}, {"NumberOfEmployees": 1}]
    )
    assert [r["success"] for r in res] == [True, True, False]
    assert res[0]["created"] and res[0]["id"].startswith("001") and res[0]["errors"] == []
    assert res[2]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    rows = sf.bulk.Account.query(
        "SELECT Id, Name, NumberOfEmployees, CreatedDate FROM Account WHERE Name LIKE 'SS %'",
        wait=0.2,
    )
    by_name = {r["Name"]: r for r in rows}
    assert set(by_name) == {"SS One", "SS Two"}
    one = by_name["SS One"]
    assert one["NumberOfEmployees"] == 9 and one["attributes"]["type"] == "Account"
    # Datetimes come as epoch milliseconds, as Salesforce's Bulk API 1.0 gives them in JSON.
    assert isinstance(one["CreatedDate"], int)
    created = datetime.fromtimestamp(one["CreatedDate"] / 1000, UTC)
    assert abs((datetime.now(UTC) - created).total_seconds()) < 300
    sf.bulk.Account.delete([{"Id": one["Id"]}])
    rows = sf.bulk.Account.query_all(
        "SELECT Id, IsDeleted FROM Account WHERE Name = 'SS One'", wait=0.2
    )
    assert rows == [{"attributes": rows[0]["attributes"], "Id": one["Id"], "IsDeleted": True}]


def test_session_header_and_content_types(server, realty) -> None:  # type: ignore[no-untyped-def]
    base = f"{server.instance_url}/services/async/59.0"
    job = requests.post(
        f"{base}/job",
        data=b'{"operation":"insert","object":"Account","contentType":"CSV"}',
        headers={"Content-Type": "application/json", "X-SFDC-Session": "nope"},
        timeout=30,
    )
    assert job.status_code >= 400
    assert job.json()["exceptionCode"] == "InvalidSessionId"
    ok = requests.get(f"{base}/job/750000000000000AAA", headers={"X-SFDC-Session": server.token()})
    assert ok.status_code == 404 and ok.headers["Content-Type"] == "application/xml"
