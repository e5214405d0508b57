"""Every error code of the sObject API, each triggered by a real bad input through the
unmodified simple-salesforce client (or plain HTTP where a client cannot send it), with
Salesforce's status, errorCode and fields, and nothing changed afterwards."""

from __future__ import annotations

import json
from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError, SalesforceExpiredSession

from support.rest import Raw, count, deploy, error
from support.server import Server


@pytest.fixture(scope="module")
def ledger(server: Server) -> Server:
    deploy(server, "sfdx-ledger")
    return server


@pytest.fixture(scope="module")
def raw(server: Server, sf) -> Raw:  # type: ignore[no-untyped-def]
    return Raw(server, sf.session_id)


def fails(call: Any, *args: Any, **kw: Any) -> tuple[int, dict[str, Any]]:
    """Run a simple-salesforce call that must fail; its status and single error entry."""
    with pytest.raises(SalesforceError) as info:
        call(*args, **kw)
    content = info.value.content
    assert isinstance(content, list) and len(content) == 1, content
    assert set(content[0]) == {"message", "errorCode", "fields"}
    return info.value.status, content[0]


def test_invalid_field(sf, server: Server) -> None:  # type: ignore[no-untyped-def]
    before = count(server, "Account")
    status, err = fails(sf.Account.create, {"Name": "X", "Nope__c": 1})
    assert (status, err["errorCode"], err["fields"]) == (400, "INVALID_FIELD", ["Nope__c"])
    assert "Nope__c" in err["message"]
    assert count(server, "Account") == before
    rid = sf.Account.create({"Name": "Keep"})["id"]
    status, err = fails(sf.Account.update, rid, {"Name": "Changed", "Bogus": "y"})
    assert (status, err["errorCode"], err["fields"]) == (400, "INVALID_FIELD", ["Bogus"])
    assert sf.Account.get(rid)["Name"] == "Keep"
    status, err = fails(sf.Account.get, rid, params={"fields": "Name,Bogus"})
    assert (status, err["errorCode"]) == (400, "INVALID_FIELD")


def test_required_field_missing(sf, server: Server, ledger: Server) -> None:  # type: ignore[no-untyped-def]
    before = count(server, "Contact")
    status, err = fails(sf.Contact.create, {"FirstName": "Nameless"})
    assert (status, err["errorCode"], err["fields"]) == (
        400,
        "REQUIRED_FIELD_MISSING",
        ["LastName"],
    )
    assert count(server, "Contact") == before
    status, err = fails(sf.Invoice__c.create, {"Name": "No total"})
    assert (status, err["errorCode"], err["fields"]) == (
        400,
        "REQUIRED_FIELD_MISSING",
        ["Total__c"],
    )
    rid = sf.Contact.create({"LastName": "Present"})["id"]
    status, err = fails(sf.Contact.update, rid, {"LastName": None})
    assert (status, err["errorCode"], err["fields"]) == (
        400,
        "REQUIRED_FIELD_MISSING",
        ["LastName"],
    )
    assert sf.Contact.get(rid)["LastName"] == "Present"


def test_string_too_long(sf, server: Server) -> None:  # type: ignore[no-untyped-def]
    before = count(server, "Account")
    status, err = fails(sf.Account.create, {"Name": "x" * 256})
    assert (status, err["errorCode"], err["fields"]) == (400, "STRING_TOO_LONG", ["Name"])
    assert count(server, "Account") == before
    assert sf.Account.create({"Name": "x" * 255})["success"] is True


def test_invalid_type_on_field(sf, server: Server) -> None:  # type: ignore[no-untyped-def]
    before = count(server, "Account")
    status, err = fails(sf.Account.create, {"Name": "T", "NumberOfEmployees": "many"})
    assert (status, err["errorCode"], err["fields"]) == (
        400,
        "INVALID_TYPE_ON_FIELD_IN_RECORD",
        ["NumberOfEmployees"],
    )
    status, err = fails(
        sf.Opportunity.create, {"Name": "O", "StageName": "Prospecting", "CloseDate": "soon"}
    )
    assert (status, err["errorCode"], err["fields"]) == (
        400,
        "INVALID_TYPE_ON_FIELD_IN_RECORD",
        ["CloseDate"],
    )
    assert count(server, "Account") == before


