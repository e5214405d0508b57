"""SOQL and SQL injection through every string a caller controls: the query text, ids
and external ids in paths, field lists, composite subrequests and Bulk API 2.0 query
jobs. Each attempt fails with a Salesforce-shaped error or matches only the literal
it spelled; none changes a row, drops a table or returns a record it did not ask for."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

V = "/services/data/v59.0"
OR_TRUE = "x' OR '1'='1"
PATH_ATTEMPTS = [OR_TRUE, "001' OR 1=1--", "x'); DELETE FROM o_account; --", "x%' OR Name LIKE '%"]
QUERY_ATTEMPTS = [
    # '' is no escape in SOQL: the second quote ends nothing the attacker can use.
    "SELECT Id, Name FROM Account WHERE Name = 'Alpha'' OR Name != ''",
    # \' is SOQL's escape: the whole tail is one literal, matching no Name.
    "SELECT Id, Name FROM Account WHERE Name = 'x\\' OR Name != \\'x'",
    "SELECT Id, Name FROM Account WHERE Name = 'x'; DROP TABLE o_account; --'",
    "SELECT Id, Name FROM Account WHERE Name = 'x' UNION SELECT id, username FROM o_user",
    "SELECT Id, Name FROM Account WHERE Name LIKE 'x\\%\\' OR Name LIKE \\'%'",
    "SELECT Id, Name FROM Account WHERE Name = 'x' OR 1=1",
    "SELECT Id, Name FROM Account WHERE Name = 'x' /* */ OR Name != null",
    "SELECT Id, Name, (SELECT password_hash FROM sb_credential) FROM Account",
    "SELECT Id, Name FROM sb_credential",
    "SELECT Id, Name FROM Account WHERE Name IN ('x') OR Id != null --')",
]


@pytest.fixture
def accounts(served) -> dict[str, str]:  # type: ignore[no-untyped-def]
    made = {}
    for name in ("Alpha", "Beta"):
        r = served.client.post(f"{V}/sobjects/Account", json={"Name": name}, headers=served.auth())
        made[name] = r.json()["id"]
    return made


def _unchanged(served, accounts: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    rows = served.query("SELECT Id, Name FROM Account ORDER BY Name")["records"]
    assert {r["Name"]: r["Id"] for r in rows} == accounts
    assert served.query("SELECT COUNT() FROM User")["totalSize"] == 1


def _salesforce_error(resp: Any) -> None:
    assert resp.status_code in (300, 400, 404), (resp.status_code, resp.text)
    body = resp.json()
    assert isinstance(body, list) and {"message", "errorCode"} <= set(body[0])


def _no_leak(resp: Any, accounts: dict[str, str], allowed: set[str]) -> None:
    for name, rid in accounts.items():
        if name not in allowed:
            assert rid[:15] not in resp.text, (name, resp.text[:300])
    assert "password_hash" not in resp.text and "scrypt" not in resp.text


@pytest.mark.parametrize("soql", QUERY_ATTEMPTS)
def test_query_text(served, accounts, soql: str) -> None:  # type: ignore[no-untyped-def]
    for resource in ("query", "queryAll"):
        r = served.client.get(f"{V}/{resource}", params={"q": soql}, headers=served.auth())
        if r.status_code == 200:
            names = {rec["Name"] for rec in r.json()["records"]}
            assert names <= {"Alpha"}, (soql, names)
            _no_leak(r, accounts, names)
        else:
            _salesforce_error(r)
            _no_leak(r, accounts, set())
    _unchanged(served, accounts)


@pytest.mark.parametrize("attempt", PATH_ATTEMPTS)
def test_ids_and_external_ids_in_paths(served, accounts, attempt: str) -> None:  # type: ignore[no-untyped-def]
    seg = quote(attempt, safe="")
    for method, path in [
        ("GET", f"{V}/sobjects/Account/{seg}"),
        ("PATCH", f"{V}/sobjects/Account/{seg}"),
        ("DELETE", f"{V}/sobjects/Account/{seg}"),
        ("GET", f"{V}/sobjects/Account/Id/{seg}"),
        ("PATCH", f"{V}/sobjects/Account/Id/{seg}"),
        ("DELETE", f"{V}/sobjects/Account/Name/{seg}"),
        ("GET", f"{V}/sobjects/User/Username/{seg}"),
        ("GET", f"{V}/query/{seg}"),
        ("GET", f"{V}/sobjects/{seg}/describe"),
    ]:
        body = b'{"Name": "Hijacked"}' if method == "PATCH" else None
        r = served.client.request(method, path, content=body, headers=served.auth())
        assert r.status_code < 500, (method, path, r.text)
        if r.status_code >= 300:
            _salesforce_error(r)
        _no_leak(r, accounts, set())
    _unchanged(served, accounts)


def test_field_lists_and_search_like_parameters(served, accounts) -> None:  # type: ignore[no-untyped-def]
    rid = accounts["Alpha"]
    for fields in [
        "Name,(SELECT Id FROM Contacts)",
        "Name FROM Account --",
        "Name'; DROP TABLE o_account",
    ]:
        r = served.client.get(f"{V}/sobjects/Account/{rid}", params={"fields": fields},
                              headers=served.auth())  # fmt: skip
        _salesforce_error(r)
        _no_leak(r, accounts, {"Alpha"})
    for start in ["2024-01-01T00:00:00Z' OR '1'='1", "x; DROP TABLE o_account"]:
        r = served.client.get(f"{V}/sobjects/Account/updated",
                              params={"start": start, "end": start}, headers=served.auth())  # fmt: skip
        _salesforce_error(r)
    _unchanged(served, accounts)


def test_composite_subrequests(served, accounts) -> None:  # type: ignore[no-untyped-def]
    subs = [
        {"method": "GET", "url": f"{V}/sobjects/Account/{quote(OR_TRUE, safe='')}", "referenceId": "a"},
        {"method": "GET", "url": f"{V}/query?q=" + quote(QUERY_ATTEMPTS[1]), "referenceId": "b"},
        {"method": "PATCH", "url": f"{V}/sobjects/Account/Id/{quote(OR_TRUE, safe='')}",
         "body": {"Name": "Hijacked"}, "referenceId": "c"},
    ]  # fmt: skip
    r = served.client.post(f"{V}/composite", json={"compositeRequest": subs}, headers=served.auth())
    assert r.status_code == 200, r.text
    replies = {s["referenceId"]: s for s in r.json()["compositeResponse"]}
    assert replies["a"]["httpStatusCode"] in (400, 404)
    assert replies["b"]["httpStatusCode"] == 200 and replies["b"]["body"]["totalSize"] == 0
    assert replies["c"]["httpStatusCode"] in (400, 404)
    _no_leak(r, accounts, set())
    _unchanged(served, accounts)


def test_bulk_query_jobs(served, accounts) -> None:  # type: ignore[no-untyped-def]
    for soql in QUERY_ATTEMPTS[2:4] + QUERY_ATTEMPTS[7:9]:
        r = served.client.post(f"{V}/jobs/query", json={"operation": "query", "query": soql},
                               headers=served.auth())  # fmt: skip
        _salesforce_error(r)
        _no_leak(r, accounts, set())
    _unchanged(served, accounts)
