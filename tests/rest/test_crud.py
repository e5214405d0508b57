"""The sObject REST API through the unmodified simple-salesforce client, on a real server
per backend: create, retrieve, update, upsert, delete, describe, limits, versions, and
what deleting a parent does to its children."""

from __future__ import annotations

import pytest
import requests
from simple_salesforce.exceptions import (
    SalesforceMoreThanOneRecord,
    SalesforceResourceNotFound,
)

from support.rest import Raw, count, deploy
from support.server import Server


@pytest.fixture(scope="module")
def ledger(server: Server) -> Server:
    deploy(server, "sfdx-ledger")
    return server


@pytest.fixture(scope="module")
def raw(server: Server, sf) -> Raw:  # type: ignore[no-untyped-def]
    return Raw(server, sf.session_id)


def test_create_returns_id_and_get_returns_the_record(sf) -> None:  # type: ignore[no-untyped-def]
    created = sf.Account.create(
        {
            "Name": "Globex",
            "billingStreet": "1 Main St",
            "BillingCity": "Springfield",
            "BillingPostalCode": "12345",
            "NumberOfEmployees": 250,
            "AnnualRevenue": "1500000.50",
        }
    )
    assert created["success"] is True and created["errors"] == []
    rid = created["id"]
    assert len(rid) == 18 and rid.startswith("001")
    got = sf.Account.get(rid)
    assert got["attributes"] == {
        "type": "Account",
        "url": f"/services/data/v59.0/sobjects/Account/{rid}",
    }
    assert got["Id"] == rid
    assert got["Name"] == "Globex"
    assert got["NumberOfEmployees"] == 250
    assert got["AnnualRevenue"] == 1500001.0  # scale 0, rounded half up
    assert got["BillingStreet"] == "1 Main St"
    assert got["BillingAddress"]["city"] == "Springfield"
    assert got["BillingAddress"]["postalCode"] == "12345"
    assert got["IsDeleted"] is False
    assert got["OwnerId"].startswith("005") and got["CreatedById"] == got["OwnerId"]
    assert got["CreatedDate"].endswith("+0000") and got["CreatedDate"] == got["LastModifiedDate"]
    # The 15-character form of the id names the same record.
    assert sf.Account.get(rid[:15])["Id"] == rid


def test_get_with_fields_returns_only_those_in_api_case(sf) -> None:  # type: ignore[no-untyped-def]
    rid = sf.Account.create({"Name": "Initech", "BillingCity": "Austin", "Phone": "555"})["id"]
    got = sf.Account.get(rid, params={"fields": "name,BILLINGCITY"})
    assert got == {
        "attributes": {"type": "Account", "url": f"/services/data/v59.0/sobjects/Account/{rid}"},
        "Name": "Initech",
        "BillingCity": "Austin",
    }


def test_update_changes_only_the_given_fields(sf) -> None:  # type: ignore[no-untyped-def]
    rid = sf.Contact.create({"FirstName": "Ada", "LastName": "Byron", "Email": "ada@example.com"})[
        "id"
    ]
    before = sf.Contact.get(rid)
    assert before["Name"] == "Ada Byron"
    assert sf.Contact.update(rid, {"lastname": "Lovelace", "Title": "Countess"}) == 204
    after = sf.Contact.get(rid)
    assert after["LastName"] == "Lovelace" and after["Title"] == "Countess"
    assert after["Name"] == "Ada Lovelace"
    assert after["Email"] == "ada@example.com" and after["FirstName"] == "Ada"
    assert after["LastModifiedDate"] >= before["LastModifiedDate"]
    assert after["CreatedDate"] == before["CreatedDate"]
    # Through the 15-character id too.
    assert sf.Contact.update(rid[:15], {"Title": None}) == 204
    assert sf.Contact.get(rid)["Title"] is None


