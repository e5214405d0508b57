"""Validation rules from an SFDX project, enforced on every write path of a real server
on each backend: REST create and update, upsert, Composite all-or-none, sObject
Collections, Bulk API 2.0 per row; ISCHANGED, PRIORVALUE and ISNEW on update; an
inactive rule never fires; a rule that does not parse refuses the deploy."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from support.rest import FIXTURES, count
from support.server import Server

PROJECT = FIXTURES / "sfdx-governance"
V = "/services/data/v59.0"


@pytest.fixture(scope="module")
def sf(server: Server, sf):  # type: ignore[no-untyped-def]
    out = server.cli("org", "deploy", str(PROJECT))
    assert "7 validation rules" in out.stdout
    return sf


def _refused(call: Any) -> dict[str, Any]:
    with pytest.raises(SalesforceMalformedRequest) as info:
        call()
    (err,) = info.value.content
    return dict(err)


def test_rest_create_is_refused_with_message_and_field(sf, server: Server) -> None:  # type: ignore[no-untyped-def]
    before = count(server, "Property__c")
    err = _refused(lambda: sf.Property__c.create({"Name": "Zero", "Price__c": 0}))
    assert err == {
        "message": "Price must be greater than zero.",
        "errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        "fields": ["Price__c"],
    }
    err = _refused(lambda: sf.Property__c.create({"Name": "Sold", "Status__c": "Sold"}))
    assert err["message"] == "A sold property needs a broker." and err["fields"] == []
    err = _refused(lambda: sf.Property__c.create({"Name": "C", "Property_Code__c": "x-1"}))
    assert err["fields"] == ["Property_Code__c"]
    assert count(server, "Property__c") == before  # nothing written
    # On a standard object too, through a project's extension of it.
    err = _refused(lambda: sf.Account.create({"Name": "test account"}))
    assert err["message"] == "Test accounts are not allowed." and err["fields"] == ["Name"]
    # A rule may read a formula field, computed on the record as it would be stored.
    err = _refused(lambda: sf.Property__c.create({"Name": "Mansion", "Price__c": 6_000_000}))
    assert err["message"] == "Commission over the cap." and err["fields"] == ["Price__c"]
    # Valid records pass; the inactive rule (condition TRUE) never fires.
    assert sf.Property__c.create({"Name": "Fine", "Price__c": 10, "Property_Code__c": "AB-1234"})


def test_update_sees_prior_values(sf) -> None:  # type: ignore[no-untyped-def]
    broker = sf.Broker__c.create({"Name": "B", "Broker_Id__c": "VR-1"})["id"]
    rid = sf.Property__c.create(
        {"Name": "Sold Later", "Price__c": 100, "Broker__c": broker, "Status__c": "Sold"}
    )["id"]
    # Price changed on a property whose prior status is Sold: refused.
    err = _refused(lambda: sf.Property__c.update(rid, {"Price__c": 90}))
    assert err["message"] == "The price of a sold property cannot change."
    assert sf.Property__c.get(rid)["Price__c"] == 100.0
    # Other fields may change; the stored record counts, not just what the update sends.
    assert sf.Property__c.update(rid, {"Beds__c": 2}) == 204
    err = _refused(lambda: sf.Property__c.update(rid, {"Broker__c": None}))
    assert err["message"] == "A sold property needs a broker."
    # Back to Available first, then the price may change (prior status no longer Sold).
    assert sf.Property__c.update(rid, {"Status__c": "Available"}) == 204
    assert sf.Property__c.update(rid, {"Price__c": 90}) == 204
    # Upsert takes the same path.
    err = _refused(
        lambda: sf.Property__c.upsert("Property_Code__c/ZZ-0001", {"Name": "U", "Price__c": -1})
    )
    assert err["errorCode"] == "FIELD_CUSTOM_VALIDATION_EXCEPTION"


def test_composite_all_or_none_writes_nothing(sf, server: Server) -> None:  # type: ignore[no-untyped-def]
    before = count(server, "Property__c")
    reply = sf.restful(
        "composite",
        method="POST",
        json={
            "allOrNone": True,
            "compositeRequest": [
                {"method": "POST", "url": f"{V}/sobjects/Property__c", "referenceId": "ok",
                 "body": {"Name": "Good One", "Price__c": 5}},
                {"method": "POST", "url": f"{V}/sobjects/Property__c", "referenceId": "bad",
                 "body": {"Name": "Bad One", "Price__c": -5}},
            ],
        },
    )  # fmt: skip
    subs = reply["compositeResponse"]
    assert subs[1]["httpStatusCode"] == 400
    assert subs[1]["body"][0]["errorCode"] == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    assert count(server, "Property__c") == before
    collection = sf.restful(
        "composite/sobjects",
        method="POST",
        json={
            "allOrNone": False,
            "records": [
                {"attributes": {"type": "Property__c"}, "Name": "C1", "Price__c": 1},
                {"attributes": {"type": "Property__c"}, "Name": "C2", "Price__c": 0},
            ],
        },
    )
    assert [r["success"] for r in collection] == [True, False]
    assert collection[1]["errors"][0]["statusCode"] == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    assert collection[1]["errors"][0]["fields"] == ["Price__c"]


def test_bulk_reports_each_row(sf, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "props.csv"
    path.write_text(
        "Name,Price__c,Status__c\nBulk ok,100,Available\nBulk zero,0,Available\n"
        "Bulk sold,5,Sold\nBulk ok 2,7,\n"
    )
    res = sf.bulk2.Property__c.insert(csv_file=str(path), wait=0.2)
    assert res[0]["numberRecordsProcessed"] == 4 and res[0]["numberRecordsFailed"] == 2
    failed = {
        r["Name"]: r["sf__Error"]
        for r in csv.DictReader(
            io.StringIO(sf.bulk2.Property__c.get_failed_records(res[0]["job_id"]))
        )
    }
    assert failed["Bulk zero"].startswith("FIELD_CUSTOM_VALIDATION_EXCEPTION")
    assert "Price must be greater than zero." in failed["Bulk zero"]
    assert "A sold property needs a broker." in failed["Bulk sold"]


def test_rule_with_syntax_error_refuses_the_deploy(sf, server: Server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "broken"
    shutil.copytree(PROJECT, broken)
    rules = broken / "force-app/main/default/objects/Property__c/validationRules"
    (rules / "Broken.validationRule-meta.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ValidationRule xmlns="http://soap.sforce.com/2006/04/metadata">\n'
        "    <fullName>Broken</fullName>\n    <active>true</active>\n"
        "    <errorConditionFormula>AND(Price__c &gt; 1,\n  Prise__c &lt; 5)</errorConditionFormula>\n"
        "    <errorMessage>never</errorMessage>\n</ValidationRule>\n"
    )
    fields = broken / "force-app/main/default/objects/Property__c/fields"
    (fields / "Rolled_Back__c.field-meta.xml").write_text(
        (fields / "Picture__c.field-meta.xml").read_text().replace("Picture__c", "Rolled_Back__c")
    )
    out = server.cli("org", "deploy", str(broken), check=False)
    assert out.returncode != 0
    assert (
        "Property__c.Broken: Field Prise__c does not exist. Check spelling. (Line: 2, Column: 3)"
        in out.stderr
    )
    # The whole deploy rolled back: the field deployed beside the rule is not there.
    assert "Rolled_Back__c" not in {f["name"] for f in sf.Property__c.describe()["fields"]}
