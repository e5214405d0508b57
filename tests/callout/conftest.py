"""Call-out fixtures: ERP endpoint processes, killed after each test."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator

import pytest

from callout.harness import ErpProcess
from support.server import free_port


@pytest.fixture
def erp_factory() -> Iterator[Callable[..., ErpProcess]]:
    started: list[ErpProcess] = []

    def make(*args: str) -> ErpProcess:
        erp = ErpProcess(free_port(), list(args)).start()
        started.append(erp)
        return erp

    yield make
    for erp in started:
        erp.stop()


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run this folder's ``async def`` tests on a fresh event loop each."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{n: pyfuncitem.funcargs[n] for n in names}))
    return True