def test_upsert_creates_then_updates(sf, ledger: Server) -> None:  # type: ignore[no-untyped-def]
    vendors = sf.Vendor__c
    first = vendors.upsert("Vendor_Code__c/V-100", {"Name": "Acme"}, raw_response=True)
    assert first.status_code == 201
    body = first.json()
    assert body["created"] is True and body["success"] is True and body["errors"] == []
    rid = body["id"]
    assert sf.Vendor__c.get(rid)["Vendor_Code__c"] == "V-100"
    # Matching is case-insensitive on a case-insensitive text external id.
    second = vendors.upsert("vendor_code__c/v-100", {"Name": "Acme Ltd"}, raw_response=True)
    assert second.status_code == 200
    assert second.json() == {"id": rid, "success": True, "errors": [], "created": False}
    got = sf.Vendor__c.get(rid)
    assert got["Name"] == "Acme Ltd" and got["Vendor_Code__c"] == "V-100"
    assert count(ledger, "Vendor__c") >= 1
    by_key = sf.Vendor__c.get_by_custom_id("Vendor_Code__c", "V-100")
    assert by_key["Id"] == rid


def test_upsert_with_several_matches_answers_300(sf, ledger: Server) -> None:  # type: ignore[no-untyped-def]
    a = sf.Vendor__c.create({"Name": "Twin A", "Legacy_Ref__c": "L-7"})["id"]
    b = sf.Vendor__c.create({"Name": "Twin B", "Legacy_Ref__c": "L-7"})["id"]
    before = count(ledger, "Vendor__c")
    with pytest.raises(SalesforceMoreThanOneRecord) as info:
        sf.Vendor__c.upsert("Legacy_Ref__c/L-7", {"Name": "Which one?"})
    assert info.value.status == 300
    assert sorted(info.value.content) == sorted(
        f"/services/data/v59.0/sobjects/Vendor__c/{i}" for i in (a, b)
    )
    assert count(ledger, "Vendor__c") == before
    assert sf.Vendor__c.get(a)["Name"] == "Twin A" and sf.Vendor__c.get(b)["Name"] == "Twin B"
    with pytest.raises(SalesforceMoreThanOneRecord):
        sf.Vendor__c.get_by_custom_id("Legacy_Ref__c", "L-7")


def test_upsert_update_only_refuses_to_create(sf, ledger: Server) -> None:  # type: ignore[no-untyped-def]
    before = count(ledger, "Vendor__c")
    with pytest.raises(SalesforceResourceNotFound) as info:
        sf.Vendor__c.upsert("Vendor_Code__c/V-404?updateOnly=true", {"Name": "Ghost"})
    assert info.value.status == 404
    assert info.value.content[0]["errorCode"] == "NOT_FOUND"
    assert count(ledger, "Vendor__c") == before
    rid = sf.Vendor__c.create({"Name": "Real", "Vendor_Code__c": "V-405"})["id"]
    resp = sf.Vendor__c.upsert(
        "Vendor_Code__c/V-405?updateOnly=true", {"Name": "Real 2"}, raw_response=True
    )
    assert resp.status_code == 200 and resp.json()["created"] is False
    assert sf.Vendor__c.get(rid)["Name"] == "Real 2"


def test_upsert_on_a_field_that_is_neither_external_id_nor_id_lookup_is_404(
    sf, ledger: Server
) -> None:  # type: ignore[no-untyped-def]
    before = count(ledger, "Vendor__c")
    with pytest.raises(SalesforceResourceNotFound) as info:
        sf.Vendor__c.upsert("Rating__c/5", {"Tier__c": "Gold"})
    assert info.value.content[0]["errorCode"] == "NOT_FOUND"
    assert count(ledger, "Vendor__c") == before


def test_delete_then_get_is_404(sf, server: Server) -> None:  # type: ignore[no-untyped-def]
    rid = sf.Account.create({"Name": "Doomed"})["id"]
    before = count(server, "Account")
    assert sf.Account.delete(rid) == 204
    assert count(server, "Account") == before - 1
    assert count(server, "Account", live=False) >= before  # soft delete keeps the row
    with pytest.raises(SalesforceResourceNotFound) as info:
        sf.Account.get(rid)
    assert info.value.status == 404
    assert info.value.content == [
        {"message": "The requested resource does not exist", "errorCode": "NOT_FOUND", "fields": []}
    ]


