# ruff: noqa: S608  (SOQL text in requests; no SQL is built here)
"""The hostile inputs issue 19 saw become 500s, stuck jobs or leaks, each pinned: a NUL
byte in every place text reaches the store, SOQL ranges and limits, SOAP and composite
totality, size limits answered before the body is read, private files, quiet logs."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
import requests

from support.databases import database_url
from support.hostile import Hostile, V
from support.server import Server, free_port

Q = f"{V}/query"


def _code(resp: requests.Response | object) -> str:
    return str(resp.json()[0]["errorCode"])  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("method", "path", "kw", "status", "code"),
    [
        ("POST", f"{V}/sobjects/Account", {"json": {"Name": "a\u0000b"}}, 400, "INVALID_FIELD"),
        (
            "GET",
            Q,
            {"params": {"q": "SELECT Id FROM Account WHERE Name = 'a\x00b'"}},
            400,
            "MALFORMED_QUERY",
        ),
        (
            "GET",
            Q,
            {"params": {"q": "SELECT Id FROM Account WHERE Name = 'a\\u0000b'"}},
            400,
            "MALFORMED_QUERY",
        ),
        ("GET", f"{V}/jobs/ingest/%00", {}, 404, "NOT_FOUND"),
        ("GET", f"{V}/sobjects/Account/001%00", {}, 404, "NOT_FOUND"),
        (
            "PATCH",
            f"{V}/sobjects/Account/Name/a%00b",
            {"json": {"Rating": "Hot"}},
            404,
            "NOT_FOUND",
        ),
        (
            "GET",
            f"{V}/sobjects/Account/updated",
            {"params": {"start": "\x00"}},
            400,
            "MALFORMED_QUERY",
        ),
        (
            "POST",
            f"{V}/jobs/query",
            {"json": {"operation": "query", "query": "SELECT Id FROM Account WHERE Name = '\x00'"}},
            400,
            "MALFORMED_QUERY",
        ),
    ],
)
def test_nul_is_refused_everywhere(
    hostile: Hostile, method: str, path: str, kw: dict, status: int, code: str
) -> None:  # type: ignore[type-arg]
    resp = hostile.rejected_changes_nothing(method, path, **kw)
    assert resp.status_code == status, resp.text
    assert resp.json()[0]["errorCode"] == code, resp.text


@pytest.mark.parametrize(
    "where",
    [
        "CreatedDate = LAST_N_DAYS:99999999999",
        "CreatedDate = LAST_N_FISCAL_YEARS:2147483648",
        "NumberOfEmployees = 9223372036854775808",
        "NumberOfEmployees > -9223372036854775809",
        "Name = '" + "x" * 4001 + "'",
    ],
)
def test_soql_out_of_range_literals(hostile: Hostile, where: str) -> None:
    resp = hostile.request("GET", Q, params={"q": f"SELECT Id FROM Account WHERE {where}"})
    assert resp.status_code == 400 and _code(resp) == "MALFORMED_QUERY", resp.text


def test_soql_calendar_overflow_selects_rather_than_fails(hostile: Hostile) -> None:
    hostile.request("POST", f"{V}/sobjects/Account", json={"Name": "dated"})
    for literal, expect_rows in (
        ("LAST_N_DAYS:1000000", True),  # includes today: 2,700 years back, clamped
        ("LAST_N_QUARTERS:1000000", False),  # ends where this quarter starts
        ("NEXT_N_YEARS:2000000000", False),
        ("N_DAYS_AGO:2147483647", False),
    ):
        resp = hostile.request(
            "GET", Q, params={"q": f"SELECT Id FROM Account WHERE CreatedDate = {literal}"}
        )
        assert resp.status_code == 200, resp.text
        assert (resp.json()["totalSize"] > 0) == expect_rows, (literal, resp.text)


def test_soql_thousand_or_terms(hostile: Hostile) -> None:
    hostile.request("POST", f"{V}/sobjects/Account", json={"Name": "n500"})
    for where in (
        " OR ".join(f"Name = 'n{i}'" for i in range(1001)),
        " OR ".join(f"(Name = 'n{i}' AND NumberOfEmployees = null)" for i in range(1001)),
    ):
        body = {
            "compositeRequest": [
                {
                    "method": "GET",
                    "url": f"{Q}?q=SELECT+Id+FROM+Account+WHERE+{where}",
                    "referenceId": "q",
                }
            ]
        }
        resp = hostile.request("POST", f"{V}/composite", json=body)
        sub = resp.json()["compositeResponse"][0]
        assert sub["httpStatusCode"] == 200 and sub["body"]["totalSize"] >= 1, sub


def test_soql_statement_length(hostile: Hostile) -> None:
    q = "SELECT Id FROM Account WHERE " + " OR ".join(["Name = 'abcdefghij'"] * 5000)
    body = {"compositeRequest": [{"method": "GET", "url": f"{Q}?q={q}", "referenceId": "q"}]}
    sub = hostile.request("POST", f"{V}/composite", json=body).json()["compositeResponse"][0]
    assert sub["httpStatusCode"] == 400 and sub["body"][0]["errorCode"] == "MALFORMED_QUERY", sub


@pytest.mark.parametrize(
    "xml",
    [
        b'<?xml version="1.0" encoding="tf-8"?><a/>',
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY a "aa"><!ENTITY b "&a;&a;&a;&a;">]><a>&b;</a>',
        b"<" * 5000,
    ],
)
def test_soap_faults_on_any_xml(hostile: Hostile, xml: bytes) -> None:
    resp = hostile.request(
        "POST",
        "/services/Soap/u/59.0",
        content=xml,
        headers={"Content-Type": "text/xml", "SOAPAction": "login"},
    )
    assert (
        resp.status_code == 500 and b"<faultcode>sf:INVALID_REQUEST</faultcode>" in resp.content
    ), resp.text


@pytest.mark.parametrize(
    "bad",
    [
        {"httpHeaders": "x"},
        {"httpHeaders": [1]},
        {"httpHeaders": {"a": {}}},
        {"method": 5},
        {"method": "TRACE"},
    ],
)
def test_composite_subrequest_shapes(hostile: Hostile, bad: dict) -> None:  # type: ignore[type-arg]
    sub = {"method": "GET", "url": f"{V}/limits", "referenceId": "a", **bad}
    resp = hostile.request("POST", f"{V}/composite", json={"compositeRequest": [sub]})
    assert resp.status_code == 400, resp.text


def test_body_limits_before_reading(hostile: Hostile) -> None:
    limit = hostile.org.settings.rest_max_body_mb << 20
    resp = hostile.request(
        "POST",
        f"{V}/sobjects/Account",
        content=b" " * (limit + 1),
        headers={"Content-Type": "application/json"},
    )
    assert resp.status_code == 413 and _code(resp) == "REQUEST_ENTITY_TOO_LARGE", resp.text

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(limit // (1 << 20) + 2):
            yield b" " * (1 << 20)

    resp = hostile.request(
        "POST",
        f"{V}/sobjects/Account",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert resp.status_code == 413, resp.text
    soap = hostile.request(
        "POST", "/services/Soap/u/59.0", content=b" " * 20_000, headers={"Content-Type": "text/xml"}
    )
    assert soap.status_code == 500 and b"REQUEST_ENTITY_TOO_LARGE" in soap.content
    long_uri = hostile.request("GET", Q + "?q=" + "x" * 20_000)
    assert long_uri.status_code == 414 and _code(long_uri) == "URI_TOO_LONG"


def test_bulk_nul_header_fails_the_job(hostile: Hostile) -> None:
    job = hostile.request(
        "POST", f"{V}/jobs/ingest", json={"object": "Account", "operation": "insert"}
    ).json()["id"]
    hostile.request(
        "PUT",
        f"{V}/jobs/ingest/{job}/batches",
        content=b"Na\x00me\nx\n",
        headers={"Content-Type": "text/csv"},
    )
    hostile.request("PATCH", f"{V}/jobs/ingest/{job}", json={"state": "UploadComplete"})
    deadline = time.monotonic() + 20
    while (info := hostile.request("GET", f"{V}/jobs/ingest/{job}").json())["state"] not in (
        "Failed",
        "JobComplete",
    ):
        assert time.monotonic() < deadline, info
        time.sleep(0.05)
    assert info["state"] == "Failed" and "\\u0000" in info["errorMessage"], info


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_real_server_urls_files_and_logs(backend: str, tmp_path: Path) -> None:
    """Over a real server: a URL past httptools' parser gets the JSON error, the data
    directory and database are private, and the log holds no bound value."""
    data = tmp_path / "data"
    with database_url(backend, tmp_path) as url:
        srv = Server(data_dir=data, db=url, port=free_port(), tls=False).start()
        try:
            h = {"Authorization": f"Bearer {srv.token()}"}
            resp = requests.get(f"{srv.instance_url}{Q}?q=" + "x" * 100_000, headers=h, timeout=30)
            assert resp.status_code == 414 and resp.json()[0]["errorCode"] == "URI_TOO_LONG"
            marker = "VALUEMARKER" + os.urandom(4).hex()
            for _ in range(3):  # a unique value that fails in the database, not before
                requests.post(
                    f"{srv.instance_url}{V}/sobjects/Account",
                    json={"Name": marker},
                    headers=h,
                    timeout=30,
                )
            # While it runs: server.json, org.db and its -wal/-shm (secret.key when made).
            running = {f.name: f.stat().st_mode for f in data.iterdir() if f.is_file()}
        finally:
            srv.stop()
    assert "server.json" in running, sorted(running)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for name, mode in running.items():
        assert stat.S_IMODE(mode) & 0o077 == 0, (name, oct(mode))
    for f in data.iterdir():
        if f.is_file():
            assert stat.S_IMODE(f.stat().st_mode) & 0o077 == 0, f
    log = "".join(srv.output)
    assert "[parameters:" not in log and marker not in log
