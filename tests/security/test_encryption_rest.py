"""Encrypted fields over REST on a real server (simple-salesforce), on each backend:
the database holds no plaintext, deterministic fields filter and match external ids,
Salesforce's refusals for what ciphertext cannot do, and ``keys rotate`` while serving."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from simple_salesforce.exceptions import SalesforceMalformedRequest

from support.rest import FIXTURES
from support.server import Server
from switchboard.store import open_store

SECRETS = {
    "SSN__c": "987-65-4321",
    "Email__c": "Grace.Hopper@Navy.example",
    "Notes__c": "allergic to penicillin; do not disclose",
}


@pytest.fixture(scope="module")
def vault(server: Server, sf):  # type: ignore[no-untyped-def]
    out = server.cli("org", "deploy", str(FIXTURES / "sfdx-vault"))
    assert "Deployed" in out.stdout, out.stderr
    first = sf.Patient__c.create({"Name": "Grace", **SECRETS})["id"]
    sf.Patient__c.create({"Name": "Other", "SSN__c": "111-11-1111", "Email__c": "o@example.com",
                          "Notes__c": "nothing to see"})  # fmt: skip
    sf.Patient__c.update(first, {"Notes__c": SECRETS["Notes__c"] + " (updated)"})
    return first


def _database_bytes(server: Server) -> bytes:
    """Every byte the database holds: the SQLite files, or PostgreSQL's rows as text."""
    if server.db.startswith("sqlite"):
        path = Path(server.db.removeprefix("sqlite:///"))
        files = [path, path.with_name(path.name + "-wal")]
        return b"".join(p.read_bytes() for p in files if p.exists())
    store = open_store(server.db)
    try:
        with store.read() as conn:
            tables = [r[0] for r in conn.execute(sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))]  # fmt: skip
            chunks = []
            for t in tables:
                for row in conn.execute(sa.text(f'SELECT t::text FROM "{t}" t')):  # noqa: S608
                    chunks.append(row[0].encode())
        return b"\n".join(chunks)
    finally:
        store.engine.dispose()


def test_the_database_holds_no_plaintext(server: Server, sf, vault: str) -> None:  # type: ignore[no-untyped-def]
    data = _database_bytes(server)
    assert b"sbe1$" in data  # the envelopes are there
    for value in SECRETS.values():
        assert value.encode() not in data
    assert b"penicillin" not in data and b"Hopper" not in data
    assert b"Grace" in data  # the name field is not encrypted: the grep can see clear text


def test_reads_open_the_values(sf, vault: str) -> None:  # type: ignore[no-untyped-def]
    got = sf.Patient__c.get(vault)
    assert got["SSN__c"] == SECRETS["SSN__c"]
    assert got["Email__c"] == SECRETS["Email__c"]
    assert got["Notes__c"] == SECRETS["Notes__c"] + " (updated)"
    rows = sf.query_all("SELECT Name, Email__c, Notes__c FROM Patient__c WHERE Name = 'Grace'")
    assert rows["records"][0]["Email__c"] == SECRETS["Email__c"]


def test_describe_marks_encrypted_fields(sf, vault: str) -> None:  # type: ignore[no-untyped-def]
    fields = {f["name"]: f for f in sf.Patient__c.describe()["fields"]}
    assert fields["SSN__c"]["encrypted"] and fields["SSN__c"]["filterable"]
    assert not fields["SSN__c"]["sortable"] and not fields["SSN__c"]["groupable"]
    assert fields["Notes__c"]["encrypted"] and not fields["Notes__c"]["filterable"]
    assert fields["Email__c"]["encrypted"]
    assert not fields["Plain_SSN__c"]["encrypted"] and fields["Plain_SSN__c"]["sortable"]