def test_describe_account(sf) -> None:  # type: ignore[no-untyped-def]
    d = sf.Account.describe()
    assert d["name"] == "Account" and d["keyPrefix"] == "001" and d["createable"] is True
    fields = {f["name"]: f for f in d["fields"]}
    for key in (
        "name label type length precision scale nillable createable updateable unique "
        "externalId referenceTo relationshipName picklistValues compoundFieldName "
        "defaultValue calculated"
    ).split():
        assert key in fields["Name"], key
    assert fields["Id"]["type"] == "id"
    assert fields["Name"]["type"] == "string" and fields["Name"]["nillable"] is False
    assert fields["BillingCity"]["compoundFieldName"] == "BillingAddress"
    assert fields["BillingAddress"]["type"] == "address"
    assert fields["BillingAddress"]["createable"] is False
    assert fields["OwnerId"]["referenceTo"] == ["User"]
    assert fields["OwnerId"]["relationshipName"] == "Owner"
    industry = fields["Industry"]
    assert industry["type"] == "picklist" and industry["picklistValues"]
    assert {"value", "label", "active", "defaultValue"} <= set(industry["picklistValues"][0])
    assert fields["CreatedDate"]["createable"] is False
    children = {(c["childSObject"], c["field"]): c for c in d["childRelationships"]}
    assert children[("Contact", "AccountId")]["relationshipName"] == "Contacts"
    assert children[("Opportunity", "AccountId")]["relationshipName"] == "Opportunities"


def test_describe_person_names_as_compounds(sf) -> None:  # type: ignore[no-untyped-def]
    """Contact, Lead and User: each name part names Name as its compound; Name itself is
    the plain, read-only text the org fills."""
    for obj, parts in [
        ("Contact", ("Salutation", "FirstName", "LastName")),
        ("Lead", ("Salutation", "FirstName", "LastName")),
        ("User", ("FirstName", "LastName")),
    ]:
        fields = {f["name"]: f for f in getattr(sf, obj).describe()["fields"]}
        for part in parts:
            assert fields[part]["compoundFieldName"] == "Name", (obj, part)
            assert fields[part]["createable"] and fields[part]["updateable"], (obj, part)
        name = fields["Name"]
        assert name["compoundFieldName"] is None and name["type"] == "string", obj
        assert name["nameField"] is True and name["createable"] is False, obj
        assert fields["Email"]["compoundFieldName"] is None, obj


def test_describe_custom_object(sf, ledger: Server) -> None:  # type: ignore[no-untyped-def]
    d = sf.Vendor__c.describe()
    assert d["custom"] is True and d["name"] == "Vendor__c"
    fields = {f["name"]: f for f in d["fields"]}
    code = fields["Vendor_Code__c"]
    assert code["externalId"] is True and code["unique"] is True and code["length"] == 20
    tier = fields["Tier__c"]
    assert tier["restrictedPicklist"] is True
    assert [p["value"] for p in tier["picklistValues"]] == ["Gold", "Silver"]
    assert fields["Active__c"]["defaultValue"] is True or fields["Active__c"]["defaultedOnCreate"]
    children = {c["childSObject"]: c for c in d["childRelationships"]}
    assert children["Invoice__c"]["relationshipName"] == "Invoices__r"
    assert children["Invoice__c"]["restrictedDelete"] is True
    inv = {f["name"]: f for f in sf.Invoice__c.describe()["fields"]}
    assert inv["Vendor__c"]["referenceTo"] == ["Vendor__c"]
    assert inv["Vendor__c"]["relationshipName"] == "Vendor__r"
    lines = {c["childSObject"]: c for c in sf.Invoice__c.describe()["childRelationships"]}
    assert lines["Line__c"]["cascadeDelete"] is True


