"""Bad uploads answer Salesforce-shaped errors and store nothing: no record, no blob,
no staging leftovers. A server with small limits so the size checks are cheap."""

from __future__ import annotations

import base64
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from files.filehelp import API, multipart, pdf_bytes, session_for, staged, store_keys
from support.rest import count, error
from support.server import Server, free_port

BOUNDARY = "bOuNdArY_42"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("files-bad")
    srv = Server(
        data_dir=tmp,
        db=f"sqlite:///{tmp / 'org.db'}",
        port=free_port(),
        tls=False,
        env={"SWITCHBOARD_FILES_MAX_VERSION_MB": "2", "SWITCHBOARD_FILES_MAX_BASE64_MB": "0.5"},
    ).start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def http(server: Server) -> requests.Session:
    return session_for(server.token())


def _body(entity: dict | None, data: bytes | None, *, close: bool = True) -> bytes:
    out = b""
    if entity is not None:
        out += (
            (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="entity_content"\r\n'
                "Content-Type: application/json\r\n\r\n"
            ).encode()
            + json.dumps(entity).encode()
            + b"\r\n"
        )
    if data is not None:
        out += (
            (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="VersionData"; '
                'filename="f.pdf"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode()
            + data
            + b"\r\n"
        )
    if close:
        out += f"--{BOUNDARY}--\r\n".encode()
    return out


def _post(
    http: requests.Session, server: Server, body: bytes, ctype: str | None = None
) -> requests.Response:
    return http.post(
        f"{server.instance_url}{API}/sobjects/ContentVersion",
        data=body,
        headers={"Content-Type": ctype or f"multipart/form-data; boundary={BOUNDARY}"},
        timeout=60,
    )


def _nothing_stored(server: Server) -> None:
    root = server.data_dir / "files"
    assert count(server, "ContentVersion", live=False) == 0
    assert count(server, "ContentDocument", live=False) == 0
    assert store_keys(root) == []
    assert staged(root) == []


ENTITY = {"Title": "t", "PathOnClient": "t.pdf"}


def test_truncated_body(http: requests.Session, server: Server) -> None:
    whole = _body(ENTITY, pdf_bytes(100_000))
    r = _post(http, server, whole[: len(whole) - 40])
    assert r.status_code == 400
    assert error(r)["errorCode"] == "INVALID_MULTIPART_REQUEST"
    _nothing_stored(server)


def test_connection_cut_mid_body(server: Server) -> None:
    body = _body(ENTITY, pdf_bytes(1_000_000))
    head = (
        f"POST {API}/sobjects/ContentVersion HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {server.token()}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(head + body[: len(body) // 2])
        time.sleep(0.5)
    time.sleep(1.0)
    _nothing_stored(server)


def test_missing_parts(http: requests.Session, server: Server) -> None:
    r = _post(http, server, _body(ENTITY, None))
    assert r.status_code == 400
    assert error(r) == {
        "message": "Required fields are missing: [VersionData]",
        "errorCode": "REQUIRED_FIELD_MISSING",
        "fields": ["VersionData"],
    }
    r = _post(http, server, _body(None, b"bytes"))
    assert r.status_code == 400 and error(r)["errorCode"] == "INVALID_MULTIPART_REQUEST"
    r = _post(http, server, _body({"PathOnClient": "x.pdf"}, b"bytes"))
    assert r.status_code == 400 and error(r)["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert error(r)["fields"] == ["Title"]
    _nothing_stored(server)


def test_wrong_content_type(http: requests.Session, server: Server) -> None:
    r = _post(http, server, b"hello", "text/plain")
    assert r.status_code == 415
    assert error(r)["errorCode"] == "UNSUPPORTED_MEDIA_TYPE"
    r = _post(http, server, _body(ENTITY, b"x"), "multipart/form-data")  # no boundary
    assert r.status_code == 400 and error(r)["errorCode"] == "INVALID_MULTIPART_REQUEST"
    _nothing_stored(server)


def test_size_over_the_limit(http: requests.Session, server: Server) -> None:
    r = multipart(http, server.instance_url, ENTITY, pdf_bytes(2 * 1024 * 1024 + 1))
    assert r.status_code == 400
    assert error(r)["errorCode"] == "MAXIMUM_SIZE_OF_DOCUMENT"
    assert "2 MB" in error(r)["message"]
    r = http.post(
        f"{server.instance_url}{API}/sobjects/ContentVersion",
        json={**ENTITY, "VersionData": base64.b64encode(pdf_bytes(600_000)).decode()},
        timeout=60,
    )
    assert r.status_code == 400
    assert error(r)["errorCode"] == "MAXIMUM_SIZE_OF_DOCUMENT"
    _nothing_stored(server)


@pytest.mark.parametrize(
    "path",
    ["../../etc/passwd", "a/../../b.pdf", "/etc/passwd", "C:\\Windows\\x.pdf", "..", "x\x00.pdf"],
)
def test_path_traversal_in_path_on_client(
    http: requests.Session, server: Server, path: str
) -> None:
    # A NUL is refused as in any text field (core.untrusted), before the path rules.
    code = "INVALID_FIELD" if "\x00" in path else "FIELD_INTEGRITY_EXCEPTION"
    r = multipart(http, server.instance_url, {"Title": "t", "PathOnClient": path}, b"data")
    assert r.status_code == 400, r.text
    entry = error(r)
    assert entry["errorCode"] == code, entry
    assert "\x00" in path or entry["fields"] == ["PathOnClient"]
    r = http.post(
        f"{server.instance_url}{API}/sobjects/ContentVersion",
        json={"Title": "t", "PathOnClient": path, "VersionData": base64.b64encode(b"d").decode()},
        timeout=60,
    )
    assert r.status_code == 400 and error(r)["errorCode"] == code, r.text
    _nothing_stored(server)


def test_bad_base64_and_bad_entity(http: requests.Session, server: Server) -> None:
    r = http.post(
        f"{server.instance_url}{API}/sobjects/ContentVersion",
        json={**ENTITY, "VersionData": "not base64!"},
        timeout=60,
    )
    assert r.status_code == 400 and error(r)["errorCode"] == "INVALID_TYPE_ON_FIELD_IN_RECORD"
    r = _post(
        http,
        server,
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="entity_content"\r\n\r\n{{nope'
            f"\r\n--{BOUNDARY}--\r\n"
        ).encode(),
    )
    assert r.status_code == 400 and error(r)["errorCode"] == "JSON_PARSER_ERROR"
    _nothing_stored(server)


def test_good_upload_after_the_bad_ones(http: requests.Session, server: Server) -> None:
    """The checks are not a server that stores nothing: the same server takes a good file."""
    r = multipart(http, server.instance_url, ENTITY, pdf_bytes(1000))
    assert r.status_code == 201, r.text
    assert len(store_keys(Path(server.data_dir) / "files")) == 1