def test_equality_filters_on_deterministic_fields(sf, vault: str) -> None:  # type: ignore[no-untyped-def]
    def ids(where: str) -> set[str]:
        return {r["Id"] for r in sf.query_all(f"SELECT Id FROM Patient__c WHERE {where}")["records"]}  # noqa: S608 (SOQL text under test)

    assert ids("SSN__c = '987-65-4321'") == {vault}
    assert ids("SSN__c IN ('987-65-4321', 'nope')") == {vault}
    assert vault not in ids("SSN__c != '987-65-4321'")
    assert ids("SSN__c NOT IN ('111-11-1111')") == {vault}
    # Case-insensitive deterministic: any case matches; case-sensitive: exact only.
    assert ids("Email__c = 'grace.hopper@navy.EXAMPLE'") == {vault}
    assert ids("Email__c = 'grace.hopper@navy.example' AND Name = 'Grace'") == {vault}
    assert ids("SSN__c = '987-65-432'") == set()
    assert sf.query("SELECT COUNT() FROM Patient__c WHERE Email__c != null")["totalSize"] == 2


@pytest.mark.parametrize(
    ("soql", "message"),
    [
        ("SELECT Id FROM Patient__c WHERE Email__c LIKE 'grace%'",
         "field 'Email__c' can not be filtered in a query call"),
        ("SELECT Id FROM Patient__c WHERE Notes__c = 'x'",
         "field 'Notes__c' can not be filtered in a query call"),
        ("SELECT Id FROM Patient__c WHERE SSN__c > '1'",
         "field 'SSN__c' can not be filtered in a query call"),
        ("SELECT Id FROM Patient__c ORDER BY SSN__c",
         "field 'SSN__c' can not be sorted in a query call"),
        ("SELECT SSN__c, COUNT(Id) FROM Patient__c GROUP BY SSN__c",
         "field 'SSN__c' can not be grouped in a query call"),
        ("SELECT MAX(Email__c) FROM Patient__c",
         "field Email__c does not support aggregate operator MAX"),
    ],
)  # fmt: skip
def test_what_ciphertext_cannot_do_is_refused(sf, vault: str, soql: str, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SalesforceMalformedRequest) as err:
        sf.query(soql)
    entry = err.value.content[0]
    assert entry["errorCode"] == "INVALID_FIELD"
    assert entry["message"] == message


def test_upsert_matches_a_deterministic_external_id(sf, vault: str) -> None:  # type: ignore[no-untyped-def]
    out = sf.Patient__c.upsert("SSN__c/987-65-4321", {"Name": "Grace H."})
    assert out == 204 or out == 200
    assert sf.Patient__c.get(vault)["Name"] == "Grace H."
    made = sf.Patient__c.upsert("SSN__c/222-22-2222", {"Name": "New"})
    assert made == 201
    found = sf.query("SELECT Id, SSN__c FROM Patient__c WHERE SSN__c = '222-22-2222'")
    assert found["records"][0]["SSN__c"] == "222-22-2222"
    assert sf.Patient__c.get_by_custom_id("SSN__c", "987-65-4321")["Id"] == vault


def test_unsupported_types_are_refused_at_deploy(server: Server) -> None:
    out = server.cli("org", "deploy", str(FIXTURES / "sfdx-vault-bad"), check=False)
    assert out.returncode == 1
    assert "Visit__c.Visit_Date__c: fields of type date cannot be encrypted" in out.stderr


def test_keys_rotate_while_serving(server: Server, sf, vault: str) -> None:  # type: ignore[no-untyped-def]
    before = server.cli("keys", "list").stdout.strip().splitlines()
    out = server.cli("keys", "rotate", "--batch-size", "1")
    assert "new active key: version" in out.stdout, out.stderr
    listed = server.cli("keys", "list").stdout.strip().splitlines()
    assert len(listed) == len(before) + 1 and listed[-1].split("\t")[2] == "active"
    new_kid = listed[-1].split("\t")[1]
    # The server keeps reading old and new values alike, and writes under the new key.
    time.sleep(1.5)  # its keyring polls the versions
    rid = sf.Patient__c.create({"Name": "After", "SSN__c": "333-33-3333"})["id"]
    assert sf.Patient__c.get(vault)["SSN__c"] == SECRETS["SSN__c"]
    assert sf.query("SELECT Id FROM Patient__c WHERE SSN__c = '333-33-3333'")["records"][0]["Id"] == rid
    assert sf.query("SELECT Id FROM Patient__c WHERE SSN__c = '987-65-4321'")["records"][0]["Id"] == vault
    assert "$".join(["sbe1", new_kid, ""]).encode() in _database_bytes(server)
    again = server.cli("keys", "sync").stdout
    assert again.strip().endswith(f"({new_kid})")
