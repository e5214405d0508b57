"""``sf data query`` from the official Salesforce CLI against a real ``switchboard up --tls``
on SQLite (one backend is enough for the CLI's own behaviour): a child subquery, a parent
relationship path, an aggregate, the CSV output built from the ``columns=true`` metadata
the CLI fetches beside each query, and a malformed query.

The CLI tests are skipped unless ``sf`` is installed (on PATH, or named by
SWITCHBOARD_SF_CLI; see tests/support/sf_cli.py for how to install it); the check of the
``columns=true`` reply itself runs without it.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from support.server import Server
from support.sf_cli import REQUIRES_SF, sf, sf_login, sf_run, sqlite_server
from switchboard.core.settings import load
from switchboard.org.dml.context import WriteContext
from switchboard.org.runtime import Org

# Account name -> its Contacts' last names; None is a Contact without an Account.
ORG_DATA: dict[str | None, list[str]] = {
    "Globex": ["Brown"],
    "acme": ["Smith", "Jones"],
    "Beta": [],
    None: ["Orphan"],
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, local_ca: Path) -> Iterator[Server]:
    srv = sqlite_server(tmp_path_factory, local_ca, "sf-data-query")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def seeded(server: Server) -> dict[str, str]:
    """The Accounts and Contacts, written into the server's database; Account ids by name."""
    org = Org.open(load(data_dir=server.data_dir, db=server.db))
    try:
        assert org.boot is not None
        ctx = WriteContext(org.boot.admin_user_id)
        ids: dict[str, str] = {}
        for name, contacts in ORG_DATA.items():
            account_id = None
            if name is not None:
                account_id = ids[name] = org.create(ctx, "Account", {"Name": name})
            for last in contacts:
                org.create(ctx, "Contact", {"LastName": last, "AccountId": account_id})
        return ids
    finally:
        org.close()


Cli = tuple[Path, str, str]


