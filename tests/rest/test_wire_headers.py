"""Wire details strict clients trip on, read off a raw TLS socket of a real server:
header names in canonical case on every API (REST, Bulk 1.0/2.0, OAuth, SOAP, CometD),
a SOAP fault for unknown SOAP paths, and the Tooling API's own refusal; and an Account
delete seen through queryAll."""

from __future__ import annotations

import socket
import ssl
import time
from urllib.parse import urlsplit

import orjson

from support.server import Server

V = "/services/data/v59.0"


def raw(
    server: Server, method: str, path: str, body: bytes = b"", **headers: str
) -> tuple[str, list[str], bytes]:
    """Status line, header names exactly as sent, and body of one request."""
    host = urlsplit(server.instance_url)
    ctx = ssl.create_default_context(cafile=server.ca)
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{host.port}", "Connection: close",
             f"Content-Length: {len(body)}"]  # fmt: skip
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    with socket.create_connection(("127.0.0.1", host.port), timeout=30) as plain:
        with ctx.wrap_socket(plain, server_hostname="127.0.0.1") as s:
            s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            data = b""
            while chunk := s.recv(65536):
                data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status, *fields = head.decode("latin-1").split("\r\n")
    return status, [f.split(":", 1)[0] for f in fields], rest


def _canonical_looking(names: list[str]) -> None:
    for name in names:
        assert all(part[:1].isupper() for part in name.split("-")), name


def test_rest_and_bulk2_headers(server: Server, sf) -> None:  # type: ignore[no-untyped-def]
    auth = {"Authorization": f"Bearer {sf.session_id}"}
    status, names, _ = raw(server, "GET", f"{V}/sobjects/Account/describe", **auth)
    assert status == "HTTP/1.1 200 OK"
    assert {"Content-Type", "Sforce-Limit-Info"} <= set(names), names
    _canonical_looking(names)

    sf.Account.create({"Name": "Wire"})
    job = sf.restful("jobs/query", method="POST",
                     data=orjson.dumps({"operation": "query", "query": "SELECT Id FROM Account"}))  # fmt: skip
    for _ in range(200):
        if sf.restful(f"jobs/query/{job['id']}")["state"] == "JobComplete":
            break
        time.sleep(0.05)
    status, names, _ = raw(
        server, "GET", f"{V}/jobs/query/{job['id']}/results?maxRecords=1", **auth
    )
    assert status == "HTTP/1.1 200 OK"
    assert {"Content-Type", "Sforce-Locator", "Sforce-NumberOfRecords"} <= set(names), names
    _canonical_looking(names)


def test_bulk1_oauth_soap_cometd_headers(server: Server, sf) -> None:  # type: ignore[no-untyped-def]
    xml = ('<?xml version="1.0" encoding="UTF-8"?><jobInfo xmlns="http://www.force.com/2009/06/asyncapi/dataload">'
           "<operation>insert</operation><object>Account</object><contentType>CSV</contentType></jobInfo>")  # fmt: skip
    replies = [
        raw(server, "POST", "/services/async/59.0/job", xml.encode(),
            X_SFDC_Session=sf.session_id, Content_Type="application/xml; charset=UTF-8"),
        raw(server, "POST", "/services/oauth2/token", b"grant_type=password&username=x&password=y",
            Content_Type="application/x-www-form-urlencoded"),
        raw(server, "POST", "/services/Soap/u/59.0", b"<nope/>", Content_Type="text/xml", SOAPAction="login"),
        raw(server, "POST", "/cometd/59.0",
            orjson.dumps([{"channel": "/meta/handshake", "version": "1.0",
                           "supportedConnectionTypes": ["long-polling"]}]),
            Authorization=f"Bearer {sf.session_id}", Content_Type="application/json"),
    ]  # fmt: skip
    for status, names, _ in replies:
        assert "Content-Type" in names, (status, names)
        assert not any(n != n.title() and n.lower() == n for n in names), names
        _canonical_looking(names)
    assert replies[0][0] == "HTTP/1.1 201 Created"


def test_unknown_soap_paths_answer_a_soap_fault(server: Server) -> None:
    for path in (
        "/services/Soap/m/59.0",
        "/services/Soap/c/59.0/00D000000000001",
        "/services/Soap/zz",
    ):
        status, names, body = raw(
            server, "POST", path, b"<x/>", Content_Type="text/xml", SOAPAction='""'
        )
        assert status.startswith("HTTP/1.1 500"), (path, status)
        assert b"<soapenv:Fault>" in body and b"<faultcode>sf:" in body, body
        assert "Content-Type" in names
    _, _, body = raw(server, "POST", "/services/Soap/m/59.0", b"<x/>", Content_Type="text/xml")
    assert b"sf:FUNCTIONALITY_NOT_ENABLED" in body and b"Metadata API" in body


def test_the_tooling_api_says_it_is_not_supported(server: Server, sf) -> None:  # type: ignore[no-untyped-def]
    status, _, body = raw(server, "GET", f"{V}/tooling/query?q=SELECT+Id+FROM+ApexClass",
                          Authorization=f"Bearer {sf.session_id}")  # fmt: skip
    assert status.startswith("HTTP/1.1 400")
    [err] = orjson.loads(body)
    assert err["errorCode"] == "FUNCTIONALITY_NOT_ENABLED" and "Tooling API" in err["message"]
    status, _, body = raw(
        server, "GET", f"{V}/no-such-resource", Authorization=f"Bearer {sf.session_id}"
    )
    assert status.startswith("HTTP/1.1 404") and orjson.loads(body)[0]["errorCode"] == "NOT_FOUND"


def test_account_delete_cascades_through_the_api(sf) -> None:  # type: ignore[no-untyped-def]
    account = sf.Account.create({"Name": "Cascading"})["id"]
    contact = sf.Contact.create({"LastName": "Gone", "AccountId": account})["id"]
    opp = sf.Opportunity.create({"Name": "Gone", "StageName": "Prospecting",
                                 "CloseDate": "2026-12-01", "AccountId": account})["id"]  # fmt: skip
    case = sf.Case.create({"Subject": "Gone", "AccountId": account})["id"]
    sf.Account.delete(account)
    for obj, rid in (("Contact", contact), ("Opportunity", opp), ("Case", case)):
        got = sf.query_all(
            f"SELECT Id, IsDeleted FROM {obj} WHERE Id = '{rid}'",  # noqa: S608
            include_deleted=True,
        )
        assert [r["IsDeleted"] for r in got["records"]] == [True], obj
        assert sf.query(f"SELECT Id FROM {obj} WHERE Id = '{rid}'")["totalSize"] == 0  # noqa: S608
