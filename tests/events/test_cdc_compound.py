"""Compound fields in change events over the Pub/Sub API, as Salesforce sends them.

Per the Change Data Capture guide ("Get Compound Fields in Change Events"), addresses,
person names and geolocations are nested records, and a changed component is named
``BillingAddress.City``; per the Pub/Sub API guide ("Event Deserialization
Considerations") the header's bitmaps hold a top-level bitmap plus ``N-0x..`` entries for
nested fields. The bitmaps are checked with ``process_bitmap`` from tests/support, which
decodes them as Salesforce's sample does, independently of the server's encoder.
"""

from __future__ import annotations

from typing import Any

import orjson

from support.pubsub import Client, Sub, process_bitmap, rest
from support.server import Server

ADDRESS = ["Street", "City", "State", "PostalCode", "Country", "Latitude", "Longitude",
           "GeocodeAccuracy"]  # fmt: skip


def schema_json(client: Client, schema_id: str) -> str:
    info = client.stub.GetSchema(
        client.pb.SchemaRequest(schema_id=schema_id), metadata=client.metadata
    )
    return str(info.schema_json)


def live(client: Client, topic: str) -> Sub:
    sub = client.subscribe(topic, client.pb.LATEST)
    sub.wait_idle()
    return sub


def create_then_update(
    server: Server, client: Client, obj: str, body: dict[str, Any], change: dict[str, Any]
) -> tuple[str, dict[str, Any], dict[str, Any], str]:
    """Create a record and update it through REST; (id, the CREATE event, the UPDATE
    event, the events' schema JSON)."""
    sub = live(client, f"/data/{obj}ChangeEvent")
    rid = rest(server, "POST", f"sobjects/{obj}", body).json()["id"]
    rest(server, "PATCH", f"sobjects/{obj}/{rid}", change)
    events = sub.events(2)
    sub.cancel()
    created, updated = (client.decode(e) for e in events)
    return rid, created, updated, schema_json(client, events[0].event.schema_id)


def test_account_address_is_nested_and_bitmaps_name_its_members(
    events_server: Server, client: Client
) -> None:
    sub = live(client, "/data/AccountChangeEvent")
    body = {"Name": "Nested", "BillingStreet": "1 Rue Neuve", "BillingCity": "Lyon"}
    rid = rest(events_server, "POST", "sobjects/Account", body).json()["id"]
    rest(events_server, "PATCH", f"sobjects/Account/{rid}", {"BillingCity": "Paris"})
    rest(events_server, "PATCH", f"sobjects/Account/{rid}", {"BillingStreet": None})
    events = sub.events(3)
    sub.cancel()
    created, moved, cleared = (client.decode(e) for e in events)
    schema = schema_json(client, events[1].event.schema_id)
    fields = orjson.loads(schema)["fields"]
    names = [f["name"] for f in fields]

    # The schema: one nested Address record, defined at BillingAddress and named again at
    # ShippingAddress; no flat component fields at the top level.
    billing = fields[names.index("BillingAddress")]["type"]
    assert billing[0] == "null" and billing[1]["type"] == "record"
    assert billing[1]["name"] == "Address"
    assert [f["name"] for f in billing[1]["fields"]] == ADDRESS
    assert fields[names.index("ShippingAddress")]["type"] == ["null", "Address"]
    assert not {"BillingCity", "BillingStreet", "ShippingCity"} & set(names)

    assert created["ChangeEventHeader"]["changeType"] == "CREATE"
    assert created["BillingAddress"] == {
        **dict.fromkeys(ADDRESS),
        "Street": "1 Rue Neuve",
        "City": "Lyon",
    }
    assert created["ShippingAddress"] is None and created["Name"] == "Nested"

    header = moved["ChangeEventHeader"]
    position = names.index("BillingAddress")
    assert header["changedFields"][1:] == [f"{position}-0x02"]  # City is member 1
    assert sorted(process_bitmap(schema, header["changedFields"])) == [
        "BillingAddress.City",
        "LastModifiedDate",
    ]
    assert header["nulledFields"] == []
    assert moved["BillingAddress"] == {**dict.fromkeys(ADDRESS), "City": "Paris"}
    assert moved["Name"] is None and moved["ShippingAddress"] is None

    header = cleared["ChangeEventHeader"]
    assert process_bitmap(schema, header["nulledFields"]) == ["BillingAddress.Street"]
    assert header["nulledFields"] == [f"{position}-0x01"]  # no top-level field was nulled
    assert sorted(process_bitmap(schema, header["changedFields"])) == [
        "BillingAddress.Street",
        "LastModifiedDate",
    ]
    assert cleared["BillingAddress"] == dict.fromkeys(ADDRESS)

    # Only the event shape nests: REST and SOQL keep the flat component fields.
    record = rest(events_server, "GET", f"sobjects/Account/{rid}").json()
    assert record["BillingCity"] == "Paris" and record["BillingStreet"] is None
    query = "SELECT BillingCity FROM Account WHERE Name = 'Nested'"
    rows = rest(events_server, "GET", f"query?q={query}").json()["records"]
    assert rows[0]["BillingCity"] == "Paris"


