"""The ASGI app of an org, in process: the one place tests build it.

Apps are built through the :class:`Runtime`, as ``switchboard up`` builds them, so the
query engine, event hub and bulk worker a handler reaches are the Runtime's own; a
change to how the app is built touches this file alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from switchboard.api.app import create_app
from switchboard.core.settings import load
from switchboard.org.identity.tokens import mint
from switchboard.org.runtime import Org
from switchboard.runtime import Runtime


def asgi_app(runtime: Runtime) -> Any:
    """The app serving ``runtime``'s APIs (build it after ``runtime.open()``)."""
    return create_app(runtime)


def admin_token(org: Org) -> str:
    """A fresh access token of the bootstrapped admin user."""
    assert org.boot is not None
    boot = org.boot
    return org.store.write(
        lambda c: mint(c, boot.org_id, boot.admin_user_id, client_id=None, lifetime_seconds=3600)
    )


@contextmanager
def open_runtime(
    data_dir: Path, db: str, loop: asyncio.AbstractEventLoop, *, started: bool = False
) -> Iterator[Runtime]:
    """A Runtime over an org on ``db``, stopped (its org closed) afterwards.

    ``started`` starts its services (the event hub, the bulk worker, the patterns') on
    ``loop``, the loop the caller drives the app on; otherwise nothing runs in the
    background and bulk jobs stay queued.
    """
    runtime = Runtime(load(data_dir=data_dir, db=db, schema_poll_interval=0.2)).open()
    runtime.bulk.poll_interval = 0.05  # notified on each new job; the poll is a backstop
    try:
        if started:
            loop.run_until_complete(runtime.start())
        yield runtime
    finally:
        loop.run_until_complete(runtime.stop())


__all__ = ["admin_token", "asgi_app", "open_runtime"]
