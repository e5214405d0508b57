"""What a store checks as it commits an upload, before the key appears: on a local disk
the staged file's size against the bytes written, an fsync before the rename and one of
the directory after it (so the upload is not read back); on S3 the single PUT carries
the upload's MD5 as Content-MD5, for the store to check."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from files.filehelp import moto_s3, staged, store_keys
from switchboard.connectors.files import factory
from switchboard.connectors.files.errors import StoreIOError
from switchboard.org.files.config import FilesConfig, StoreConfig
from switchboard.org.files.stores import FileStorage, chunks_of


def _storage(url: str, options: dict[str, Any] | None = None) -> FileStorage:
    config = FilesConfig(store="main", stores={"main": StoreConfig(url=url, options=options or {})})
    storage = FileStorage(config)
    storage.attach(lambda u: factory.create(u, storage.config.resolve(u)))
    return storage


def test_a_local_commit_is_synced_in_order_and_not_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = _storage((tmp_path / "files").as_uri())
    store = storage.store("main")
    steps: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        steps.append("fsync dir" if os.path.isdir(f"/proc/self/fd/{fd}") else "fsync file")
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        steps.append("rename")
        real_replace(src, dst)

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the upload was read back")

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(store, "open", no_reading)
    data = os.urandom(300_000)
    blob = storage.upload("main", chunks_of(data))
    # The file's bytes are durable before its name is; the name before the commit returns
    # (the two fan-out directories made for the first key are synced in their parents).
    assert steps[:3] == ["fsync file", "rename", "fsync dir"]
    assert set(steps[3:]) <= {"fsync dir"}
    assert blob.created and blob.info.sha256 == hashlib.sha256(data).hexdigest()
    assert store_keys(tmp_path / "files") == [blob.info.sha256]
    steps.clear()
    again = storage.upload("main", chunks_of(data))  # the same bytes: nothing to sync
    assert not again.created and steps == []
    assert staged(tmp_path / "files") == []


def test_a_staged_file_short_of_its_bytes_is_never_committed(tmp_path: Path) -> None:
    storage = _storage((tmp_path / "files").as_uri())
    ingest = storage.ingest("main")
    ingest.write(os.urandom(200_000))
    path = ingest._staged.path  # type: ignore[attr-defined]
    ingest._staged._file.flush()  # type: ignore[attr-defined]
    os.truncate(path, 150_000)  # the disk kept less than it was given
    with pytest.raises(StoreIOError, match="150000 bytes where 200000"):
        ingest.finish()
    assert store_keys(tmp_path / "files") == []
    assert staged(tmp_path / "files") == []


def test_an_s3_put_carries_the_uploads_md5() -> None:
    with moto_s3("commit-bucket") as (fs, options):
        storage = _storage("s3://commit-bucket/org", options)
        store = storage.store("main")
        client = store.fs.connect()  # type: ignore[attr-defined]
        sent: list[str | None] = []

        def before_send(request: Any, **kwargs: Any) -> None:
            if request.method == "PUT" and "/.staging/" in request.url:
                sent.append(request.headers.get("Content-MD5"))

        client.meta.events.register("before-send.s3.PutObject", before_send)
        data = os.urandom(100_000)
        blob = storage.upload("main", chunks_of(data))
        md5 = hashlib.md5(data).digest()  # noqa: S324 - Salesforce's Checksum
        assert [s.decode() if isinstance(s, bytes) else s for s in sent] == [
            base64.b64encode(md5).decode()
        ]
        assert blob.info.md5 == md5.hex()
        fs.invalidate_cache()
        assert fs.cat(f"commit-bucket/org/{store.config.relative(blob.info.sha256)}") == data  # type: ignore[attr-defined]
