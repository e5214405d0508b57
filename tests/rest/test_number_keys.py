"""A number field as the external id: REST upsert and lookup by it, bulk upsert by it and
bulk relationship columns through it. Values are matched by number ("12" is "12.0"), and
a value that is not a number is that record's error or "not found", never a failed
statement (PostgreSQL refuses to compare text with a number column)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from support.rest import Raw, count, deploy, error
from support.server import Server

VENDORS = "/sobjects/Vendor__c/Vendor_Number__c"


@pytest.fixture(scope="module")
def raw(server: Server, sf) -> Raw:  # type: ignore[no-untyped-def]
    deploy(server, "sfdx-ledger")
    return Raw(server, sf.session_id)


def _csv(rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def test_rest_upsert_and_get_by_a_number_key(raw: Raw, server: Server) -> None:
    made = raw("PATCH", f"{VENDORS}/4711", json={"Name": "Numbered"})
    assert made.status_code == 201, made.text
    vendor = made.json()["id"]
    again = raw("PATCH", f"{VENDORS}/4711.0", json={"Name": "Renumbered"})
    assert again.status_code in (200, 204), again.text
    got = raw("GET", f"{VENDORS}/4711")
    assert got.status_code == 200 and got.json()["Id"] == vendor
    assert got.json()["Name"] == "Renumbered" and got.json()["Vendor_Number__c"] == 4711

    before = count(server, "Vendor__c")
    bad = raw("PATCH", f"{VENDORS}/abc", json={"Name": "Nope"})
    assert bad.status_code == 400, bad.text
    assert error(bad)["errorCode"] == "INVALID_TYPE_ON_FIELD_IN_RECORD"
    assert count(server, "Vendor__c") == before
    missing = raw("GET", f"{VENDORS}/abc")
    assert missing.status_code == 404 and error(missing)["errorCode"] == "NOT_FOUND"


def test_bulk_upsert_and_relationship_by_a_number_key(sf, raw: Raw, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "vendors.csv"
    path.write_text(_csv([["Vendor_Number__c", "Name"], ["901", "Bulk one"], ["abc", "Bad"]]))
    res = sf.bulk2.Vendor__c.upsert(
        csv_file=str(path), external_id_field="Vendor_Number__c", wait=0.2
    )
    assert res[0]["numberRecordsProcessed"] == 2 and res[0]["numberRecordsFailed"] == 1
    failed = list(
        csv.DictReader(io.StringIO(sf.bulk2.Vendor__c.get_failed_records(res[0]["job_id"])))
    )
    assert [r["Name"] for r in failed] == ["Bad"]
    assert failed[0]["sf__Error"].startswith("INVALID_TYPE_ON_FIELD_IN_RECORD")

    path.write_text(
        _csv(
            [
                ["Name", "Total__c", "Vendor__r.Vendor_Number__c"],
                ["INV-N1", "10", "901.0"],
                ["INV-N2", "20", "x9"],
            ]
        )
    )
    res = sf.bulk2.Invoice__c.insert(csv_file=str(path), wait=0.2)
    assert res[0]["numberRecordsProcessed"] == 2 and res[0]["numberRecordsFailed"] == 1
    failed = list(
        csv.DictReader(io.StringIO(sf.bulk2.Invoice__c.get_failed_records(res[0]["job_id"])))
    )
    assert [r["Name"] for r in failed] == ["INV-N2"]
    assert "Foreign key external ID: x9 not found" in failed[0]["sf__Error"]
    linked = sf.query("SELECT Vendor__r.Name FROM Invoice__c WHERE Name = 'INV-N1'")
    assert linked["records"][0]["Vendor__r"]["Name"] == "Bulk one"
