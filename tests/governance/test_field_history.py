# ruff: noqa: S608 - SOQL sent to the server under test, built from ids it returned
"""Field history on a real server on each backend: rows for tracked fields only, with
old and new values, written by REST, Composite and Bulk 2.0 alike, queryable from the
history objects and through the ``Histories`` child relationship."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from support.rest import FIXTURES
from support.server import Server

PROJECT = FIXTURES / "sfdx-governance"


@pytest.fixture(scope="module")
def sf(server: Server, sf):  # type: ignore[no-untyped-def]
    server.cli("org", "deploy", str(PROJECT))
    return sf


def _history(sf, rid: str) -> list[tuple[str, str | None, str | None]]:  # type: ignore[no-untyped-def]
    rows = sf.query_all(
        f"SELECT Field, OldValue, NewValue, CreatedById, CreatedDate FROM Property__History "
        f"WHERE ParentId = '{rid}'"
    )["records"]
    assert all(r["CreatedById"] and r["CreatedDate"] for r in rows)
    return sorted((r["Field"], r["OldValue"], r["NewValue"]) for r in rows)


def test_tracked_fields_only_with_old_and_new_values(sf) -> None:  # type: ignore[no-untyped-def]
    rid = sf.Property__c.create({"Name": "H1", "Price__c": 100, "Beds__c": 2})["id"]
    assert _history(sf, rid) == [("created", None, None)]
    sf.Property__c.update(rid, {"Price__c": 120.5, "Beds__c": 3})  # Beds__c is not tracked
    sf.Property__c.update(rid, {"Status__c": "Under Agreement", "Broker__c": None})
    sf.Property__c.update(rid, {"Price__c": 120.5})  # no change, no row
    assert _history(sf, rid) == [
        ("Price__c", "100", "120.5"),
        ("Status__c", "Available", "Under Agreement"),
        ("created", None, None),
    ]


def test_standard_object_history(sf) -> None:  # type: ignore[no-untyped-def]
    acct = sf.Account.create({"Name": "Hist Co", "Tier__c": "Gold"})["id"]
    sf.Account.update(acct, {"Tier__c": "Silver", "Customer_Number__c": "CN-H1"})
    rows = sf.query(
        f"SELECT Field, OldValue, NewValue FROM AccountHistory WHERE AccountId = '{acct}' "
        "AND Field = 'Tier__c'"
    )["records"]
    assert [(r["Field"], r["OldValue"], r["NewValue"]) for r in rows] == [
        ("Tier__c", "Gold", "Silver")
    ]
    assert sf.query("SELECT COUNT() FROM ContactHistory")["totalSize"] == 0  # tracks nothing


def test_histories_child_relationship(sf) -> None:  # type: ignore[no-untyped-def]
    rid = sf.Property__c.create({"Name": "H2", "Price__c": 1})["id"]
    sf.Property__c.update(rid, {"Price__c": 2})
    got = sf.query(
        f"SELECT Name, (SELECT Field, NewValue FROM Histories WHERE Field = 'Price__c') "
        f"FROM Property__c WHERE Id = '{rid}'"
    )["records"][0]
    assert [(h["Field"], h["NewValue"]) for h in got["Histories"]["records"]] == [("Price__c", "2")]


def test_composite_and_bulk_write_history_too(sf, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rid = sf.Property__c.create({"Name": "H3", "Price__c": 10})["id"]
    sf.restful(
        "composite/sobjects",
        method="PATCH",
        json={"allOrNone": True, "records": [
            {"attributes": {"type": "Property__c"}, "id": rid, "Price__c": 11}]},
    )  # fmt: skip
    path = tmp_path / "update.csv"
    path.write_text(f"Id,Price__c,Status__c\n{rid},12,Under Agreement\n")
    res = sf.bulk2.Property__c.update(csv_file=str(path), wait=0.2)
    assert res[0]["numberRecordsFailed"] == 0
    assert _history(sf, rid) == [
        ("Price__c", "10", "11"),
        ("Price__c", "11", "12"),
        ("Status__c", "Available", "Under Agreement"),
        ("created", None, None),
    ]
    # A refused write leaves no history behind.
    bad = tmp_path / "bad.csv"
    bad.write_text(f"Id,Price__c\n{rid},-1\n")
    res = sf.bulk2.Property__c.update(csv_file=str(bad), wait=0.2)
    assert res[0]["numberRecordsFailed"] == 1
    assert len(_history(sf, rid)) == 4
    rows = list(
        csv.DictReader(io.StringIO(sf.bulk2.Property__c.get_failed_records(res[0]["job_id"])))
    )
    assert rows[0]["sf__Error"].startswith("FIELD_CUSTOM_VALIDATION_EXCEPTION")


def test_deleting_a_record_takes_its_history_along(sf) -> None:  # type: ignore[no-untyped-def]
    rid = sf.Property__c.create({"Name": "H4", "Price__c": 1})["id"]
    sf.Property__c.update(rid, {"Price__c": 2})
    assert len(_history(sf, rid)) == 2
    assert sf.Property__c.delete(rid) == 204
    assert _history(sf, rid) == []
