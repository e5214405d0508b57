"""Hostile and careless input: each gets a Salesforce-shaped 4xx (or, for values that
merely look like SQL, is stored verbatim) and changes nothing."""

from __future__ import annotations

import json
import os

import pytest

from support.rest import Raw, count, error
from support.server import Server

ACCOUNTS = "/sobjects/Account"


@pytest.fixture(scope="module")
def raw(server: Server, sf) -> Raw:  # type: ignore[no-untyped-def]
    return Raw(server, sf.session_id)


@pytest.fixture(scope="module")
def account(sf) -> str:  # type: ignore[no-untyped-def]
    return str(sf.Account.create({"Name": "Steady", "NumberOfEmployees": 7})["id"])


def _refused(resp, code: str | None = None) -> dict:  # type: ignore[no-untyped-def,type-arg]
    assert 400 <= resp.status_code < 500, (resp.status_code, resp.text[:300])
    assert resp.headers["Content-Type"].startswith("application/json")
    err = error(resp)
    if code:
        assert err["errorCode"] == code, err
    return err


def test_a_megabyte_of_garbage(raw: Raw, server: Server, account: str) -> None:
    before = count(server, "Account")
    garbage = os.urandom(1 << 20)
    for method, path in (("POST", ACCOUNTS), ("PATCH", f"{ACCOUNTS}/{account}")):
        resp = raw(method, path, data=garbage, headers={"Content-Type": "application/json"})
        _refused(resp, "JSON_PARSER_ERROR")
    text = b'{"Name": "' + b"\xff" * 1000 + b'"}'
    _refused(raw("POST", ACCOUNTS, data=text), "JSON_PARSER_ERROR")
    assert count(server, "Account") == before
    assert raw("GET", f"{ACCOUNTS}/{account}").json()["Name"] == "Steady"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"Name": {"nested": "object"}}, "JSON_PARSER_ERROR", "Name"),
        ({"Name": ["a", "b"]}, "JSON_PARSER_ERROR", "Name"),
        (
            {"Name": "T", "NumberOfEmployees": "abc"},
            "INVALID_TYPE_ON_FIELD_IN_RECORD",
            "NumberOfEmployees",
        ),
        (
            {"Name": "T", "NumberOfEmployees": 1.5},
            "INVALID_TYPE_ON_FIELD_IN_RECORD",
            "NumberOfEmployees",
        ),
        (
            {"Name": "T", "NumberOfEmployees": True},
            "INVALID_TYPE_ON_FIELD_IN_RECORD",
            "NumberOfEmployees",
        ),
        ({"Name": "T", "AnnualRevenue": "NaN"}, "INVALID_TYPE_ON_FIELD_IN_RECORD", "AnnualRevenue"),
        ({"Name": "T", "AnnualRevenue": {"x": 1}}, "JSON_PARSER_ERROR", "AnnualRevenue"),
        (
            {"Name": "T", "NumberOfEmployees": 10**30},
            "NUMBER_OUTSIDE_VALID_RANGE",
            "NumberOfEmployees",
        ),
        ({"Name": "T", "ParentId": 12345}, "MALFORMED_ID", "ParentId"),
        ({"Name": "T", "ParentId": {"Id": "001"}}, "JSON_PARSER_ERROR", "ParentId"),
    ],
)
def test_wrong_json_types_on_account(
    raw: Raw, server: Server, account: str, body, code, field
) -> None:  # type: ignore[no-untyped-def]
    before = count(server, "Account")
    err = _refused(raw("POST", ACCOUNTS, json=body), code)
    assert err["fields"] == [field]
    err = _refused(raw("PATCH", f"{ACCOUNTS}/{account}", json=body), code)
    assert count(server, "Account") == before
    got = raw("GET", f"{ACCOUNTS}/{account}").json()
    assert got["Name"] == "Steady" and got["NumberOfEmployees"] == 7


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"LastName": "T", "DoNotCall": "maybe"}, "INVALID_TYPE_ON_FIELD_IN_RECORD", "DoNotCall"),
        ({"LastName": "T", "DoNotCall": 2}, "INVALID_TYPE_ON_FIELD_IN_RECORD", "DoNotCall"),
        (
            {"LastName": "T", "Birthdate": "31/12/1999"},
            "INVALID_TYPE_ON_FIELD_IN_RECORD",
            "Birthdate",
        ),
        (
            {"LastName": "T", "Birthdate": "1999-02-30"},
            "INVALID_TYPE_ON_FIELD_IN_RECORD",
            "Birthdate",
        ),
        ({"LastName": "T", "Email": "not an email"}, "INVALID_EMAIL_ADDRESS", "Email"),
        ({"LastName": "T", "Email": 42}, "INVALID_EMAIL_ADDRESS", "Email"),
    ],
)
def test_wrong_json_types_on_contact(raw: Raw, server: Server, body, code, field) -> None:  # type: ignore[no-untyped-def]
    before = count(server, "Contact")
    err = _refused(raw("POST", "/sobjects/Contact", json=body), code)
    assert err["fields"] == [field]
    assert count(server, "Contact") == before


