"""``sf data import tree`` and ``sf data export tree`` from the official Salesforce CLI
against a real ``switchboard up --tls`` on SQLite (one backend is enough for the CLI's own
behaviour), over the realty SFDX project.

The CLI drives ``POST composite/tree/{T}``: with ``--plan`` it sends one request per plan
file, replacing each ``@ref`` with the id an earlier request gave back; with ``--files``
it sends records with their children nested under the child relationship names. Every
record is then read back over REST, so the ids and the parent links the CLI reports are
the ones the org stored.

Skipped unless ``sf`` is installed (on PATH, or named by SWITCHBOARD_SF_CLI); see
tests/support/sf_cli.py for how to install it.
"""

# ruff: noqa: S608 - the strings built here are SOQL sent to the org, never SQL

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from simple_salesforce import Salesforce

from support.rest import FIXTURES
from support.server import Server
from support.sf_cli import REQUIRES_SF, SfSession, sf_session, simple_salesforce, sqlite_server

pytestmark = REQUIRES_SF

PLAN = FIXTURES / "plans" / "realty" / "data-plan.json"
NESTED = FIXTURES / "trees" / "broker-properties-offers.json"
ID18 = re.compile(r"[a-zA-Z0-9]{18}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, local_ca: Path) -> Iterator[Server]:
    srv = sqlite_server(tmp_path_factory, local_ca, "sf-data-tree", fixture="sfdx-realty")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def cli(server: Server, tmp_path_factory: pytest.TempPathFactory) -> SfSession:
    return sf_session(server, tmp_path_factory)


@pytest.fixture(scope="module")
def rest(server: Server) -> Salesforce:
    return simple_salesforce(server)


@pytest.fixture(scope="module")
def imported(cli: SfSession) -> dict[str, tuple[str, str]]:
    """``sf data import tree --plan`` of the realty plan: (type, id) by referenceId."""
    result = cli.ok("data", "import", "tree", "--plan", str(PLAN))
    assert [(r["refId"], r["type"]) for r in result] == [
        ("Broker__cRef1", "Broker__c"),
        ("Broker__cRef2", "Broker__c"),
        ("Property__cRef1", "Property__c"),
        ("Property__cRef2", "Property__c"),
        ("Property__cRef3", "Property__c"),
    ]
    assert all(ID18.fullmatch(r["id"]) for r in result)
    assert len({r["id"] for r in result}) == len(result)
    return {r["refId"]: (r["type"], r["id"]) for r in result}


def plan_records(plan: Path) -> list[dict[str, Any]]:
    """The records of every file a data plan names, in plan order."""
    out: list[dict[str, Any]] = []
    for part in json.loads(plan.read_text()):
        for name in part["files"]:
            out += json.loads((plan.parent / name).read_text())["records"]
    return out


def fetch(rest: Salesforce, type_name: str, record_id: str, fields: list[str]) -> dict[str, Any]:
    """One record's fields, read with SOQL (not through the id the CLI printed alone)."""
    soql = f"SELECT Id, {', '.join(fields)} FROM {type_name} WHERE Id = '{record_id}'"
    records = rest.query(soql)["records"]
    assert len(records) == 1, (soql, records)
    record: dict[str, Any] = records[0]
    assert record["attributes"]["type"] == type_name
    return record


def test_import_plan_stores_records_and_parent_links(
    rest: Salesforce, imported: dict[str, tuple[str, str]]
) -> None:
    for wanted in plan_records(PLAN):
        type_name, record_id = imported[wanted["attributes"]["referenceId"]]
        assert type_name == wanted["attributes"]["type"]
        fields = [k for k in wanted if k != "attributes"]
        got = fetch(rest, type_name, record_id, fields)
        for name in fields:
            value = wanted[name]
            if isinstance(value, str) and value.startswith("@"):
                value = imported[value[1:]][1]  # a reference: the parent's new id
            assert got[name] == value, (wanted["attributes"], name)

    # The children are reachable from their parents too, by relationship name.
    brokers = rest.query_all(
        "SELECT Broker_Id__c, (SELECT Name FROM Properties__r ORDER BY Name) FROM Broker__c "
        "WHERE Broker_Id__c LIKE 'PLAN-%' ORDER BY Broker_Id__c"
    )["records"]
    assert [
        (b["Broker_Id__c"], [p["Name"] for p in b["Properties__r"]["records"]]) for b in brokers
    ] == [("PLAN-B1", ["18 Henry St", "72 Francis St"]), ("PLAN-B2", ["24 Pearl St"])]


def _natural(records: list[dict[str, Any]], key_of: dict[str, str]) -> list[dict[str, Any]]:
    """Records without attributes or nulls, each ``@ref`` replaced by the referenced
    record's natural key, in a stable order: comparable across imports and exports."""
    out = []
    for r in records:
        row = {}
        for k, v in r.items():
            if k == "attributes" or v is None:
                continue
            row[k] = key_of[v[1:]] if isinstance(v, str) and v.startswith("@") else v
        out.append(row)
    return sorted(out, key=lambda row: json.dumps(row, sort_keys=True))


def _by_type(plan: Path) -> dict[str, list[dict[str, Any]]]:
    records = plan_records(plan)
    key_of = {
        r["attributes"]["referenceId"]: r.get("Broker_Id__c") or r.get("Name") for r in records
    }
    out: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        out.setdefault(r["attributes"]["type"], []).append(r)
    return {t: _natural(rs, key_of) for t, rs in out.items()}


def test_export_tree_plan_gives_back_what_was_imported(
    cli: SfSession, imported: dict[str, tuple[str, str]], tmp_path: Path
) -> None:
    """``sf data export tree --plan`` reads parents with a child subquery and writes a
    plan with references again: the same records as the plan that was imported."""
    soql = (
        "SELECT Name, Broker_Id__c, Email__c, "
        "(SELECT Name, City__c, Price__c FROM Properties__r ORDER BY Name) "
        "FROM Broker__c WHERE Broker_Id__c LIKE 'PLAN-%' ORDER BY Broker_Id__c"
    )
    out = tmp_path / "export"
    result = cli.ok("data", "export", "tree", "--query", soql, "--plan", "--output-dir", str(out))
    assert result == [
        {"sobject": "Broker__c", "files": ["Broker__c.json"]},
        {"sobject": "Property__c", "files": ["Property__c.json"]},
    ]
    (plan,) = out.glob("*plan.json")
    assert _by_type(plan) == _by_type(PLAN)


def test_import_nested_tree_files(cli: SfSession, rest: Salesforce) -> None:
    """``--files``: grandchildren nested under child relationship names, one request."""
    result = cli.ok("data", "import", "tree", "--files", str(NESTED))
    got = {r["refId"]: (r["type"], r["id"]) for r in result}
    assert {ref: t for ref, (t, _) in got.items()} == {
        "BrokerRef1": "Broker__c",
        "BrokerRef2": "Broker__c",
        "PropertyRef1": "Property__c",
        "PropertyRef2": "Property__c",
        "OfferRef1": "Offer__c",
        "OfferRef2": "Offer__c",
    }
    assert len(result) == len(got)
    ids = {ref: i for ref, (_, i) in got.items()}

    props = rest.query_all(
        "SELECT Id, Name, Price__c, Broker__c FROM Property__c "
        "WHERE Broker__r.Broker_Id__c = 'TREE-B1' ORDER BY Name"
    )["records"]
    assert [(p["Id"], p["Name"], p["Price__c"], p["Broker__c"]) for p in props] == [
        (ids["PropertyRef1"], "5 Elm St", 510000, ids["BrokerRef1"]),
        (ids["PropertyRef2"], "7 Elm St", 530000, ids["BrokerRef1"]),
    ]
    offers = rest.query_all(
        "SELECT Id, Name, Amount__c, Offer_Date__c, Accepted__c, Property__c, "
        "Property__r.Broker__r.Broker_Id__c FROM Offer__c "
        "WHERE Property__r.Name = '7 Elm St' ORDER BY Amount__c"
    )["records"]
    assert [
        (o["Id"], o["Amount__c"], o["Offer_Date__c"], o["Accepted__c"], o["Property__c"])
        for o in offers
    ] == [
        (ids["OfferRef1"], 500000, "2024-03-01", False, ids["PropertyRef2"]),
        (ids["OfferRef2"], 525000, "2024-03-04", True, ids["PropertyRef2"]),
    ]
    assert all(o["Property__r"]["Broker__r"]["Broker_Id__c"] == "TREE-B1" for o in offers)
    assert all(re.fullmatch(r"OFR-\d{4}", o["Name"]) for o in offers)  # auto-number names
    lone = fetch(rest, "Broker__c", ids["BrokerRef2"], ["Name", "Broker_Id__c"])
    assert (lone["Name"], lone["Broker_Id__c"]) == ("Amir Haddad", "TREE-B2")


def test_import_with_a_bad_record_creates_nothing(
    cli: SfSession, rest: Salesforce, tmp_path: Path
) -> None:
    """The tree request is all or none: the CLI reports the failing referenceId with the
    org's errorCode and field, and the good record beside it is not kept."""
    records = [
        {
            "attributes": {"type": "Broker__c", "referenceId": "Broker__cRef1"},
            "Name": "Good Broker",
            "Broker_Id__c": "BAD-1",
        },
        {
            "attributes": {"type": "Broker__c", "referenceId": "Broker__cRef2"},
            "Name": "Bad Broker",
            "Broker_Id__c": "BAD-2",
            "Title__c": "Wizard",  # not a value of the restricted picklist
        },
    ]
    (tmp_path / "Broker__c.json").write_text(json.dumps({"records": records}))
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps([{"sobject": "Broker__c", "files": ["Broker__c.json"]}]))

    run = cli.run("data", "import", "tree", "--plan", str(plan))
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.json["status"] == 1 and run.json["message"] == "Data Import failed"
    (failure,) = run.json["data"]
    assert failure["referenceId"] == "Broker__cRef2"
    assert failure["StatusCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert failure["fields"] == "Title__c" and "Wizard" in failure["Message"]
    assert rest.query("SELECT COUNT() FROM Broker__c WHERE Broker_Id__c LIKE 'BAD-%'") == {
        "totalSize": 0,
        "done": True,
        "records": [],
    }