def test_contact_name_is_a_nested_person_name(events_server: Server, client: Client) -> None:
    body = {"Salutation": "Ms.", "FirstName": "Ada", "LastName": "Lovelace"}
    rid, created, renamed, schema = create_then_update(
        events_server, client, "Contact", body, {"FirstName": "Augusta"}
    )
    names = [f["name"] for f in orjson.loads(schema)["fields"]]
    assert "Name" in names and not {"FirstName", "LastName", "Salutation"} & set(names)
    assert created["ChangeEventHeader"]["changeType"] == "CREATE"
    assert created["Name"] == {"Salutation": "Ms.", "FirstName": "Ada", "LastName": "Lovelace"}
    assert created["MailingAddress"] is None
    header = renamed["ChangeEventHeader"]
    # The full name the org derives changes too, but it has no field of its own in events.
    assert sorted(process_bitmap(schema, header["changedFields"])) == [
        "LastModifiedDate",
        "Name.FirstName",
    ]
    assert renamed["Name"] == {"Salutation": None, "FirstName": "Augusta", "LastName": None}
    record = rest(events_server, "GET", f"sobjects/Contact/{rid}").json()
    assert record["Name"] == "Augusta Lovelace" and record["FirstName"] == "Augusta"


def test_lead_name_parts_come_from_the_compound_flag(events_server: Server, client: Client) -> None:
    """Lead's name parts carry compoundFieldName Name in describe, and that flag alone
    decides the event shape: one PersonName record at Name, in Salesforce's order."""
    described = rest(events_server, "GET", "sobjects/Lead/describe").json()["fields"]
    flagged = [f["name"] for f in described if f["compoundFieldName"] == "Name"]
    assert sorted(flagged) == ["FirstName", "LastName", "Salutation"]
    body = {"FirstName": "Grace", "LastName": "Hopper", "Company": "Navy"}
    _, created, renamed, schema = create_then_update(
        events_server, client, "Lead", body, {"LastName": "Murray"}
    )
    fields = orjson.loads(schema)["fields"]
    names = [f["name"] for f in fields]
    record = fields[names.index("Name")]["type"][1]
    assert record["name"] == "PersonName"
    assert [f["name"] for f in record["fields"]] == ["Salutation", "FirstName", "LastName"]
    assert not set(flagged) & set(names)
    assert created["Name"] == {"Salutation": None, "FirstName": "Grace", "LastName": "Hopper"}
    assert created["Company"] == "Navy"
    header = renamed["ChangeEventHeader"]
    assert sorted(process_bitmap(schema, header["changedFields"])) == [
        "LastModifiedDate",
        "Name.LastName",
    ]
    assert renamed["Name"] == {"Salutation": None, "FirstName": None, "LastName": "Murray"}


def test_geolocation_field_is_nested(events_server: Server, client: Client) -> None:
    sub = live(client, "/data/Property__ChangeEvent")
    body = {"Name": "Villa", "Location__Latitude__s": 45.76, "Location__Longitude__s": 4.84}
    rid = rest(events_server, "POST", "sobjects/Property__c", body).json()["id"]
    rest(events_server, "PATCH", f"sobjects/Property__c/{rid}", {"Location__Longitude__s": 4.9})
    events = sub.events(2)
    sub.cancel()
    created, moved = (client.decode(e) for e in events)
    schema = schema_json(client, events[0].event.schema_id)
    location = next(f for f in orjson.loads(schema)["fields"] if f["name"] == "Location__c")
    assert [f["name"] for f in location["type"][1]["fields"]] == ["Latitude", "Longitude"]
    assert created["Location__c"] == {"Latitude": 45.76, "Longitude": 4.84}
    assert moved["Location__c"] == {"Latitude": None, "Longitude": 4.9}
    assert sorted(process_bitmap(schema, moved["ChangeEventHeader"]["changedFields"])) == [
        "LastModifiedDate",
        "Location__c.Longitude",
    ]
