"""Records exactly as Salesforce lays them out, on each backend: attributes first with
the record's URL, fields in SELECT order, a parent as a nested record (null when the
lookup is empty), an address as one compound value (null when every part is), child
subqueries as nested query replies in their own order and limit, and values in their
wire form (numbers, booleans, dates, datetimes)."""

from __future__ import annotations

from typing import Any

import pytest

from switchboard.org.dml.context import WriteContext
from switchboard.org.soql.engine import QueryEngine

V = "/services/data/v59.0/sobjects"


@pytest.fixture(scope="module")
def data(blank: Any) -> tuple[Any, dict[str, str]]:
    org = blank
    assert org.boot is not None
    ctx = WriteContext(org.boot.admin_user_id)
    acme = org.create(
        ctx,
        "Account",
        {
            "Name": "Acme",
            "BillingCity": "Springfield",
            "BillingStreet": "1 Main St",
            "NumberOfEmployees": 12,
            "AnnualRevenue": 1500,
        },
    )
    bare = org.create(ctx, "Account", {"Name": "Bare"})
    ids = {"acme": acme, "bare": bare}
    for name, account, born in [
        ("Cole", acme, "1980-05-01"),
        ("Abel", acme, None),
        ("Bass", acme, "1990-12-31"),
        ("Lone", None, None),
    ]:
        ids[name] = org.create(
            ctx,
            "Contact",
            {"LastName": name, "AccountId": account, "Birthdate": born, "DoNotCall": born is None},
        )
    return org, ids


def query(org: Any, text: str) -> list[dict[str, Any]]:
    reply = QueryEngine(org).query(text, version="59.0")
    assert reply["done"] is True and reply["totalSize"] == len(reply["records"])
    records: list[dict[str, Any]] = reply["records"]
    return records


def test_parent_fields_nest_and_are_null_without_a_parent(data: Any) -> None:
    org, ids = data
    got = query(
        org,
        "SELECT LastName, Account.Name, Account.NumberOfEmployees FROM Contact "
        "WHERE LastName IN ('Cole', 'Lone') ORDER BY LastName",
    )
    assert got == [
        {
            "attributes": {"type": "Contact", "url": f"{V}/Contact/{ids['Cole']}"},
            "LastName": "Cole",
            "Account": {
                "attributes": {"type": "Account", "url": f"{V}/Account/{ids['acme']}"},
                "Name": "Acme",
                "NumberOfEmployees": 12,
            },
        },
        {
            "attributes": {"type": "Contact", "url": f"{V}/Contact/{ids['Lone']}"},
            "LastName": "Lone",
            "Account": None,
        },
    ]
    assert list(got[0]) == ["attributes", "LastName", "Account"]


def test_wire_values(data: Any) -> None:
    org, ids = data
    got = query(
        org,
        "SELECT Id, Birthdate, DoNotCall, CreatedDate, Account.AnnualRevenue FROM Contact "
        "WHERE LastName = 'Cole'",
    )
    (record,) = got
    assert record["Id"] == ids["Cole"]
    assert record["Birthdate"] == "1980-05-01"
    assert record["DoNotCall"] is False
    assert record["Account"]["AnnualRevenue"] == 1500.0
    assert isinstance(record["Account"]["AnnualRevenue"], float)
    assert len(record["CreatedDate"]) == len("2024-05-15T09:30:00.000+0000")
    assert record["CreatedDate"].endswith("+0000")


def test_address_is_one_value_null_when_empty(data: Any) -> None:
    org, _ = data
    got = query(org, "SELECT Name, BillingAddress FROM Account ORDER BY Name")
    acme, bare = (r["BillingAddress"] for r in got)
    assert acme is not None
    assert acme["city"] == "Springfield" and acme["street"] == "1 Main St"
    assert acme["postalCode"] is None
    assert bare is None


