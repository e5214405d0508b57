"""Composite, batch, sObject Collections and tree against a real server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

REALTY = Path(__file__).parents[1] / "fixtures" / "sfdx-realty"


@pytest.fixture(scope="module")
def realty(server, sf):  # type: ignore[no-untyped-def]
    server.cli("org", "deploy", str(REALTY))
    return sf


def _post(sf: Any, path: str, body: Any, method: str = "POST") -> Any:
    return sf.restful(path, method=method, json=body)


def test_composite_references_and_location(sf) -> None:  # type: ignore[no-untyped-def]
    v = "/services/data/v59.0"
    reply = _post(
        sf,
        "composite",
        {
            "allOrNone": True,
            "compositeRequest": [
                {
                    "method": "POST",
                    "url": f"{v}/sobjects/Account",
                    "referenceId": "acct",
                    "body": {"Name": "Composite Co"},
                },
                {
                    "method": "POST",
                    "url": f"{v}/sobjects/Contact",
                    "referenceId": "ct",
                    "body": {"LastName": "Ref", "AccountId": "@{acct.id}"},
                },
                {
                    "method": "GET",
                    "url": f"{v}/sobjects/Contact/@{{ct.id}}?fields=AccountId,LastName",
                    "referenceId": "got",
                },
            ],
        },
    )
    subs = reply["compositeResponse"]
    assert [s["httpStatusCode"] for s in subs] == [201, 201, 200]
    acct_id = subs[0]["body"]["id"]
    assert subs[0]["httpHeaders"]["Location"].endswith(f"/sobjects/Account/{acct_id}")
    assert subs[2]["body"]["AccountId"] == acct_id
    assert subs[2]["referenceId"] == "got"


def test_composite_all_or_none_rolls_back(sf) -> None:  # type: ignore[no-untyped-def]
    v = "/services/data/v59.0"
    reply = _post(
        sf,
        "composite",
        {
            "allOrNone": True,
            "compositeRequest": [
                {
                    "method": "POST",
                    "url": f"{v}/sobjects/Account",
                    "referenceId": "a1",
                    "body": {"Name": "Rolled Back Co"},
                },
                {
                    "method": "POST",
                    "url": f"{v}/sobjects/Contact",
                    "referenceId": "bad",
                    "body": {"AccountId": "@{a1.id}"},  # LastName missing
                },
            ],
        },
    )
    subs = reply["compositeResponse"]
    assert subs[0]["httpStatusCode"] == 400
    assert subs[0]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert subs[1]["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    # The account created by the first subrequest is gone with the transaction.
    got = _post(
        sf,
        "composite/sobjects",
        {"records": [{"attributes": {"type": "Account"}, "Name": "probe"}]},
    )
    assert got[0]["success"]
    # Without allOrNone, the first commits and the dependent one fails on its reference.
    reply = _post(
        sf,
        "composite",
        {
            "compositeRequest": [
                {
                    "method": "POST",
                    "url": f"{v}/sobjects/Contact",
                    "referenceId": "c1",
                    "body": {"FirstName": "no last name"},
                },
                {
                    "method": "GET",
                    "url": f"{v}/sobjects/Contact/@{{c1.id}}",
                    "referenceId": "c2",
                },
                {
                    "method": "POST",
                    "url": f"{v}/sobjects/Account",
                    "referenceId": "a2",
                    "body": {"Name": "Kept Co"},
                },
            ]
        },
    )
    codes = [s["httpStatusCode"] for s in reply["compositeResponse"]]
    assert codes == [400, 400, 201]
    assert reply["compositeResponse"][1]["body"][0]["errorCode"] == "PROCESSING_HALTED"


def test_composite_rolled_back_record_is_gone(sf) -> None:  # type: ignore[no-untyped-def]
    v = "/services/data/v59.0"
    reply = _post(
        sf,
        "composite",
        {
            "allOrNone": True,
            "compositeRequest": [
                {
                    "method": "POST",
                    "url": f"{v}/sobjects/Account",
                    "referenceId": "a",
                    "body": {"Name": "Ghost", "AccountNumber": "GHOST-1"},
                },
                {
                    "method": "GET",
                    "url": f"{v}/sobjects/Account/@{{a.id}}?fields=Name",
                    "referenceId": "seen",
                },
                {
                    "method": "DELETE",
                    "url": f"{v}/sobjects/Account/001000000000000AAA",
                    "referenceId": "boom",
                },
            ],
        },
    )
    subs = reply["compositeResponse"]
    assert subs[2]["httpStatusCode"] == 404
    assert all(s["httpStatusCode"] == 400 for s in subs[:2])


def test_composite_limits(sf) -> None:  # type: ignore[no-untyped-def]
    from simple_salesforce.exceptions import SalesforceMalformedRequest

    subs = [
        {"method": "GET", "url": "/services/data/v59.0/limits", "referenceId": f"r{i}"}
        for i in range(26)
    ]
    with pytest.raises(SalesforceMalformedRequest) as err:
        _post(sf, "composite", {"compositeRequest": subs})
    assert err.value.content[0]["errorCode"] == "LIMIT_EXCEEDED"
    records = [{"attributes": {"type": "Account"}, "Name": f"n{i}"} for i in range(201)]
    with pytest.raises(SalesforceMalformedRequest):
        _post(sf, "composite/sobjects", {"records": records})


def test_batch_halt_on_error(sf) -> None:  # type: ignore[no-untyped-def]
    reply = _post(
        sf,
        "composite/batch",
        {
            "haltOnError": True,
            "batchRequests": [
                {"method": "POST", "url": "v59.0/sobjects/Account", "richInput": {"Name": "B1"}},
                {"method": "GET", "url": "v59.0/sobjects/Account/001000000000000AAA"},
                {"method": "GET", "url": "v59.0/limits"},
            ],
        },
    )
    assert reply["hasErrors"] is True
    assert [r["statusCode"] for r in reply["results"]] == [201, 404, 412]
    assert reply["results"][2]["result"][0]["errorCode"] == "BATCH_PROCESSING_HALTED"


def test_collections_create_update_upsert_delete(realty) -> None:  # type: ignore[no-untyped-def]
    sf = realty
    created = _post(
        sf,
        "composite/sobjects",
        {
            "allOrNone": False,
            "records": [
                {"attributes": {"type": "Account"}, "Name": "C1", "Customer_Number__c": "CN-1"},
                {"attributes": {"type": "Contact"}, "FirstName": "no last name"},
                {"attributes": {"type": "Account"}, "Name": "C2", "Customer_Number__c": "CN-2"},
            ],
        },
    )
    assert [c["success"] for c in created] == [True, False, True]
    assert created[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    a1, a2 = created[0]["id"], created[2]["id"]
    rolled = _post(
        sf,
        "composite/sobjects",
        {
            "allOrNone": True,
            "records": [
                {"attributes": {"type": "Account"}, "id": a1, "Name": "C1 renamed"},
                {"attributes": {"type": "Account"}, "id": a2, "Name": ""},  # Name required
            ],
        },
        method="PATCH",
    )
    assert rolled[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert sf.Account.get(a1)["Name"] == "C1"
    upserted = _post(
        sf,
        "composite/sobjects/Account/Customer_Number__c",
        {
            "records": [
                {"attributes": {"type": "Account"}, "Customer_Number__c": "CN-1", "Name": "U1"},
                {"attributes": {"type": "Account"}, "Customer_Number__c": "CN-3", "Name": "U3"},
            ]
        },
        method="PATCH",
    )
    assert [(u["created"], u["success"]) for u in upserted] == [(False, True), (True, True)]
    assert upserted[0]["id"] == a1
    got = sf.restful(f"composite/sobjects/Account?ids={a1},{a2}&fields=Id,Name")
    assert [g["Name"] for g in got] == ["U1", "C2"]
    # Upsert by Id: a record with a null Id is created, one with an Id updates it, and
    # an Id that names no record is not found.
    by_id = _post(
        sf,
        "composite/sobjects/Account/Id",
        {
            "records": [
                {"attributes": {"type": "Account"}, "Id": None, "Name": "By Id new"},
                {"attributes": {"type": "Account"}, "Id": a2, "Name": "C2 by Id"},
                {"attributes": {"type": "Account"}, "Id": "001000000000000AAA", "Name": "x"},
            ]
        },
        method="PATCH",
    )
    assert [(u["created"], u["success"]) for u in by_id] == [
        (True, True),
        (False, True),
        (False, False),
    ]
    assert by_id[1]["id"] == a2 and by_id[2]["errors"][0]["statusCode"] == "NOT_FOUND"
    assert sf.Account.get(by_id[0]["id"])["Name"] == "By Id new"
    assert sf.Account.get(a2)["Name"] == "C2 by Id"
    deleted = sf.restful(f"composite/sobjects?ids={a1},{a2}", method="DELETE")
    assert [d["success"] for d in deleted] == [True, True]
    again = sf.restful(f"composite/sobjects?ids={a1}", method="DELETE")
    assert again[0]["success"] is False


def test_tree_with_children(realty) -> None:  # type: ignore[no-untyped-def]
    sf = realty
    reply = _post(
        sf,
        "composite/tree/Broker__c",
        {
            "records": [
                {
                    "attributes": {"type": "Broker__c", "referenceId": "b1"},
                    "Name": "Tree Broker",
                    "Broker_Id__c": "BRK-T1",
                    "Properties__r": {
                        "records": [
                            {
                                "attributes": {"type": "Property__c", "referenceId": "p1"},
                                "Name": "Tree House",
                            },
                            {
                                "attributes": {"type": "Property__c", "referenceId": "p2"},
                                "Name": "Tree Flat",
                            },
                        ]
                    },
                }
            ]
        },
    )
    assert reply["hasErrors"] is False
    refs = {r["referenceId"]: r["id"] for r in reply["results"]}
    assert set(refs) == {"b1", "p1", "p2"}
    prop = sf.Property__c.get(refs["p1"])
    assert prop["Broker__c"] == refs["b1"]
