# ruff: noqa: S608 - SOQL text with the test's own ids, never SQL
"""Salesforce Files through the REST API: documents, versions, links, attachments.

Real servers on both backends; simple-salesforce for the JSON calls it makes, its own
requests session for multipart uploads and downloads (as integrations do).
"""

from __future__ import annotations

import base64
import hashlib

import pytest
import requests
import sqlalchemy as sa
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from files.filehelp import API, md5, multipart, pdf_bytes, store_keys
from support.server import Server
from switchboard.store import open_store


@pytest.fixture(scope="module")
def http(sf: Salesforce) -> requests.Session:
    s = sf.session
    s.headers["Authorization"] = f"Bearer {sf.session_id}"
    return s


def _download(
    http: requests.Session, server: Server, vid: str, **headers: str
) -> requests.Response:
    url = f"{server.instance_url}{API}/sobjects/ContentVersion/{vid}/VersionData"
    return http.get(url, headers=headers, timeout=60)


def test_document_versions_links_and_delete(
    sf: Salesforce, http: requests.Session, server: Server
) -> None:
    account = sf.Account.create({"Name": "Files Inc"})["id"]
    first, second = pdf_bytes(300_000, 1), pdf_bytes(123_457, 2)
    r = multipart(
        http,
        server.instance_url,
        {"Title": "Contract", "PathOnClient": "contract.pdf", "FirstPublishLocationId": account},
        first,
    )
    assert r.status_code == 201, r.text
    assert r.json()["success"] is True and r.json()["errors"] == []
    v1 = r.json()["id"]
    assert v1.startswith("068")
    rec1 = sf.ContentVersion.get(v1)
    doc = rec1["ContentDocumentId"]
    assert doc.startswith("069")
    assert (rec1["VersionNumber"], rec1["IsLatest"], rec1["ContentSize"]) == ("1", True, 300_000)
    assert rec1["Checksum"] == md5(first)
    assert (rec1["FileType"], rec1["FileExtension"]) == ("PDF", "pdf")
    assert rec1["VersionData"].endswith(f"/sobjects/ContentVersion/{v1}/VersionData")

    r = multipart(
        http,
        server.instance_url,
        {
            "Title": "Contract v2",
            "PathOnClient": "contract.pdf",
            "ContentDocumentId": doc,
            "ReasonForChange": "signed",
        },
        second,
    )
    assert r.status_code == 201, r.text
    v2 = r.json()["id"]
    rec2 = sf.ContentVersion.get(v2)
    assert (rec2["VersionNumber"], rec2["IsLatest"], rec2["ContentDocumentId"]) == ("2", True, doc)
    assert sf.ContentVersion.get(v1)["IsLatest"] is False
    document = sf.ContentDocument.get(doc)
    assert document["LatestPublishedVersionId"] == v2
    assert (document["Title"], document["ContentSize"]) == ("Contract v2", 123_457)

    for vid, data in ((v1, first), (v2, second)):
        got = _download(http, server, vid)
        assert got.status_code == 200
        assert got.headers["Content-Type"].startswith("application/pdf")
        assert got.content == data
    part = _download(http, server, v1, Range="bytes=1000-1999")
    assert part.status_code == 206 and part.content == first[1000:2000]
    assert part.headers["Content-Range"] == "bytes 1000-1999/300000"
    tail = _download(http, server, v1, Range="bytes=-10")
    assert tail.content == first[-10:]

    links = sf.query(
        f"SELECT LinkedEntityId, ShareType, Visibility FROM ContentDocumentLink "
        f"WHERE ContentDocumentId = '{doc}'"
    )["records"]
    by_entity = {link["LinkedEntityId"]: link["ShareType"] for link in links}
    assert by_entity[account] == "V"
    assert any(k.startswith("005") and v == "I" for k, v in by_entity.items())
    on_account = sf.query(
        f"SELECT ContentDocumentId FROM ContentDocumentLink WHERE LinkedEntityId = '{account}'"
    )
    assert [x["ContentDocumentId"] for x in on_account["records"]] == [doc]
    versions = sf.query(
        f"SELECT Id, VersionNumber FROM ContentVersion WHERE ContentDocumentId = '{doc}' "
        "ORDER BY VersionNumber"
    )["records"]
    assert [x["Id"] for x in versions] == [v1, v2]

    # Versions are never updated in place.
    with pytest.raises(SalesforceMalformedRequest) as bad:
        sf.ContentVersion.update(v1, {"VersionData": base64.b64encode(b"x").decode()})
    assert bad.value.content[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"

    sf.ContentDocument.delete(doc)
    assert (
        sf.query(f"SELECT Id FROM ContentVersion WHERE ContentDocumentId = '{doc}'")["totalSize"]
        == 0
    )
    assert (
        sf.query(f"SELECT Id FROM ContentDocumentLink WHERE ContentDocumentId = '{doc}'")[
            "totalSize"
        ]
        == 0
    )
    assert _download(http, server, v1).status_code == 404


def test_link_queries_need_a_filter(sf: Salesforce) -> None:
    for soql in (
        "SELECT Id FROM ContentDocumentLink",
        "SELECT Id FROM ContentDocumentLink WHERE ShareType = 'V'",
        "SELECT Id FROM ContentDocumentLink WHERE ContentDocumentId != '069000000000000'",
    ):
        with pytest.raises(SalesforceMalformedRequest) as bad:
            sf.query(soql)
        entry = bad.value.content[0]
        assert entry["errorCode"] == "MALFORMED_QUERY"
        assert entry["message"].startswith(
            "Implementation restriction: ContentDocumentLink requires a filter by a single Id"
        )


def test_same_bytes_stored_once_and_checksum(
    sf: Salesforce, http: requests.Session, server: Server
) -> None:
    data = pdf_bytes(77_777, 99)
    root = server.data_dir / "files"
    ids = []
    for title in ("One", "Two"):
        r = multipart(http, server.instance_url, {"Title": title, "PathOnClient": "same.pdf"}, data)
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    sha = hashlib.sha256(data).hexdigest()
    assert store_keys(root).count(sha) == 1
    for vid in ids:
        assert sf.ContentVersion.get(vid)["Checksum"] == md5(data)
        assert _download(http, server, vid).content == data
    assert len({sf.ContentVersion.get(v)["ContentDocumentId"] for v in ids}) == 2


def test_json_base64_version_and_attachments(
    sf: Salesforce, http: requests.Session, server: Server
) -> None:
    account = sf.Account.create({"Name": "Attach Co"})["id"]
    data = b"plain text file\n" * 1000
    created = sf.ContentVersion.create(
        {
            "Title": "notes",
            "PathOnClient": "notes.txt",
            "VersionData": base64.b64encode(data).decode(),
            "FirstPublishLocationId": account,
        }
    )
    vid = created["id"]
    got = _download(http, server, vid)
    assert got.content == data and got.headers["Content-Type"].startswith("text/plain")
    assert sf.ContentVersion.get(vid)["Checksum"] == md5(data)
    # As integrations do: query VersionData, then follow the URL it holds.
    row = sf.query(f"SELECT Title, VersionData FROM ContentVersion WHERE Id = '{vid}'")["records"][
        0
    ]
    assert row["VersionData"] == f"{API}/sobjects/ContentVersion/{vid}/VersionData"
    assert http.get(server.instance_url + row["VersionData"], timeout=30).content == data

    att = sf.Attachment.create(
        {"ParentId": account, "Name": "logo.png", "Body": base64.b64encode(b"\x89PNG....").decode()}
    )["id"]
    assert att.startswith("00P")
    rec = sf.Attachment.get(att)
    assert rec["BodyLength"] == 8 and rec["ContentType"] == "image/png"
    body = http.get(f"{server.instance_url}{API}/sobjects/Attachment/{att}/Body", timeout=30)
    assert body.content == b"\x89PNG...." and body.headers["Content-Type"].startswith("image/png")
    r = multipart(
        http,
        server.instance_url,
        {"ParentId": account, "Name": "scan.pdf"},
        pdf_bytes(5000, 5),
        object_name="Attachment",
    )
    assert r.status_code == 201, r.text
    assert sf.Attachment.get(r.json()["id"])["BodyLength"] == 5000

    # A version creates change events like any record: its own, its document's, its links'.
    store = open_store(server.db)
    try:
        with store.read() as conn:
            channels = set(conn.execute(sa.text("SELECT channel FROM sb_event")).scalars())
    finally:
        store.dispose()
    assert {"/data/ContentVersionChangeEvent", "/data/ContentDocumentChangeEvent"} <= channels

    limits = sf.limits()
    assert limits["FileStorageMB"]["Remaining"] < limits["FileStorageMB"]["Max"]
