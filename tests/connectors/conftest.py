"""Connector fixtures: a sealed secret store on a real SQLite file, async tests."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

from switchboard.core.crypto import generate_key
from switchboard.org.secrets import SecretStore
from switchboard.org.secrets.tables import CHAIN
from switchboard.store import open_store
from switchboard.store.migrations import migrate


@pytest.fixture
def secret_store(tmp_path: Path) -> Iterator[SecretStore]:
    store = open_store(f"sqlite:///{tmp_path / 'org.db'}")
    migrate(store, [CHAIN])
    try:
        yield SecretStore(store, generate_key())
    finally:
        store.dispose()


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run this folder's ``async def`` tests on a fresh event loop each."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{n: pyfuncitem.funcargs[n] for n in names}))
    return True