def test_restricted_picklist(sf, ledger: Server) -> None:  # type: ignore[no-untyped-def]
    before = count(ledger, "Vendor__c")
    status, err = fails(sf.Vendor__c.create, {"Name": "P", "Tier__c": "Platinum"})
    assert (status, err["errorCode"], err["fields"]) == (
        400,
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        ["Tier__c"],
    )
    assert count(ledger, "Vendor__c") == before
    rid = sf.Vendor__c.create({"Name": "P", "tier__c": "gold"})["id"]
    assert sf.Vendor__c.get(rid)["Tier__c"] == "Gold"  # stored as the API value
    status, err = fails(sf.Vendor__c.update, rid, {"Tier__c": "Bronze"})
    assert err["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert sf.Vendor__c.get(rid)["Tier__c"] == "Gold"


def test_malformed_id(sf, server: Server) -> None:  # type: ignore[no-untyped-def]
    before = count(server, "Contact")
    status, err = fails(sf.Contact.create, {"LastName": "M", "AccountId": "not-an-id"})
    assert (status, err["errorCode"], err["fields"]) == (400, "MALFORMED_ID", ["AccountId"])
    assert count(server, "Contact") == before
    status, err = fails(sf.Contact.delete, "003!!!")
    assert status in (400, 404) and err["errorCode"] in ("MALFORMED_ID", "NOT_FOUND")


def test_not_found(sf, server: Server, raw: Raw) -> None:  # type: ignore[no-untyped-def]
    missing = "001000000000001AAA"
    for call, args in (
        (sf.Account.get, (missing,)),
        (sf.Account.update, (missing, {"Name": "ghost"})),
        (sf.Account.delete, (missing,)),
    ):
        status, err = fails(call, *args)
        assert (status, err["errorCode"]) == (404, "NOT_FOUND")
    # An id of another object is not found on this one.
    contact = sf.Contact.create({"LastName": "Elsewhere"})["id"]
    status, err = fails(sf.Account.get, contact)
    assert (status, err["errorCode"]) == (404, "NOT_FOUND")
    resp = raw("GET", "/sobjects/NoSuchThing__c/describe")
    assert resp.status_code == 404 and error(resp)["errorCode"] == "NOT_FOUND"
    resp = raw("GET", "/no/such/resource")
    assert resp.status_code == 404 and error(resp)["errorCode"] == "NOT_FOUND"


def test_entity_is_deleted(sf, server: Server) -> None:  # type: ignore[no-untyped-def]
    acct = sf.Account.create({"Name": "Gone"})["id"]
    sf.Account.delete(acct)
    before = count(server, "Contact")
    status, err = fails(sf.Contact.create, {"LastName": "Orphan", "AccountId": acct})
    assert (status, err["errorCode"], err["fields"]) == (400, "ENTITY_IS_DELETED", ["AccountId"])
    assert count(server, "Contact") == before
    status, err = fails(sf.Account.update, acct, {"Name": "Back"})
    assert err["errorCode"] == "ENTITY_IS_DELETED"
    status, err = fails(sf.Account.delete, acct)
    assert err["errorCode"] == "ENTITY_IS_DELETED"
    assert count(server, "Account", live=False) >= 1


def test_duplicate_value(sf, ledger: Server) -> None:  # type: ignore[no-untyped-def]
    first = sf.Vendor__c.create({"Name": "One", "Vendor_Code__c": "DUP-1"})["id"]
    before = count(ledger, "Vendor__c")
    status, err = fails(sf.Vendor__c.create, {"Name": "Two", "Vendor_Code__c": "dup-1"})
    assert (status, err["errorCode"]) == (400, "DUPLICATE_VALUE")
    assert first in err["message"]
    assert count(ledger, "Vendor__c") == before
    other = sf.Vendor__c.create({"Name": "Three", "Vendor_Code__c": "DUP-2"})["id"]
    status, err = fails(sf.Vendor__c.update, other, {"Vendor_Code__c": "DUP-1"})
    assert err["errorCode"] == "DUPLICATE_VALUE"
    assert sf.Vendor__c.get(other)["Vendor_Code__c"] == "DUP-2"


def test_duplicate_external_id(sf, ledger: Server) -> None:  # type: ignore[no-untyped-def]
    """sObject Collections upsert answers DUPLICATE_EXTERNAL_ID per record, both when the
    key matches several records and when one request names the same key twice."""
    a = sf.Vendor__c.create({"Name": "Dup A", "Legacy_Ref__c": "X-9"})["id"]
    b = sf.Vendor__c.create({"Name": "Dup B", "Legacy_Ref__c": "X-9"})["id"]
    before = count(ledger, "Vendor__c")
    records = [
        {"attributes": {"type": "Vendor__c"}, "Legacy_Ref__c": "X-9", "Name": "Either"},
        {"attributes": {"type": "Vendor__c"}, "Legacy_Ref__c": "Y-1", "Name": "New 1"},
        {"attributes": {"type": "Vendor__c"}, "Legacy_Ref__c": "Y-1", "Name": "New 2"},
    ]
    out = sf.restful(
        "composite/sobjects/Vendor__c/Legacy_Ref__c",
        method="PATCH",
        data=json.dumps({"allOrNone": False, "records": records}),
    )
    assert out[0]["success"] is False
    assert out[0]["errors"][0]["statusCode"] == "DUPLICATE_EXTERNAL_ID"
    assert out[2]["success"] is False
    assert out[2]["errors"][0]["statusCode"] == "DUPLICATE_EXTERNAL_ID"
    assert sf.Vendor__c.get(a)["Name"] == "Dup A" and sf.Vendor__c.get(b)["Name"] == "Dup B"
    assert count(ledger, "Vendor__c") == before + (1 if out[1]["success"] else 0)


def test_invalid_cross_reference_key(sf, server: Server) -> None:  # type: ignore[no-untyped-def]
    before = count(server, "Contact")
    status, err = fails(
        sf.Contact.create, {"LastName": "Dangling", "AccountId": "001000000000002AAA"}
    )
    assert (status, err["errorCode"]) == (400, "INVALID_CROSS_REFERENCE_KEY")
    assert count(server, "Contact") == before


def test_delete_failed_on_a_restricted_lookup(sf, ledger: Server) -> None:  # type: ignore[no-untyped-def]
    vendor = sf.Vendor__c.create({"Name": "Held"})["id"]
    inv = sf.Invoice__c.create({"Name": "Holds", "Total__c": 3, "Vendor__c": vendor})["id"]
    status, err = fails(sf.Vendor__c.delete, vendor)
    assert (status, err["errorCode"]) == (400, "DELETE_FAILED")
    assert inv in err["message"]
    assert sf.Vendor__c.get(vendor)["Name"] == "Held"
    assert sf.Invoice__c.get(inv)["Vendor__c"] == vendor
    sf.Invoice__c.delete(inv)
    assert sf.Vendor__c.delete(vendor) == 204


def test_json_parser_error(raw: Raw, server: Server) -> None:
    before = count(server, "Account")
    for body in (b'{"Name": ', b"", b"not json", b'{"Name": "a",}'):
        resp = raw(
            "POST", "/sobjects/Account", data=body, headers={"Content-Type": "application/json"}
        )
        assert resp.status_code == 400, body
        assert error(resp)["errorCode"] == "JSON_PARSER_ERROR"
    assert count(server, "Account") == before


def test_invalid_session_id(server: Server) -> None:
    before = count(server, "Account")
    bogus = Salesforce(
        instance_url=server.instance_url, session_id="00D000000000001!nope", version="59.0"
    )
    with pytest.raises(SalesforceExpiredSession) as info:
        bogus.Account.create({"Name": "Intruder"})
    assert info.value.status == 401
    assert info.value.content[0]["errorCode"] == "INVALID_SESSION_ID"
    import requests

    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}):
        resp = requests.get(
            f"{server.instance_url}/services/data/v59.0/sobjects", headers=headers, timeout=30
        )
        assert resp.status_code == 401 and error(resp)["errorCode"] == "INVALID_SESSION_ID"
    assert count(server, "Account") == before


def test_method_not_allowed(sf, raw: Raw, server: Server) -> None:  # type: ignore[no-untyped-def]
    rid = sf.Account.create({"Name": "Fixed"})["id"]
    resp = raw("PUT", f"/sobjects/Account/{rid}", json={"Name": "Put"})
    assert resp.status_code == 405
    err = error(resp)
    assert err["errorCode"] == "METHOD_NOT_ALLOWED" and "PUT" in err["message"]
    before = count(server, "Account")
    resp = raw("DELETE", "/sobjects/Account")
    assert resp.status_code == 405 and error(resp)["errorCode"] == "METHOD_NOT_ALLOWED"
    assert count(server, "Account") == before
    assert sf.Account.get(rid)["Name"] == "Fixed"
