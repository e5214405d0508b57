"""Helpers for REST tests: raw HTTP beside simple-salesforce, deploys, direct row counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa

from switchboard.store import open_store

from .server import Server

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
_stores: dict[str, Any] = {}


def deploy(server: Server, name: str) -> None:
    """``switchboard org deploy`` of a fixture project against the running server."""
    server.cli("org", "deploy", str(FIXTURES / name))


def count(server: Server, object_name: str, *, live: bool = True) -> int:
    """Rows of an object's table, read straight from the database the server uses."""
    store = _stores.get(server.db)
    if store is None:
        store = _stores[server.db] = open_store(server.db)
    table = sa.table("o_" + object_name.lower(), sa.column("isdeleted"))
    query = sa.select(sa.func.count()).select_from(table)
    if live:
        query = query.where(table.c.isdeleted.is_(False))
    with store.read() as conn:
        return int(conn.execute(query).scalar() or 0)


class Raw:
    """Plain HTTP on the server for what simple-salesforce cannot send (bad JSON, PUT)."""

    def __init__(self, server: Server, token: str, version: str = "59.0") -> None:
        self.base = f"{server.instance_url}/services/data/v{version}"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def __call__(self, method: str, path: str, **kw: Any) -> requests.Response:
        return self.http.request(method, self.base + path, timeout=60, **kw)


def error(resp: requests.Response) -> dict[str, Any]:
    """The single Salesforce error entry of a reply, checking the array shape."""
    body = resp.json()
    assert isinstance(body, list) and len(body) == 1, body
    assert set(body[0]) == {"message", "errorCode", "fields"}, body
    return body[0]