def test_global_describe_and_basic_info(sf, ledger: Server) -> None:  # type: ignore[no-untyped-def]
    g = sf.describe()
    assert g["encoding"] == "UTF-8" and g["maxBatchSize"] == 200
    by_name = {o["name"]: o for o in g["sobjects"]}
    assert by_name["Account"]["keyPrefix"] == "001"
    assert by_name["Contact"]["keyPrefix"] == "003"
    assert by_name["Vendor__c"]["custom"] is True
    assert by_name["Vendor__c"]["urls"]["sobject"] == "/services/data/v59.0/sobjects/Vendor__c"
    info = sf.Account.metadata()
    assert info["objectDescribe"]["name"] == "Account"


def test_limits_and_the_usage_header(sf, server: Server) -> None:  # type: ignore[no-untyped-def]
    limits = sf.limits()
    api = limits["DailyApiRequests"]
    assert api["Max"] > 0 and 0 < api["Remaining"] < api["Max"]
    accounts = sf.Account
    accounts.describe()
    first = accounts.api_usage["api-usage"]
    accounts.describe()
    second = accounts.api_usage["api-usage"]
    assert first.total == api["Max"] == second.total
    assert second.used == first.used + 1
    # Errors carry it too: clients read it from every reply.
    resp = requests.get(
        f"{server.instance_url}/services/data/v59.0/sobjects/Nope__c",
        headers={"Authorization": f"Bearer {sf.session_id}"},
        timeout=30,
    )
    assert resp.status_code == 404
    assert resp.headers["Sforce-Limit-Info"].startswith("api-usage=")


def test_versions_and_resources(sf, server: Server, raw: Raw) -> None:  # type: ignore[no-untyped-def]
    resp = requests.get(f"{server.instance_url}/services/data/", timeout=30)  # public
    assert resp.status_code == 200
    versions = resp.json()
    assert {"label": "Version 59.0", "url": "/services/data/v59.0", "version": "59.0"} in versions
    assert all(float(v["version"]) >= 50.0 for v in versions)
    res = raw("GET", "/")
    assert res.status_code == 200 and res.json()["sobjects"] == "/services/data/v59.0/sobjects"
    for name, url in res.json().items():  # each resource listed is served
        assert raw("GET", url.removeprefix("/services/data/v59.0")).status_code != 404, name
    assert raw("GET", "/sobjects/Account/").status_code == 200  # trailing slash
    old = requests.get(
        f"{server.instance_url}/services/data/v20.0/sobjects",
        headers={"Authorization": f"Bearer {sf.session_id}"},
        timeout=30,
    )
    assert old.status_code == 404 and old.json()[0]["errorCode"] == "NOT_FOUND"


def test_master_detail_children_are_deleted_with_their_parent(sf, ledger: Server) -> None:  # type: ignore[no-untyped-def]
    inv = sf.Invoice__c.create({"Name": "INV-1", "Total__c": 10})["id"]
    lines = [sf.Line__c.create({"Name": f"L{i}", "Invoice__c": inv})["id"] for i in range(3)]
    other = sf.Invoice__c.create({"Name": "INV-2", "Total__c": 5})["id"]
    kept = sf.Line__c.create({"Name": "keep", "Invoice__c": other})["id"]
    assert sf.Invoice__c.delete(inv) == 204
    for line in lines:
        with pytest.raises(SalesforceResourceNotFound):
            sf.Line__c.get(line)
    assert sf.Line__c.get(kept)["Invoice__c"] == other


def test_set_null_lookup_is_cleared_when_its_parent_is_deleted(sf, ledger: Server) -> None:  # type: ignore[no-untyped-def]
    approver = sf.Contact.create({"LastName": "Approver"})["id"]
    inv = sf.Invoice__c.create({"Name": "INV-3", "Total__c": 1, "Approver__c": approver})["id"]
    assert sf.Invoice__c.get(inv)["Approver__c"] == approver
    assert sf.Contact.delete(approver) == 204
    got = sf.Invoice__c.get(inv)
    assert got["Approver__c"] is None and got["Name"] == "INV-3"
    assert got["LastModifiedDate"] >= got["CreatedDate"]