@pytest.mark.parametrize("body", [[{"Name": "in an array"}], "just a string", 42, None, True])
def test_a_body_that_is_not_an_object(raw: Raw, server: Server, account: str, body) -> None:  # type: ignore[no-untyped-def]
    before = count(server, "Account")
    _refused(raw("POST", ACCOUNTS, data=json.dumps(body)), "JSON_PARSER_ERROR")
    _refused(raw("PATCH", f"{ACCOUNTS}/{account}", data=json.dumps(body)), "JSON_PARSER_ERROR")
    assert count(server, "Account") == before


@pytest.mark.parametrize(
    "name",
    ["NoSuchObject", "Account__c", "o_account", "Account;DROP", "sb_token", "User Name"],
)
def test_unknown_objects(raw: Raw, name: str) -> None:
    for method, path, body in (
        ("GET", f"/sobjects/{name}", None),
        ("GET", f"/sobjects/{name}/describe", None),
        ("POST", f"/sobjects/{name}", {"Name": "x"}),
        ("GET", f"/sobjects/{name}/001000000000001AAA", None),
        ("PATCH", f"/sobjects/{name}/Ext__c/1", {"Name": "x"}),
    ):
        resp = raw(method, path, json=body)
        assert resp.status_code == 404, (method, path, resp.status_code)
        assert error(resp)["errorCode"] == "NOT_FOUND"


def test_sql_looking_values_are_stored_verbatim(raw: Raw, sf, server: Server) -> None:  # type: ignore[no-untyped-def]
    before = count(server, "Account")
    values = [
        "'; DROP TABLE o_account; --",
        'Robert"); DELETE FROM sb_token; --',
        "1 OR 1=1",
        "%_\\' UNION SELECT * FROM sb_credential --",
    ]
    ids = []
    for v in values:
        resp = raw("POST", ACCOUNTS, json={"Name": v, "Description": v, "Site": v[:80]})
        assert resp.status_code == 201, resp.text
        ids.append(resp.json()["id"])
    for rid, v in zip(ids, values, strict=True):
        got = sf.Account.get(rid)
        assert got["Name"] == v and got["Description"] == v
    assert count(server, "Account") == before + len(values)
    # The tokens table is intact: this very client still authenticates.
    assert sf.Account.get(ids[0])["Id"] == ids[0]
    # Also in a field list and as an id: refused, nothing run.
    _refused(raw("GET", f"{ACCOUNTS}/{ids[0]}", params={"fields": "Name; DROP TABLE o_account"}))
    _refused(raw("GET", f"{ACCOUNTS}/' OR '1'='1"))


def test_hundred_thousand_character_strings(raw: Raw, server: Server, account: str) -> None:
    huge = "é" * 100_000
    before = count(server, "Account")
    err = _refused(raw("POST", ACCOUNTS, json={"Name": huge}), "STRING_TOO_LONG")
    assert err["fields"] == ["Name"] and len(err["message"]) < 1000
    _refused(raw("PATCH", f"{ACCOUNTS}/{account}", json={"Name": huge}), "STRING_TOO_LONG")
    # A long text area takes 32,000 characters, not 100,000.
    _refused(raw("POST", ACCOUNTS, json={"Name": "d", "Description": huge}), "STRING_TOO_LONG")
    # As a field name, an object name, an id and an external id value.
    err = _refused(raw("POST", ACCOUNTS, json={"Name": "k", "x" * 100_000: 1}), "INVALID_FIELD")
    assert len(err["message"]) < 100_000 + 200
    assert raw("GET", f"/sobjects/{'A' * 100_000}").status_code in (404, 414, 400)
    resp = raw("GET", f"{ACCOUNTS}/{'0' * 100_000}")
    assert 400 <= resp.status_code < 500
    assert count(server, "Account") == before
    assert raw("GET", f"{ACCOUNTS}/{account}").json()["Name"] == "Steady"
    # Exactly at the limit is fine.
    ok = raw("POST", ACCOUNTS, json={"Name": "e" * 255, "Description": "d" * 32_000})
    assert ok.status_code == 201
