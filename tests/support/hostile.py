"""Driving the in-process app with hostile input: a client that counts what it sends and
checks every reply, and a fingerprint of what the store holds.

Every reply must be a success or a Salesforce-shaped error: never a 5xx (a SOAP fault,
500 by the SOAP 1.1 binding, is the one exception and must be a fault envelope), and a
4xx must carry the error shape of the API it addresses.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import sqlalchemy as sa

from switchboard.org.runtime import Org
from switchboard.runtime import Runtime

from .app import admin_token, asgi_app, open_runtime
from .databases import database_url

V = "/services/data/v59.0"
# Tables a rejected request must leave as they were: records of the objects the fuzzers
# write, their change events, and bulk jobs.
WATCHED = ("Account", "Contact", "Lead", "Opportunity", "Case")


def check_reply(path: str, resp: httpx.Response) -> None:
    """Assert ``resp`` is a success or an error in the shape of the API at ``path``."""
    status = resp.status_code
    if path.startswith("/services/Soap/"):
        assert status in (200, 500), (path, status, resp.text[:300])
        if status == 500:
            assert b"<soapenv:Fault>" in resp.content, resp.text[:300]
            assert b"<faultcode>" in resp.content, resp.text[:300]
        return
    assert status < 500, (path, status, resp.text[:500])
    if status < 400:
        return
    if path.startswith("/services/oauth2/authorize"):  # a browser's page, as Salesforce's
        assert resp.headers["content-type"].startswith("text/html"), resp.text[:300]
        return
    body = orjson.loads(resp.content)
    if path.startswith("/services/oauth2/"):
        assert isinstance(body, dict) and {"error", "error_description"} <= set(body), body
        return
    assert isinstance(body, list) and body, body
    for entry in body:
        assert isinstance(entry, dict), body
        assert isinstance(entry.get("message"), str), body
        assert isinstance(entry.get("errorCode"), str) and entry["errorCode"], body
        if "/jobs/" not in path:  # Bulk API 2.0 errors carry no "fields", as Salesforce's
            assert isinstance(entry.get("fields"), list), body


@dataclass
class Hostile:
    """The app of one org's Runtime, a loop to drive it, and the count of requests sent."""

    runtime: Runtime
    org: Org
    client: httpx.AsyncClient
    loop: asyncio.AbstractEventLoop
    sent: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        """Send one request, check its reply's shape, and return it."""
        resp = self.loop.run_until_complete(self.client.request(method, path, **kw))
        self.sent += 1
        self.statuses[resp.status_code] = self.statuses.get(resp.status_code, 0) + 1
        check_reply(path, resp)
        return resp

    def fingerprint(self) -> tuple[int, ...]:
        """Row counts a rejected request must not change."""
        schema = self.org.schema
        queries = [
            sa.select(sa.func.count()).select_from(schema.table(schema.object(name)))
            for name in WATCHED
        ]
        queries.append(sa.select(sa.func.count()).select_from(sa.table("sb_event")))
        with self.org.store.read() as conn:
            return tuple(int(conn.execute(q).scalar() or 0) for q in queries)

    def rejected_changes_nothing(self, method: str, path: str, **kw: Any) -> httpx.Response:
        """Send a request; if it was refused, assert the store is as it was."""
        before = self.fingerprint()
        resp = self.request(method, path, **kw)
        if resp.status_code >= 400:
            assert self.fingerprint() == before, (path, resp.status_code, resp.text[:300])
        return resp


@contextmanager
def hostile_org(backend: str, tmp: Path, *, bulk_worker: bool = False) -> Iterator[Hostile]:
    """An org on ``backend`` with its Runtime's app in process and an admin's client;
    ``bulk_worker`` starts the Runtime's services, so bulk jobs run."""
    loop = asyncio.new_event_loop()
    try:
        with (
            database_url(backend, tmp) as url,
            open_runtime(tmp, url, loop, started=bulk_worker) as runtime,
        ):
            org = runtime.org
            client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=asgi_app(runtime)),
                base_url="http://org.test",
                headers={"Authorization": f"Bearer {admin_token(org)}"},
                timeout=60,
            )
            try:
                yield Hostile(runtime, org, client, loop)
            finally:
                loop.run_until_complete(client.aclose())
    finally:
        loop.close()


__all__ = ["V", "Hostile", "check_reply", "hostile_org"]
