"""Duplicate rules on a real server on each backend: the standard Account rule finds
``ACME, Incorporated`` with the phone written another way as a duplicate of ``Acme
Inc.``; an Allow rule's alert refuses an API save unless the request sends
``Sforce-Duplicate-Rule-Header: allowSave=true``; a Block rule refuses it either way;
Bulk API 2.0 reports each row."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from support.rest import FIXTURES, count
from support.server import Server

ALLOW_SAVE = {"Sforce-Duplicate-Rule-Header": "allowSave=true"}


@pytest.fixture(scope="module")
def sf(server: Server, sf):  # type: ignore[no-untyped-def]
    server.cli("org", "deploy", str(FIXTURES / "sfdx-governance"))
    return sf


def _refused(call: Any) -> dict[str, Any]:
    with pytest.raises(SalesforceMalformedRequest) as info:
        call()
    (err,) = info.value.content
    return dict(err)


def test_standard_account_rule_alerts_and_allow_save(sf, server: Server) -> None:  # type: ignore[no-untyped-def]
    first = sf.Account.create({"Name": "Acme Inc.", "Phone": "(415) 555-0100"})["id"]
    before = count(server, "Account")
    err = _refused(
        lambda: sf.Account.create({"Name": "ACME, Incorporated", "Phone": "+1 415.555.0100"})
    )
    assert err["errorCode"] == "DUPLICATES_DETECTED"
    result = err["duplicateResult"]
    assert result["allowSave"] is True
    assert result["duplicateRule"] == "Standard_Account_Duplicate_Rule"
    match = result["matchResults"][0]
    assert match["rule"] == "Standard_Account_Match_Rule_v1_0" and match["size"] == 1
    assert match["matchRecords"][0]["record"]["Id"] == first
    assert count(server, "Account") == before  # nothing written
    # allowSave lets an alerted duplicate through.
    saved = sf.Account.create(
        {"Name": "ACME, Incorporated", "Phone": "415 555 0100"}, headers=ALLOW_SAVE
    )
    assert saved["success"]
    # Another company with the same phone, or the same name without anything else in
    # common, is not a duplicate.
    assert sf.Account.create({"Name": "Globex", "Phone": "(415) 555-0100"})["success"]
    assert sf.Account.create({"Name": "Acme Inc", "Phone": "(212) 555-0199"})["success"]
    # An update that makes a record a duplicate is alerted too.
    other = sf.Account.create({"Name": "Initech"})["id"]
    err = _refused(lambda: sf.Account.update(other, {"Name": "ACME", "Phone": "4155550100"}))
    assert err["errorCode"] == "DUPLICATES_DETECTED"


def test_block_rule_cannot_be_bypassed(sf) -> None:  # type: ignore[no-untyped-def]
    sf.Contact.create({"LastName": "Roe", "Email": "jane.roe@example.com"})
    err = _refused(
        lambda: sf.Contact.create(
            {"LastName": "Other", "Email": "Jane.Roe@Example.com"}, headers=ALLOW_SAVE
        )
    )
    assert err["errorCode"] == "DUPLICATES_DETECTED"
    assert err["message"] == "A contact with this email already exists."
    assert err["duplicateResult"]["allowSave"] is False
    assert sf.Contact.create({"LastName": "Roe", "Email": "john@example.com"})["success"]


def test_bulk_rows_are_reported_one_by_one(sf, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sf.Account.create({"Name": "Umbrella Corporation", "Phone": "030 1234567"})
    path = tmp_path / "accounts.csv"
    path.write_text("Name,Phone\nUmbrella Corp.,0301234567\nHooli,0301234567\n")
    res = sf.bulk2.Account.insert(csv_file=str(path), wait=0.2)
    assert res[0]["numberRecordsProcessed"] == 2 and res[0]["numberRecordsFailed"] == 1
    failed = list(
        csv.DictReader(io.StringIO(sf.bulk2.Account.get_failed_records(res[0]["job_id"])))
    )
    assert failed[0]["Name"] == "Umbrella Corp."
    assert failed[0]["sf__Error"].startswith("DUPLICATES_DETECTED")
