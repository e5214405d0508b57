"""Formula fields of an SFDX project, deployed to a real server on each backend: their
values come back computed, with the field's type and scale, through REST retrieve,
SOQL (top level and through a parent relationship), Bulk 2.0 query; a formula default
fills a create; a formula that does not parse refuses the whole deploy, with its line
and column."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from support.rest import FIXTURES
from support.server import Server

PROJECT = FIXTURES / "sfdx-governance"


@pytest.fixture(scope="module")
def org(server: Server, sf):  # type: ignore[no-untyped-def]
    server.cli("org", "deploy", str(PROJECT))
    today = datetime.now(UTC).date()
    broker = sf.Broker__c.create(
        {"Name": "Jane Roe", "Broker_Id__c": "B-1", "Email__c": "jane@example.com"}
    )["id"]
    big = sf.Property__c.create(
        {
            "Name": "12 Elm St",
            "Price__c": 450000,
            "Beds__c": 4,
            "Broker__c": broker,
            "Status__c": "Available",
            "Listed_Date__c": (today - timedelta(days=10)).isoformat(),
            "Picture__c": "https://cdn.example.com/elm.jpg",
        }
    )["id"]
    small = sf.Property__c.create({"Name": "3 Oak Ave", "Price__c": 99999.99, "Beds__c": 1})["id"]
    return sf, {"broker": broker, "big": big, "small": small, "today": today}


def test_rest_retrieve_computes_every_kind(org) -> None:  # type: ignore[no-untyped-def]
    sf, ids = org
    got = sf.Property__c.get(ids["big"])
    assert got["Days_On_Market__c"] == 10
    assert got["Picture_Image__c"] == (
        '<img src="https://cdn.example.com/elm.jpg" alt="Picture" border="0"/>'
    )
    assert got["Broker_Email__c"] == "jane@example.com"  # through the lookup
    assert got["Commission__c"] == 13500.0
    assert got["Is_Large__c"] is True
    assert got["Price_Per_Bed__c"] == 112500.0
    assert got["Listing_Label__c"] == "12 Elm St (Available, 4 beds)"


def test_blanks_scale_and_formula_default(org) -> None:  # type: ignore[no-untyped-def]
    sf, ids = org
    got = sf.Property__c.get(ids["small"])
    # Listed_Date__c's default is the formula TODAY(), evaluated on create.
    assert got["Listed_Date__c"] == ids["today"].isoformat()
    assert got["Days_On_Market__c"] == 0
    assert got["Picture_Image__c"] is None  # IF(ISBLANK(...), '', ...): blank text
    assert got["Broker_Email__c"] is None  # no broker
    assert got["Commission__c"] == 3000.0  # 2999.9997 at scale 2, half up
    assert got["Is_Large__c"] is False
    assert got["Listing_Label__c"] == "3 Oak Ave (Available, 1 beds)"  # picklist default


def test_values_follow_the_record(org) -> None:  # type: ignore[no-untyped-def]
    sf, ids = org
    sf.Property__c.update(ids["small"], {"Beds__c": 5, "Price__c": 100000})
    got = sf.Property__c.get(ids["small"], params={"fields": "Commission__c,Is_Large__c"})
    assert got["Commission__c"] == 3000.0 and got["Is_Large__c"] is True
    assert set(got) == {"attributes", "Commission__c", "Is_Large__c"}
    sf.Property__c.update(ids["small"], {"Beds__c": 1, "Price__c": 99999.99})


def test_soql_select_and_parent_relationship(org) -> None:  # type: ignore[no-untyped-def]
    sf, ids = org
    rows = sf.query(
        "SELECT Name, Commission__c, Days_On_Market__c, Broker_Email__c FROM Property__c "
        "ORDER BY Name"
    )["records"]
    assert [(r["Name"], r["Commission__c"], r["Days_On_Market__c"]) for r in rows] == [
        ("12 Elm St", 13500.0, 10),
        ("3 Oak Ave", 3000.0, 0),
    ]
    assert rows[0]["Broker_Email__c"] == "jane@example.com"
    sf.Offer__c.create({"Property__c": ids["big"], "Amount__c": 440000})
    offers = sf.query("SELECT Amount__c, Property__r.Commission__c FROM Offer__c")["records"]
    assert offers[0]["Property__r"]["Commission__c"] == 13500.0


def test_bulk_query_results(org) -> None:  # type: ignore[no-untyped-def]
    sf, _ = org
    pages = list(
        sf.bulk2.Property__c.query(
            "SELECT Name, Commission__c, Is_Large__c FROM Property__c ORDER BY Name", wait=0.2
        )
    )
    rows = [r for p in pages for r in csv.DictReader(io.StringIO(p))]
    assert [(r["Name"], float(r["Commission__c"]), r["Is_Large__c"]) for r in rows] == [
        ("12 Elm St", 13500.0, "true"),
        ("3 Oak Ave", 3000.0, "false"),
    ]


def test_a_bad_formula_refuses_the_deploy(org, server: Server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sf, _ = org
    broken = tmp_path / "broken"
    shutil.copytree(PROJECT, broken)
    fields = broken / "force-app/main/default/objects/Property__c/fields"
    (fields / "Bad__c.field-meta.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">\n'
        "    <fullName>Bad__c</fullName>\n"
        "    <formula>IF(Beds__c &gt; 2,\n   Price__c * 2</formula>\n"
        "    <label>Bad</label>\n    <type>Number</type>\n</CustomField>\n"
    )
    (fields / "Also_New__c.field-meta.xml").write_text(
        (fields / "Picture__c.field-meta.xml").read_text().replace("Picture__c", "Also_New__c")
    )
    out = server.cli("org", "deploy", str(broken), check=False)
    assert out.returncode != 0
    assert "Property__c.Bad__c: Syntax error. Missing ')' (Line: 2, Column: 16)" in out.stderr
    names = {f["name"] for f in sf.Property__c.describe()["fields"]}
    assert "Bad__c" not in names and "Also_New__c" not in names  # nothing deployed


def test_soql_filters_and_sorts_on_formulas(org) -> None:  # type: ignore[no-untyped-def]
    sf, _ = org

    def names(soql: str) -> list[str]:
        return [r["Name"] for r in sf.query_all(soql)["records"]]

    assert names("SELECT Name FROM Property__c WHERE Commission__c > 5000") == ["12 Elm St"]
    assert names("SELECT Name FROM Property__c WHERE Commission__c = 3000") == ["3 Oak Ave"]
    assert names("SELECT Name FROM Property__c WHERE Is_Large__c = true") == ["12 Elm St"]
    assert names("SELECT Name FROM Property__c WHERE Is_Large__c = false") == ["3 Oak Ave"]
    assert names("SELECT Name FROM Property__c WHERE Days_On_Market__c >= 10") == ["12 Elm St"]
    assert names("SELECT Name FROM Property__c ORDER BY Days_On_Market__c LIMIT 1") == ["3 Oak Ave"]
    assert names("SELECT Name FROM Property__c ORDER BY Commission__c DESC") == [
        "12 Elm St",
        "3 Oak Ave",
    ]
    # Through the lookup (a correlated subquery), case-insensitive as SOQL compares text.
    assert names("SELECT Name FROM Property__c WHERE Broker_Email__c = 'JANE@example.com'") == [
        "12 Elm St"
    ]
    assert names("SELECT Name FROM Property__c WHERE Broker_Email__c = null") == ["3 Oak Ave"]
    assert names("SELECT Name FROM Property__c WHERE Picture_Image__c != null") == ["12 Elm St"]
    assert names("SELECT Name FROM Property__c WHERE Price_Per_Bed__c > 100000") == ["12 Elm St"]
    # Through a parent relationship in WHERE.
    rows = sf.query("SELECT Amount__c FROM Offer__c WHERE Property__r.Is_Large__c = true")
    assert rows["totalSize"] == 1


def test_a_formula_without_sql_form_is_refused_not_filtered_late(org) -> None:  # type: ignore[no-untyped-def]
    sf, _ = org
    from simple_salesforce.exceptions import SalesforceMalformedRequest

    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.query("SELECT Name FROM Property__c WHERE Listing_Label__c LIKE '12%' LIMIT 1")
    err = info.value.content[0]
    assert err["errorCode"] == "INVALID_FIELD"
    assert "Listing_Label__c" in err["message"]


def test_roll_up_summaries_follow_the_children(org) -> None:  # type: ignore[no-untyped-def]
    sf, _ = org
    rid = sf.Property__c.create({"Name": "Roll Up Rd", "Price__c": 1000})["id"]
    got = sf.Property__c.get(rid)
    assert (got["Offer_Count__c"], got["Top_Offer__c"], got["Accepted_Total__c"]) == (0, None, 0)
    offers = [
        sf.Offer__c.create({"Property__c": rid, "Amount__c": a, "Accepted__c": ok})["id"]
        for a, ok in ((900, False), (950, True), (990.5, True))
    ]
    got = sf.Property__c.get(rid)
    assert (got["Offer_Count__c"], got["Top_Offer__c"], got["Accepted_Total__c"]) == (
        3, 990.5, 1940.5,
    )  # fmt: skip
    sf.Offer__c.delete(offers[2])
    rows = sf.query(
        "SELECT Offer_Count__c, Top_Offer__c, Accepted_Total__c FROM Property__c "
        "WHERE Name = 'Roll Up Rd'"
    )["records"]
    assert (rows[0]["Offer_Count__c"], rows[0]["Top_Offer__c"], rows[0]["Accepted_Total__c"]) == (
        2, 950.0, 950.0,
    )  # fmt: skip
