"""The ASGI app of an org, in process: the one place tests build it.

``create_app``'s argument is changing (an :class:`Org` now, a Runtime later); tests that
want the app in process call :func:`asgi_app` so that change touches this file alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from switchboard.api.app import create_app
from switchboard.core.settings import load
from switchboard.org.bulk.worker import BulkWorker
from switchboard.org.identity.tokens import mint
from switchboard.org.runtime import Org


def asgi_app(org: Org) -> Any:
    """The app serving ``org``'s APIs."""
    return create_app(org)


def admin_token(org: Org) -> str:
    """A fresh access token of the bootstrapped admin user."""
    assert org.boot is not None
    boot = org.boot
    return org.store.write(
        lambda c: mint(c, boot.org_id, boot.admin_user_id, client_id=None, lifetime_seconds=3600)
    )


@contextmanager
def open_org(data_dir: Path, db: str, *, bulk_worker: bool = False) -> Iterator[Org]:
    """An org on ``db`` (and its bulk worker, if asked), closed afterwards."""
    org = Org.open(load(data_dir=data_dir, db=db, schema_poll_interval=0.2))
    worker = BulkWorker(org, poll_interval=0.05).start() if bulk_worker else None
    try:
        yield org
    finally:
        if worker is not None:
            worker.stop()
        org.close()


__all__ = ["admin_token", "asgi_app", "open_org"]