def test_child_subquery_records_in_their_order_and_limit(data: Any) -> None:
    org, ids = data
    got = query(
        org,
        "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName DESC LIMIT 2) "
        "FROM Account ORDER BY Name",
    )
    acme, bare = got
    assert acme["Contacts"] == {
        "totalSize": 2,
        "done": True,
        "records": [
            {
                "attributes": {"type": "Contact", "url": f"{V}/Contact/{ids['Cole']}"},
                "LastName": "Cole",
            },
            {
                "attributes": {"type": "Contact", "url": f"{V}/Contact/{ids['Bass']}"},
                "LastName": "Bass",
            },
        ],
    }
    assert bare["Contacts"] is None
    unlimited = query(org, "SELECT (SELECT LastName FROM Contacts) FROM Account ORDER BY Name")
    names = [r["LastName"] for r in unlimited[0]["Contacts"]["records"]]
    assert sorted(names) == ["Abel", "Bass", "Cole"]
    assert unlimited[0]["Contacts"]["totalSize"] == 3


def test_aggregate_pages_through_a_locator(data: Any) -> None:
    """More groups than a page: the first page, then the rest by locator; the query's
    own LIMIT and OFFSET cut the groups before paging."""
    org, _ = data
    assert org.boot is not None
    ctx = WriteContext(org.boot.admin_user_id)
    for i in range(250):
        org.create(ctx, "Lead", {"LastName": f"G{i:03d}", "Company": "C"})
    org.create(ctx, "Lead", {"LastName": "G007", "Company": "C"})
    engine = QueryEngine(org)
    text = "SELECT LastName, COUNT(Id) n FROM Lead GROUP BY LastName ORDER BY LastName"
    first = engine.query(text, version="59.0", batch=200)
    assert (first["totalSize"], first["done"], len(first["records"])) == (250, False, 200)
    assert first["records"][7] == {
        "attributes": {"type": "AggregateResult"},
        "LastName": "G007",
        "n": 2,
    }
    token = first["nextRecordsUrl"].rsplit("/", 1)[1]
    rest = engine.more(token, version="59.0")
    assert (rest["totalSize"], rest["done"]) == (250, True)
    assert [r["LastName"] for r in rest["records"]] == [f"G{i:03d}" for i in range(200, 250)]
    window = engine.query(text + " LIMIT 3 OFFSET 6", version="59.0", batch=200)
    assert window["totalSize"] == 3
    assert [(r["LastName"], r["n"]) for r in window["records"]] == [
        ("G006", 1),
        ("G007", 2),
        ("G008", 1),
    ]


def test_person_name_is_text_and_its_parts_are_fields(data: Any) -> None:
    """Contact.Name is a compound in describe, yet queries return it as the text the org
    made, with Salutation, FirstName and LastName as fields of their own, FIELDS() too."""
    org, _ = data
    assert org.boot is not None
    ctx = WriteContext(org.boot.admin_user_id)
    rid = org.create(
        ctx, "Contact", {"Salutation": "Dr.", "FirstName": "Ada", "LastName": "Lovelace"}
    )
    (record,) = query(
        org,
        "SELECT Name, Salutation, FirstName, LastName FROM Contact WHERE Name = 'Ada Lovelace'",
    )
    assert record == {
        "attributes": {"type": "Contact", "url": f"{V}/Contact/{rid}"},
        "Name": "Ada Lovelace",
        "Salutation": "Dr.",
        "FirstName": "Ada",
        "LastName": "Lovelace",
    }
    (full,) = query(org, "SELECT FIELDS(STANDARD) FROM Contact WHERE LastName = 'Lovelace'")
    names = [k for k in full if k in ("LastName", "FirstName", "Salutation", "Name")]
    assert names == ["LastName", "FirstName", "Salutation", "Name"]  # describe order
    assert (full["Name"], full["FirstName"], full["Salutation"]) == ("Ada Lovelace", "Ada", "Dr.")
    # Unchanged by the person name: an address still stands for its components there.
    assert "MailingAddress" in full and "MailingCity" not in full
