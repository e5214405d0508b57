"""Unmodified simple-salesforce against a real server on each backend: ``query``,
``query_more`` (by locator and by URL), ``query_all`` with a parent relationship and a
child subquery, queryAll with deleted rows, and ``Sforce-Query-Options: batchSize``,
over 5,000 Contacts under 50 Accounts."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from support.server import Server
from switchboard.core.settings import load
from switchboard.org.dml.context import WriteContext
from switchboard.org.runtime import Org

ACCOUNTS = 50
TOTAL = 5000
DELETED = 10
NEXT_URL = re.compile(r"^/services/data/v59\.0/query/(01g\w+-(\d+))$")


def account_of(i: int) -> str:
    return f"Q{i % ACCOUNTS:02d}"


@pytest.fixture(scope="module")
def loaded(server: Server, sf: Any) -> list[str]:
    """The rows, written straight into the server's database from this process (the
    REST API would take minutes for 5,000 records); Contact ids in LastName order."""
    org = Org.open(load(data_dir=server.data_dir, db=server.db))
    try:
        assert org.boot is not None
        ctx = WriteContext(org.boot.admin_user_id)

        def work(conn: Any) -> list[str]:
            accounts = org.dml.insert(
                conn,
                ctx,
                org.schema.object("Account"),
                [{"Name": f"Q{a:02d}"} for a in range(ACCOUNTS)],
            )
            contacts = org.dml.insert(
                conn,
                ctx,
                org.schema.object("Contact"),
                [
                    {"LastName": f"L{i:04d}", "AccountId": accounts[i % ACCOUNTS].id}
                    for i in range(TOTAL)
                ],
            )
            assert all(o.success for o in [*accounts, *contacts])
            return [str(o.id) for o in contacts]

        return org.store.write(work)
    finally:
        org.close()


def names(records: list[dict[str, Any]]) -> list[str]:
    return [r["LastName"] for r in records]


def test_query_then_query_more_by_locator_and_by_url(sf: Any, loaded: list[str]) -> None:
    first = sf.query("SELECT Id, LastName FROM Contact ORDER BY LastName")
    assert first["totalSize"] == TOTAL and first["done"] is False
    assert names(first["records"]) == [f"L{i:04d}" for i in range(2000)]
    assert first["records"][0]["attributes"]["type"] == "Contact"
    match = NEXT_URL.match(first["nextRecordsUrl"])
    assert match and match.group(2) == "2000", first["nextRecordsUrl"]

    second = sf.query_more(match.group(1))  # the locator alone, as Apex-era code passes it
    assert second["totalSize"] == TOTAL and second["done"] is False
    assert names(second["records"]) == [f"L{i:04d}" for i in range(2000, 4000)]
    assert second["nextRecordsUrl"].endswith("-4000")

    third = sf.query_more(second["nextRecordsUrl"], identifier_is_url=True)
    assert third["done"] is True and "nextRecordsUrl" not in third
    assert names(third["records"]) == [f"L{i:04d}" for i in range(4000, TOTAL)]
    assert [r["Id"] for r in first["records"] + second["records"] + third["records"]] == loaded


def test_query_all_with_parent_fields(sf: Any, loaded: list[str]) -> None:
    reply = sf.query_all("SELECT Id, LastName, Account.Name FROM Contact")
    assert reply["totalSize"] == TOTAL and reply["done"] is True
    records = reply["records"]
    assert len(records) == TOTAL
    assert sorted(r["Id"] for r in records) == sorted(loaded)
    for r in records:
        assert r["Account"]["attributes"]["type"] == "Account"
        assert r["Account"]["Name"] == account_of(int(r["LastName"][1:])), r


def test_query_all_with_child_subquery(sf: Any, loaded: list[str]) -> None:
    reply = sf.query_all(
        "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName) "
        "FROM Account WHERE Name LIKE 'Q%' ORDER BY Name"
    )
    assert reply["totalSize"] == ACCOUNTS and reply["done"] is True
    assert [r["Name"] for r in reply["records"]] == [f"Q{a:02d}" for a in range(ACCOUNTS)]
    for a, account in enumerate(reply["records"]):
        children = account["Contacts"]
        expected = [f"L{i:04d}" for i in range(a, TOTAL, ACCOUNTS)]
        assert children["totalSize"] == len(expected) and children["done"] is True
        assert names(children["records"]) == expected


def test_batch_size_header(server: Server, loaded: list[str]) -> None:
    http = requests.Session()
    http.headers.update(
        {"Authorization": f"Bearer {server.token()}", "Sforce-Query-Options": "batchSize=500"}
    )
    page = http.get(
        f"{server.instance_url}/services/data/v59.0/query/",
        params={"q": "SELECT LastName FROM Contact ORDER BY LastName DESC"},
    ).json()
    seen: list[str] = []
    sizes: list[int] = []
    while True:
        assert page["totalSize"] == TOTAL
        sizes.append(len(page["records"]))
        seen += names(page["records"])
        if page["done"]:
            break
        page = http.get(server.instance_url + page["nextRecordsUrl"]).json()
    assert sizes == [500] * (TOTAL // 500)
    assert seen == [f"L{i:04d}" for i in reversed(range(TOTAL))]


def test_query_all_include_deleted(sf: Any, loaded: list[str]) -> None:
    gone = loaded[:DELETED]
    for record_id in gone:
        assert sf.Contact.delete(record_id) == 204
    live = sf.query_all("SELECT Id FROM Contact")
    assert live["totalSize"] == TOTAL - DELETED and len(live["records"]) == TOTAL - DELETED
    everything = sf.query_all("SELECT Id, IsDeleted FROM Contact", include_deleted=True)
    assert everything["totalSize"] == TOTAL and len(everything["records"]) == TOTAL
    assert sorted(r["Id"] for r in everything["records"] if r["IsDeleted"]) == sorted(gone)
    first = sf.query("SELECT Id FROM Contact ORDER BY LastName", include_deleted=True)
    assert first["totalSize"] == TOTAL and len(first["records"]) == 2000
    rest = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True, include_deleted=True)
    assert [r["Id"] for r in first["records"] + rest["records"]] == loaded[:4000]
    count = sf.query("SELECT COUNT() FROM Contact WHERE IsDeleted = true", include_deleted=True)
    assert count == {"totalSize": DELETED, "done": True, "records": []}
