"""``switchboard org deploy`` against a running server: the new objects and fields are
usable over REST by the very next request, with field names in any case."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceError, SalesforceResourceNotFound

from support.rest import FIXTURES, count
from support.server import Server


@pytest.fixture(scope="module")
def realty(server: Server, sf) -> Server:  # type: ignore[no-untyped-def]
    # Before the deploy the running server does not know the object.
    with pytest.raises(SalesforceResourceNotFound):
        sf.Property__c.describe()
    out = server.cli("org", "deploy", str(FIXTURES / "sfdx-realty"))
    assert "Deployed" in out.stdout
    return server


def test_new_objects_are_usable_at_once_with_any_field_case(sf, realty: Server) -> None:  # type: ignore[no-untyped-def]
    broker = sf.Broker__c.create(
        {"name": "Jane Roe", "BROKER_ID__C": "B-1", "email__c": "jane@example.com"}
    )["id"]
    prop = sf.property__c.create(
        {
            "Name": "12 Elm St",
            "price__C": "450000.456",
            "BROKER__c": broker,
            "beds__c": 3,
            "Status__c": "sold",
            "Tags__c": "garden;GARAGE",
            "location__latitude__s": 45.764043,
            "Location__Longitude__s": 4.835659,
        }
    )["id"]
    got = sf.Property__c.get(prop)
    assert got["attributes"]["type"] == "Property__c"
    assert got["Price__c"] == 450000.46
    assert got["Broker__c"] == broker
    assert got["Beds__c"] == 3
    assert got["Status__c"] == "Sold"
    assert got["Tags__c"] == "Garden;Garage"
    assert got["Location__Latitude__s"] == pytest.approx(45.764043)
    assert got["Location__Longitude__s"] == pytest.approx(4.835659)
    assert got["Location__c"] == {
        "latitude": pytest.approx(45.764043),
        "longitude": pytest.approx(4.835659),
    }
    assert got["Price_Per_Bed__c"] == 150000.15  # IF(Beds__c > 0, Price__c / Beds__c, null)
    picked = sf.Property__c.get(prop, params={"fields": "PRICE__C,broker__c"})
    assert set(picked) == {"attributes", "Price__c", "Broker__c"}
    assert sf.Property__c.update(prop, {"PRICE__c": 99, "status__c": "Available"}) == 204
    again = sf.Property__c.get(prop)
    assert again["Price__c"] == 99 and again["Status__c"] == "Available"


def test_defaults_and_auto_number(sf, realty: Server) -> None:  # type: ignore[no-untyped-def]
    prop = sf.Property__c.create({"Name": "Defaults"})["id"]
    got = sf.Property__c.get(prop)
    assert got["Status__c"] == "Available"  # the picklist's default value
    a = sf.Offer__c.create({"Property__c": prop, "amount__c": 10})["id"]
    b = sf.Offer__c.create({"Property__c": prop, "Amount__c": 20})["id"]
    first, second = sf.Offer__c.get(a), sf.Offer__c.get(b)
    assert first["Name"].startswith("OFR-") and len(first["Name"]) == 8
    assert int(second["Name"][4:]) == int(first["Name"][4:]) + 1
    assert first["Accepted__c"] is False


def test_lookup_and_master_detail(sf, realty: Server) -> None:  # type: ignore[no-untyped-def]
    broker = sf.Broker__c.create({"Name": "Lookup", "Broker_Id__c": "B-LK"})["id"]
    prop = sf.Property__c.create({"Name": "MD parent", "Broker__c": broker})["id"]
    offer = sf.Offer__c.create({"Property__c": prop, "Amount__c": 1})["id"]
    # A lookup to the wrong object is refused.
    with pytest.raises(SalesforceError) as info:
        sf.Property__c.create({"Name": "Wrong", "Broker__c": prop})
    assert info.value.content[0]["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"
    # Master-detail is required.
    with pytest.raises(SalesforceError) as info:
        sf.Offer__c.create({"Amount__c": 1})
    assert info.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert info.value.content[0]["fields"] == ["Property__c"]
    # Deleting the broker clears the SetNull lookup; deleting the property cascades.
    assert sf.Broker__c.delete(broker) == 204
    assert sf.Property__c.get(prop)["Broker__c"] is None
    assert sf.Property__c.delete(prop) == 204
    with pytest.raises(SalesforceResourceNotFound):
        sf.Offer__c.get(offer)


def test_external_id_upsert_on_a_custom_object(sf, realty: Server) -> None:  # type: ignore[no-untyped-def]
    created = sf.Property__c.upsert(
        "property_code__c/PC-1", {"Name": "Upserted"}, raw_response=True
    )
    assert created.status_code == 201 and created.json()["created"] is True
    rid = created.json()["id"]
    updated = sf.Property__c.upsert("Property_Code__c/PC-1", {"PRICE__C": 5}, raw_response=True)
    assert updated.status_code == 200 and updated.json() == {
        "id": rid,
        "success": True,
        "errors": [],
        "created": False,
    }
    got = sf.Property__c.get_by_custom_id("Property_Code__c", "PC-1")
    assert got["Id"] == rid and got["Price__c"] == 5 and got["Name"] == "Upserted"
    # Extension fields deployed onto a standard object work the same way.
    acct = sf.Account.upsert("customer_number__c/C-9", {"Name": "Ext"}, raw_response=True)
    assert acct.status_code == 201
    assert sf.Account.get(acct.json()["id"])["Customer_Number__c"] == "C-9"


def test_restricted_picklist_on_deployed_fields(sf, realty: Server) -> None:  # type: ignore[no-untyped-def]
    before = count(realty, "Property__c")
    for record, field in (
        ({"Name": "Bad", "Status__c": "Demolished"}, "Status__c"),
        ({"Name": "Bad", "tags__c": "garden;moat"}, "Tags__c"),
    ):
        with pytest.raises(SalesforceError) as info:
            sf.Property__c.create(record)
        err = info.value.content[0]
        assert info.value.status == 400
        assert err["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
        assert err["fields"] == [field]
    with pytest.raises(SalesforceError) as info:
        sf.Account.create({"Name": "Tiered", "Tier__c": "Diamond"})
    assert info.value.content[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert count(realty, "Property__c") == before


def test_formula_is_calculated_and_read_only(sf, realty: Server) -> None:  # type: ignore[no-untyped-def]
    fields = {f["name"]: f for f in sf.Property__c.describe()["fields"]}
    formula = fields["Price_Per_Bed__c"]
    assert formula["calculated"] is True
    assert formula["createable"] is False and formula["updateable"] is False
    assert formula["type"] == "currency"
    assert fields["Location__c"]["type"] == "location"
    lat = fields["Location__Latitude__s"]
    assert lat["compoundFieldName"] == "Location__c" and lat["type"] == "double"
    assert fields["Broker__c"]["referenceTo"] == ["Broker__c"]
    assert fields["Broker__c"]["relationshipName"] == "Broker__r"
    assert fields["Property_Code__c"]["externalId"] is True
    assert fields["Status__c"]["restrictedPicklist"] is True
    before = count(realty, "Property__c")
    with pytest.raises(SalesforceError) as info:
        sf.Property__c.create({"Name": "F", "price_per_bed__c": 1})
    err = info.value.content[0]
    assert info.value.status == 400
    assert err["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert err["fields"] == ["Price_Per_Bed__c"]
    assert count(realty, "Property__c") == before
    offers = {c["childSObject"]: c for c in sf.Property__c.describe()["childRelationships"]}
    assert offers["Offer__c"]["relationshipName"] == "Offers__r"
    assert offers["Offer__c"]["cascadeDelete"] is True


def test_redeploy_is_idempotent_and_keeps_data(sf, realty: Server) -> None:  # type: ignore[no-untyped-def]
    rid = sf.Broker__c.create({"Name": "Survivor", "Broker_Id__c": "B-SURV"})["id"]
    realty.cli("org", "deploy", str(FIXTURES / "sfdx-realty"))
    got = sf.Broker__c.get(rid)
    assert got["Name"] == "Survivor" and got["Broker_Id__c"] == "B-SURV"