@pytest.fixture(scope="module")
def cli(server: Server, seeded: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """A HOME where sf is logged in to the org as its admin: (home, CA file, username)."""
    home = tmp_path_factory.mktemp("sf-home")
    ca = str(Path(os.environ["SSL_CERT_FILE"]))
    login = sf_login(home, ca, server.instance_url, server.token())
    assert login["username"] == server.username
    return home, ca, server.username


def run_query(cli: Cli, soql: str) -> dict[str, Any]:
    """``sf data query --json``: its result, a complete one (the CLI fetches every page)."""
    home, ca, user = cli
    out = sf(home, ca, "data", "query", "--query", soql, "--target-org", user)
    assert out["status"] == 0
    result: dict[str, Any] = out["result"]
    assert result["done"] is True
    assert result["totalSize"] == len(result["records"])
    return result


def csv_rows(cli: Cli, soql: str) -> list[list[str]]:
    """``sf data query --result-format csv``: laid out from the ``columns=true`` metadata."""
    home, ca, user = cli
    args = ("data", "query", "--query", soql, "--target-org", user, "--result-format", "csv")
    run = sf_run(home, ca, *args, as_json=False)
    assert run.returncode == 0, run.stdout + run.stderr
    return [row for row in csv.reader(io.StringIO(run.stdout)) if row]


def record_url(type_name: str, record_id: str) -> re.Pattern[str]:
    return re.compile(rf"/services/data/v\d+\.0/sobjects/{type_name}/{record_id}")


@REQUIRES_SF
def test_child_subquery(cli: Cli, seeded: dict[str, str]) -> None:
    result = run_query(
        cli, "SELECT Id, Name, (SELECT LastName FROM Contacts) FROM Account ORDER BY Name"
    )
    records = result["records"]
    assert [r["Name"] for r in records] == ["acme", "Beta", "Globex"]  # case-insensitive
    for r in records:
        assert r["Id"] == seeded[r["Name"]]
        assert r["attributes"]["type"] == "Account"
        assert record_url("Account", r["Id"]).fullmatch(r["attributes"]["url"])
        wanted = ORG_DATA[r["Name"]]
        if not wanted:
            assert r["Contacts"] is None  # Salesforce gives null, not an empty list
            continue
        contacts = r["Contacts"]
        assert contacts["totalSize"] == len(wanted) and contacts["done"] is True
        assert sorted(c["LastName"] for c in contacts["records"]) == sorted(wanted)
        assert all(c["attributes"]["type"] == "Contact" for c in contacts["records"])


@REQUIRES_SF
def test_parent_relationship(cli: Cli, seeded: dict[str, str]) -> None:
    result = run_query(cli, "SELECT LastName, Account.Name FROM Contact")
    got = {
        r["LastName"]: (None if r["Account"] is None else r["Account"]["Name"])
        for r in result["records"]
    }
    assert got == {last: name for name, lasts in ORG_DATA.items() for last in lasts}
    for r in result["records"]:
        assert r["attributes"]["type"] == "Contact"
        if r["Account"] is not None:
            account = r["Account"]["attributes"]
            assert account["type"] == "Account"
            assert record_url("Account", seeded[r["Account"]["Name"]]).fullmatch(account["url"])


@REQUIRES_SF
def test_aggregate(cli: Cli) -> None:
    soql = "SELECT Account.Name, COUNT(Id) FROM Contact GROUP BY Account.Name ORDER BY Account.Name"
    result = run_query(cli, soql)
    assert [(r["Name"], r["expr0"]) for r in result["records"]] == [
        (None, 1),
        ("acme", 2),
        ("Globex", 1),
    ]
    assert all(r["attributes"] == {"type": "AggregateResult"} for r in result["records"])
    # the CLI names exprN by the displayName of the N-th function column
    assert csv_rows(cli, soql) == [["Name", "COUNT(Id)"], ["", "1"], ["acme", "2"], ["Globex", "1"]]


@REQUIRES_SF
def test_csv_lays_out_child_records(cli: Cli) -> None:
    """A subquery column is an aggregate one with the child's fields as joinColumns: the
    CLI then gives each child record its own columns."""
    soql = (
        "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName) FROM Account ORDER BY Name"
    )
    child = ["Contacts.totalSize", "Contacts.records.{}.LastName"]
    assert csv_rows(cli, soql) == [
        ["Name", *(c.format(i) for i in range(2) for c in child)],
        ["acme", "2", "Jones", "2", "Smith"],
        ["Beta", "", "", "", ""],
        ["Globex", "1", "Brown", "1", ""],
    ]
    assert csv_rows(cli, "SELECT LastName, Account.Name FROM Contact ORDER BY LastName") == [
        ["LastName", "Account.Name"],
        ["Brown", "Globex"],
        ["Jones", "acme"],
        ["Orphan", ""],
        ["Smith", "acme"],
    ]


@REQUIRES_SF
def test_malformed_query(cli: Cli) -> None:
    home, ca, user = cli
    run = sf_run(
        home, ca, "data", "query", "--query", "SELECT Id, Name FORM Account", "--target-org", user
    )
    assert run.returncode != 0
    assert run.json["status"] == run.returncode
    assert run.json["name"] == "MALFORMED_QUERY"
    assert "unexpected token: 'FORM'" in run.json["message"]
    assert "ERROR at Row:1:Column:17" in run.json["message"]


def test_columns_form(server: Server) -> None:
    """The ``columns=true`` reply the CLI reads, checked without the CLI (runs always)."""
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {server.token()}"

    def columns(soql: str) -> dict[str, Any]:
        reply = http.get(
            f"{server.instance_url}/services/data/v64.0/query",
            params={"q": soql, "columns": "true"},
            timeout=30,
        )
        assert reply.status_code == 200, reply.text
        body: dict[str, Any] = reply.json()
        return body

    def brief(cols: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [
            (c["columnName"], c["displayName"], c["aggregate"], brief(c["joinColumns"]))
            for c in cols
        ]

    body = columns("SELECT Id, Name, (SELECT LastName, Owner.Name FROM Contacts) FROM Account")
    assert brief(body["columnMetadata"]) == [
        ("Id", "Id", False, []),
        ("Name", "Name", False, []),
        (
            "Contacts",
            "Contacts",
            True,
            [
                ("LastName", "LastName", False, []),
                ("Owner", "Owner", False, [("Name", "Name", False, [])]),
            ],
        ),
    ]
    assert body["entityName"] == "Account" and body["idSelected"] is True
    assert body["keyPrefix"] == "001" and body["groupBy"] is False

    body = columns(
        "SELECT Account.Name, COUNT(Id), max(LastName) mx, CALENDAR_YEAR(CreatedDate) "
        "FROM Contact GROUP BY Account.Name, CALENDAR_YEAR(CreatedDate)"
    )
    assert brief(body["columnMetadata"]) == [
        ("Name", "Name", False, []),
        ("expr0", "COUNT(Id)", True, []),
        ("mx", "MAX(LastName)", True, []),
        ("expr1", "CALENDAR_YEAR(CreatedDate)", True, []),
    ]
    assert body["entityName"] == "AggregateResult" and body["groupBy"] is True
