"""How the files layer plugs into the hub: its tables are their own migration chain,
its stores are the connector registry's ``files`` kind (from the entry point, like any
connector), and the Runtime's file-stores service gives the org its stores only while
it runs."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from switchboard import patterns
from switchboard.connectors.files import FilesConnectorFactory
from switchboard.connectors.registry import ConnectorRegistry
from switchboard.core.settings import load
from switchboard.org.files.errors import StoreUnavailable
from switchboard.org.files.stores import chunks_of
from switchboard.runtime import Runtime
from switchboard.store.migrations import versions


def test_the_files_kind_is_the_registrys_entry_point() -> None:
    registry = ConnectorRegistry()
    assert "files" in registry.kinds()
    assert isinstance(registry.factory("files"), FilesConnectorFactory)


def test_stores_serve_while_the_runtime_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(patterns, "PATTERN_FACTORIES", [])
    rt = Runtime(load(data_dir=tmp_path)).open()
    files = rt.org.files
    with rt.org.store.read() as conn:
        assert versions(conn)["files"] == 1
    url = files.config.default_url

    async def run() -> None:
        with pytest.raises(StoreUnavailable):  # built, not started: no store yet
            files.storage.upload(url, chunks_of(b"early"))
        await rt.start()
        blob = files.storage.upload(url, chunks_of(b"%PDF-1.7 hello"))
        assert b"".join(files.storage.read(url, blob.info.sha256)) == b"%PDF-1.7 hello"
        await rt.stop()
        with pytest.raises(StoreUnavailable):
            list(files.storage.read(url, blob.info.sha256))

    asyncio.run(run())
    assert any(p.is_file() for p in (tmp_path / "files").rglob("*"))
