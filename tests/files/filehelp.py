"""Helpers for the files tests: multipart uploads as Salesforce documents them, store
contents read straight from disk, and a PDF-shaped payload."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

API = "/services/data/v59.0"


@contextmanager
def moto_s3(*buckets: str) -> Iterator[tuple[Any, dict[str, str]]]:
    """A local S3-compatible server (moto's, in a thread) with ``buckets`` made; yields
    an s3fs filesystem on it and the fsspec options that reach it."""
    from support.server import free_port

    moto = pytest.importorskip("moto.server")
    port = free_port()
    srv = moto.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    srv.start()
    options = {"endpoint_url": f"http://127.0.0.1:{port}", "key": "testing", "secret": "testing"}
    import s3fs

    fs = s3fs.S3FileSystem(**options)
    for bucket in buckets:
        fs.mkdir(bucket)
    try:
        yield fs, options
    finally:
        srv.stop()


def pdf_bytes(size: int, seed: int = 0) -> bytes:
    """A payload that starts like a PDF and is otherwise random (no two seeds alike)."""
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    body = hashlib.sha256(str(seed).encode()).digest() + os.urandom(max(0, size - len(head) - 32))
    return (head + body)[:size]


def multipart(
    session: requests.Session,
    base: str,
    entity: dict[str, Any],
    data: bytes | None,
    *,
    object_name: str = "ContentVersion",
    file_name: str = "file.pdf",
) -> requests.Response:
    """POST sobjects/<object> as multipart/form-data: entity part, then the bytes."""
    part = "entity_content" if object_name == "ContentVersion" else "entity_attachment"
    blob = "VersionData" if object_name == "ContentVersion" else "Body"
    files: dict[str, Any] = {part: (None, json.dumps(entity), "application/json")}
    if data is not None:
        files[blob] = (file_name, data, "application/octet-stream")
    return session.post(f"{base}{API}/sobjects/{object_name}", files=files, timeout=120)


def store_keys(root: Path) -> list[str]:
    """Committed blob keys in a local store directory."""
    if not root.exists():
        return []
    return sorted(
        p.name
        for p in root.rglob("*")
        if p.is_file() and ".staging" not in p.parts and len(p.name) == 64
    )


def staged(root: Path) -> list[Path]:
    staging = root / ".staging"
    return [p for p in staging.rglob("*") if p.is_file()] if staging.exists() else []


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()  # noqa: S324 - Salesforce's Checksum


def session_for(token: str) -> requests.Session:
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {token}"
    return s
