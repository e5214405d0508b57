"""Security fixtures: an org on each backend served in process, with its admin's
generated password and the bootstrap connected app's secret for real logins."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from support.app import admin_token, asgi_app, open_runtime


@dataclass
class Served:
    runtime: Any
    client: TestClient
    token: str
    username: str
    password: str
    client_id: str
    client_secret: str

    @property
    def org(self) -> Any:
        return self.runtime.org

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def query(self, soql: str) -> dict[str, Any]:
        r = self.client.get("/services/data/v59.0/query", params={"q": soql}, headers=self.auth())
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture
def served(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Served]:
    """``@pytest.mark.started``: with the Runtime's services running (file stores...)."""
    loop = asyncio.new_event_loop()
    started = request.node.get_closest_marker("started") is not None
    try:
        with open_runtime(tmp_path, db_url, loop, started=started) as runtime:
            boot = runtime.org.boot
            with TestClient(asgi_app(runtime), base_url="http://sb") as client:
                yield Served(
                    runtime,
                    client,
                    admin_token(runtime.org),
                    boot.admin_username,
                    boot.generated["admin_password"],
                    boot.client_id,
                    boot.generated["client_secret"],
                )
    finally:
        loop.close()
