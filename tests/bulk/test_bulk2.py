"""Bulk API 2.0 ingest with the unmodified simple-salesforce ``bulk2`` client."""

from __future__ import annotations

import csv
import io
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest

# The size: 100,000 rows through insert, upsert, a query read back with locators
# and delete take about 25-30 s per backend here.
ROWS = int(os.environ.get("SWITCHBOARD_BULK_TEST_ROWS", "100000"))
REALTY = Path(__file__).parents[1] / "fixtures" / "sfdx-realty"


@pytest.fixture(scope="module")
def realty(server, sf):  # type: ignore[no-untyped-def]
    server.cli("org", "deploy", str(REALTY))
    return sf


def _csv(rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def _parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_insert_upsert_delete_many(realty, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sf = realty
    path = tmp_path / "accounts.csv"
    path.write_text(
        _csv(
            [["Name", "Customer_Number__c", "NumberOfEmployees", "Tier__c"]]
            + [[f"Acct {i}", f"CN{i:07d}", i % 500, ""] for i in range(ROWS)]
        )
    )
    started = time.monotonic()
    res = sf.bulk2.Account.insert(csv_file=str(path), wait=0.2)
    inserted = time.monotonic() - started
    assert sum(r["numberRecordsProcessed"] for r in res) == ROWS
    assert sum(r["numberRecordsFailed"] for r in res) == 0
    ok = _parse(sf.bulk2.Account.get_successful_records(res[0]["job_id"]))
    assert list(ok[0])[:4] == ["sf__Id", "sf__Created", "Name", "Customer_Number__c"]
    assert ok[0]["sf__Created"] == "true" and ok[0]["sf__Id"].startswith("001")

    # Upsert: half existing (renamed), half new; one row nulls a field with #N/A.
    half = ROWS // 2
    rows = [["Customer_Number__c", "Name", "NumberOfEmployees"]]
    rows += [[f"CN{i:07d}", f"Renamed {i}", "#N/A" if i == 0 else 7] for i in range(half, ROWS)]
    rows += [[f"NEW{i:07d}", f"New {i}", 1] for i in range(half)]
    path.write_text(_csv(rows))
    started = time.monotonic()
    res = sf.bulk2.Account.upsert(
        csv_file=str(path), external_id_field="Customer_Number__c", wait=0.2
    )
    upserted = time.monotonic() - started
    assert sum(r["numberRecordsProcessed"] for r in res) == ROWS
    results = _parse(sf.bulk2.Account.get_successful_records(res[0]["job_id"]))
    created = sum(1 for r in results if r["sf__Created"] == "true")
    assert created == half and len(results) == ROWS
    first = next(r for r in results if r["Customer_Number__c"] == f"CN{half:07d}")
    got = sf.Account.get(first["sf__Id"])
    assert got["Name"] == f"Renamed {half}" and got["NumberOfEmployees"] == 7

    # Read it all back with a query job, page by page through Sforce-Locator.
    started = time.monotonic()
    pages = list(
        sf.bulk2.Account.query(
            "SELECT Id, Customer_Number__c, Name FROM Account "
            "WHERE Customer_Number__c LIKE 'CN%' OR Customer_Number__c LIKE 'NEW%'",
            max_records=ROWS // 2 + 1,
            wait=0.2,
        )
    )
    queried = time.monotonic() - started
    assert len(pages) == 3  # the inserted rows and the upsert's new half: 1.5 x ROWS
    back = {r["Id"]: r for p in pages for r in _parse(p)}
    assert len(back) == ROWS + half and {r["sf__Id"] for r in results} <= set(back)
    assert back[first["sf__Id"]]["Name"] == f"Renamed {half}"

    # Delete everything created here, by Id.
    ids = [r["sf__Id"] for r in results]
    path.write_text(_csv([["Id"]] + [[i] for i in ids]))
    started = time.monotonic()
    res = sf.bulk2.Account.delete(csv_file=str(path), wait=0.2)
    deleted = time.monotonic() - started
    assert sum(r["numberRecordsProcessed"] for r in res) == ROWS
    assert sum(r["numberRecordsFailed"] for r in res) == 0
    print(
        f"{ROWS} rows: insert {inserted:.1f}s upsert {upserted:.1f}s "
        f"query {queried:.1f}s delete {deleted:.1f}s"
    )


def test_relationship_columns_and_row_failures(realty, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sf = realty
    brokers = tmp_path / "brokers.csv"
    brokers.write_text("\ufeff" + _csv([["Name", "Broker_Id__c"], ["B one", "BRK-1"]]))
    res = sf.bulk2.Broker__c.insert(csv_file=str(brokers), wait=0.2)
    assert res[0]["numberRecordsFailed"] == 0
    props = tmp_path / "props.csv"
    props.write_text(
        _csv(
            [
                ["Name", "Broker__r.Broker_Id__c", "Listed_Date__c", "Price__c"],
                ["P ok", "brk-1", "2024-02-03", "123.5"],
                ["P bad broker", "BRK-404", "2024-02-03", "1"],
                ["P bad date", "BRK-1", "03/02/2024", "1"],
                ["P wrong count", "BRK-1"],
            ]
        )
    )
    res = sf.bulk2.Property__c.insert(csv_file=str(props), wait=0.2)
    job_id = res[0]["job_id"]
    assert res[0]["numberRecordsProcessed"] == 4 and res[0]["numberRecordsFailed"] == 3
    failed = {
        r["Name"]: r["sf__Error"] for r in _parse(sf.bulk2.Property__c.get_failed_records(job_id))
    }
    assert "Foreign key external ID: BRK-404 not found" in failed["P bad broker"]
    assert failed["P bad date"].startswith("INVALID_TYPE_ON_FIELD_IN_RECORD")
    assert "columns" in failed["P wrong count"]
    ok = _parse(sf.bulk2.Property__c.get_successful_records(job_id))
    prop = sf.Property__c.get(ok[0]["sf__Id"])
    assert prop["Broker__c"] and prop["Price__c"] == 123.5


def _raw_job(sf: Any, obj: str, body: bytes, **extra: Any) -> dict[str, Any]:
    base = f"{sf.base_url}jobs/ingest"
    job = sf.session.post(
        base, json={"object": obj, "operation": "insert", **extra}, headers=sf.headers
    ).json()
    headers = dict(sf.headers, **{"Content-Type": "text/csv"})
    put = sf.session.put(f"{base}/{job['id']}/batches", data=body, headers=headers)
    assert put.status_code == 201, put.text
    sf.session.patch(f"{base}/{job['id']}", json={"state": "UploadComplete"}, headers=sf.headers)
    for _ in range(200):
        info = sf.session.get(f"{base}/{job['id']}", headers=sf.headers).json()
        if info["state"] in ("JobComplete", "Failed", "Aborted"):
            return dict(info)
        time.sleep(0.1)
    raise AssertionError(f"job did not finish: {info}")


def test_bad_files_fail_the_job_not_the_server(sf) -> None:  # type: ignore[no-untyped-def]
    import random

    info = _raw_job(sf, "Account", b"Name,NoSuchField__c\nA,1\n")
    assert info["state"] == "Failed" and "NoSuchField__c" in info["errorMessage"]
    for header in (b"Name,name", b"LastName,AccountId,Account.Id"):
        obj = "Contact" if b"LastName" in header else "Account"
        info = _raw_job(sf, obj, header + b"\nA,B,C\n")
        assert info["state"] == "Failed", info
        assert info["errorMessage"].startswith("InvalidBatch : Duplicate field name"), info
    info = _raw_job(sf, "Account", b'Name,Description\nA,"never closed\n' + b"x" * 200_000)
    assert info["state"] == "Failed" and info["errorMessage"].startswith("InvalidBatch")
    noise = random.Random(5).randbytes(3 * 1024 * 1024)
    info = _raw_job(sf, "Account", noise)
    assert info["state"] == "Failed"
    # Semicolon-delimited with CRLF endings works, and the server is still answering.
    info = _raw_job(
        sf,
        "Account",
        b"Name;NumberOfEmployees\r\nSemi;3\r\n",
        columnDelimiter="SEMICOLON",
        lineEnding="CRLF",
    )
    assert info["state"] == "JobComplete" and info["numberRecordsProcessed"] == 1
    assert info["jobType"] == "V2Ingest" and info["apiVersion"] == 59.0


def test_abort_and_unprocessed(sf) -> None:  # type: ignore[no-untyped-def]
    base = f"{sf.base_url}jobs/ingest"
    job = sf.session.post(
        base, json={"object": "Account", "operation": "insert"}, headers=sf.headers
    ).json()
    headers = dict(sf.headers, **{"Content-Type": "text/csv"})
    sf.session.put(f"{base}/{job['id']}/batches", data=b"Name\nA\nB\n", headers=headers)
    r = sf.session.patch(f"{base}/{job['id']}", json={"state": "Aborted"}, headers=sf.headers)
    assert r.json()["state"] == "Aborted"
    text = sf.session.get(f"{base}/{job['id']}/unprocessedrecords", headers=sf.headers).text
    assert text.splitlines() == ["Name", "A", "B"]
    r = sf.session.patch(
        f"{base}/{job['id']}", json={"state": "UploadComplete"}, headers=sf.headers
    )
    assert r.status_code == 409
    listed = sf.session.get(base, headers=sf.headers).json()
    assert job["id"] in [j["id"] for j in listed["records"]]
    assert sf.session.delete(f"{base}/{job['id']}", headers=sf.headers).status_code == 204
    assert sf.session.get(f"{base}/{job['id']}", headers=sf.headers).status_code == 404


def test_query_with_locators(realty, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sf = realty
    path = tmp_path / "q.csv"
    path.write_text(
        _csv([["Name", "Customer_Number__c"]] + [[f"Q {i}", f"Q{i:05d}"] for i in range(1200)])
    )
    sf.bulk2.Account.insert(csv_file=str(path), wait=0.2)
    pages = list(
        sf.bulk2.Account.query(
            "SELECT Name, Customer_Number__c FROM Account WHERE Customer_Number__c LIKE 'Q%'",
            max_records=500,
            wait=0.2,
        )
    )
    assert len(pages) == 3
    rows = [r for p in pages for r in _parse(p)]
    assert len(rows) == 1200 and list(rows[0]) == ["Name", "Customer_Number__c"]
    base = f"{sf.base_url}jobs/query"
    job = sf.session.post(
        base, json={"operation": "query", "query": "SELECT Id FROM Account"}, headers=sf.headers
    ).json()
    early = sf.session.get(f"{base}/{job['id']}/results", headers=sf.headers)
    assert early.status_code in (200, 412)
    if early.status_code == 412:
        assert early.json()[0]["errorCode"] == "JOB_NOT_COMPLETE"


def test_hard_delete_leaves_nothing_for_query_all(realty, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """hardDelete skips the recycle bin: queryAll no longer finds the records, while a
    plain delete leaves them there with IsDeleted = true."""
    sf = realty
    path = tmp_path / "hard.csv"
    path.write_text(_csv([["Name"], ["Hard one"], ["Hard two"], ["Soft three"]]))
    res = sf.bulk2.Account.insert(csv_file=str(path), wait=0.2)
    made = {
        r["Name"]: r["sf__Id"]
        for r in _parse(sf.bulk2.Account.get_successful_records(res[0]["job_id"]))
    }
    path.write_text(_csv([["Id"], [made["Hard one"]], [made["Hard two"]]]))
    res = sf.bulk2.Account.hard_delete(csv_file=str(path), wait=0.2)
    assert res[0]["numberRecordsProcessed"] == 2 and res[0]["numberRecordsFailed"] == 0
    sf.Account.delete(made["Soft three"])
    soql = "SELECT Name, IsDeleted FROM Account WHERE Name LIKE 'Hard %' OR Name = 'Soft three'"
    left = sf.query_all(soql, include_deleted=True)["records"]
    assert [(r["Name"], r["IsDeleted"]) for r in left] == [("Soft three", True)]
    assert sf.query_all(soql)["totalSize"] == 0


def test_query_columns_follow_the_select_list(sf) -> None:  # type: ignore[no-untyped-def]
    """Parent and polymorphic fields are columns of their own (What.Name), named from the
    query even when the first row has no parent; datetimes end in Z."""
    acct = sf.Account.create({"Name": "Column Parent"})["id"]
    sf.Task.create({"Subject": "CQ with parent", "WhatId": acct})
    sf.Task.create({"Subject": "CQ without parent"})
    pages = list(
        sf.bulk2.Task.query(
            "SELECT Subject, What.Name, Owner.Name, CreatedDate FROM Task "
            "WHERE Subject LIKE 'CQ %' ORDER BY Subject DESC",
            wait=0.2,
        )
    )
    rows = [r for p in pages for r in _parse(p)]
    assert list(rows[0]) == ["Subject", "What.Name", "Owner.Name", "CreatedDate"]
    assert [(r["Subject"], r["What.Name"]) for r in rows] == [
        ("CQ without parent", ""),
        ("CQ with parent", "Column Parent"),
    ]
    assert all(r["Owner.Name"] for r in rows)
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", r["CreatedDate"]) for r in rows
    )


def test_query_writes_doubles_in_java_form(sf) -> None:  # type: ignore[no-untyped-def]
    """Doubles come as Java's Double.toString writes them, as in Salesforce's results
    (and Data Loader's exports): plain below 10^7, E notation from there on."""
    for name, revenue in [("JF small", 975000), ("JF big", 12345678), ("JF huge", 9e7)]:
        sf.Account.create({"Name": name, "AnnualRevenue": revenue})
    soql = "SELECT Name, AnnualRevenue FROM Account WHERE Name LIKE 'JF %' ORDER BY Name"
    rows = [r for p in sf.bulk2.Account.query(soql, wait=0.2) for r in _parse(p)]
    assert [(r["Name"], r["AnnualRevenue"]) for r in rows] == [
        ("JF big", "1.2345678E7"),
        ("JF huge", "9.0E7"),
        ("JF small", "975000.0"),
    ]


def test_hard_delete_takes_binned_details_with_the_master(realty) -> None:  # type: ignore[no-untyped-def]
    """A detail deleted before its master is hard-deleted goes with the master, as its
    live siblings do: nothing is left in the recycle bin pointing at a master that no
    longer exists."""
    sf = realty
    prop = sf.Property__c.create({"Name": "Hard master"})["id"]
    binned = sf.Offer__c.create({"Property__c": prop, "Amount__c": 1})["id"]
    live = sf.Offer__c.create({"Property__c": prop, "Amount__c": 1})["id"]
    sf.Offer__c.delete(binned)
    keep = sf.Property__c.create({"Name": "Kept master"})["id"]
    kept = sf.Offer__c.create({"Property__c": keep, "Amount__c": 1})["id"]
    sf.Offer__c.delete(kept)
    res = sf.bulk2.Property__c.hard_delete(records=[{"Id": prop}], wait=0.2)
    assert res[0]["numberRecordsProcessed"] == 1 and res[0]["numberRecordsFailed"] == 0
    soql = "SELECT Id, IsDeleted FROM Offer__c WHERE Id IN ('{}')"
    found = sf.query_all(soql.format("','".join([binned, live, kept])), include_deleted=True)
    assert [(r["Id"], r["IsDeleted"]) for r in found["records"]] == [(kept, True)]
