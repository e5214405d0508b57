"""The Runtime in process: start order, reverse stop, idempotent stop, no shared parts
between two Runtimes, and pattern routes authenticated like REST."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.responses import JSONResponse

from switchboard import patterns
from switchboard.api.app import create_app
from switchboard.core.settings import load
from switchboard.org.identity.tokens import mint
from switchboard.runtime import Runtime
from switchboard.runtime.service import ApiRoute


class Recorder:
    def __init__(self, name: str, log: list[str], fail: bool = False) -> None:
        self.name, self.log, self.fail = name, log, fail

    async def start(self) -> None:
        if self.fail:
            raise RuntimeError(f"{self.name} cannot start")
        self.log.append(f"start {self.name}")

    async def stop(self) -> None:
        self.log.append(f"stop {self.name}")


@pytest.fixture(autouse=True)
def no_patterns(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Runtime's own parts only (the installed patterns are tested with them)."""
    monkeypatch.setattr(patterns, "PATTERN_FACTORIES", [])


def _runtime(tmp: Path, db: str | None = None) -> Runtime:
    return Runtime(load(data_dir=tmp, db=db, event_poll_interval=0.05)).open()


def test_starts_in_order_and_stops_in_reverse_once(tmp_path: Path, db_url: str) -> None:
    log: list[str] = []
    rt = _runtime(tmp_path, db_url)
    # The Runtime's own parts come first: the hub, the bulk worker, the event log
    # capture (org.security.trail), the connectors and the org's file stores (opened
    # through them).
    names = [s.name for s in rt.services]
    assert names == ["event-hub", "bulk-worker", "event-capture", "connectors", "file-stores"]
    for name in ("a", "b", "c"):
        rt.add_service(Recorder(name, log))
    close = rt.org.close
    rt.org.close = lambda: (log.append("close org"), close())  # type: ignore[method-assign]

    async def run() -> None:
        await rt.start()
        assert rt.hub._thread is not None and rt.hub._thread.is_alive()
        # On PostgreSQL the hub also listens for other processes' commits.
        assert (rt.hub._listener is not None) == rt.org.store.dialect.listens
        assert rt.org.files.storage.attached
        await rt.stop()
        assert not rt.org.files.storage.attached  # no request reaches a store after stop
        await rt.stop()  # idempotent: nothing stops twice

    asyncio.run(run())
    # The org closes last, once, after every service stopped.
    assert log == ["start a", "start b", "start c", "stop c", "stop b", "stop a", "close org"]
    assert rt.hub._thread is None and rt.bulk._thread is None and rt.hub._listener is None


def test_a_failed_start_stops_what_started(tmp_path: Path) -> None:
    log: list[str] = []
    rt = _runtime(tmp_path)
    rt.add_service(Recorder("a", log))
    rt.add_service(Recorder("b", log, fail=True))
    rt.add_service(Recorder("c", log))
    with pytest.raises(RuntimeError, match="b cannot start"):
        asyncio.run(rt.start())
    assert log == ["start a", "stop a"]
    assert rt.hub._thread is None


def test_two_runtimes_share_no_live_part(tmp_path: Path) -> None:
    one, two = _runtime(tmp_path / "one"), _runtime(tmp_path / "two")
    try:
        assert one.hub is not two.hub and one.soql is not two.soql
        assert one.bulk is not two.bulk and one.bulk.soql is one.soql
        assert one.soql.cache is not two.soql.cache
        assert one.org.org_id != two.org.org_id
    finally:
        asyncio.run(one.stop())
        asyncio.run(two.stop())


class EchoPattern:
    name = "echo"

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime

    def routes(self) -> list[ApiRoute]:
        async def echo(call: Any) -> JSONResponse:
            return JSONResponse({"user": call.session.user_id, "org": call.runtime.org.org_id})

        return [ApiRoute("/services/data/{version}/echo", {"GET": echo})]

    def services(self) -> list[Any]:
        return []

    def apply(self, project: Any) -> None:
        pass


def test_pattern_routes_are_authenticated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(patterns, "PATTERN_FACTORIES", [EchoPattern])
    rt = _runtime(tmp_path)
    boot = rt.org.boot
    assert boot is not None
    token = rt.org.store.write(
        lambda c: mint(c, boot.org_id, boot.admin_user_id, client_id=None, lifetime_seconds=60)
    )

    async def run() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=create_app(rt))
        async with httpx.AsyncClient(transport=transport, base_url="http://sb") as client:
            anonymous = await client.get("/services/data/v59.0/echo")
            signed = await client.get(
                "/services/data/v59.0/echo", headers={"Authorization": f"Bearer {token}"}
            )
        return anonymous, signed

    try:
        anonymous, signed = asyncio.run(run())
    finally:
        asyncio.run(rt.stop())
    assert anonymous.status_code == 401
    assert anonymous.json()[0]["errorCode"] == "INVALID_SESSION_ID"
    assert signed.status_code == 200
    assert signed.json() == {"user": boot.admin_user_id, "org": boot.org_id}


class Picky:
    """A pattern that takes any project but ``"bad"``; records what it holds."""

    name = "picky"

    def __init__(self, runtime: Any) -> None:
        self.held: Any = None

    def routes(self) -> list[Any]:
        return []

    def services(self) -> list[Any]:
        return []

    def apply(self, project: Any) -> None:
        if project == "bad":
            raise ValueError("refused")
        self.held = project


class Taker(Picky):
    name = "taker"

    def apply(self, project: Any) -> None:
        self.held = project


def test_a_refused_reload_leaves_every_pattern_on_the_old_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(patterns, "PATTERN_FACTORIES", [Taker, Picky])
    rt = _runtime(tmp_path)
    try:
        rt.apply_project("v1")
        with pytest.raises(ValueError, match="refused"):
            rt.apply_project("bad")  # the first pattern took it before the second refused
        assert rt.project == "v1"
        assert [p.held for p in rt.patterns] == ["v1", "v1"]  # type: ignore[attr-defined]
        rt.apply_project("v2")
        assert [p.held for p in rt.patterns] == ["v2", "v2"]  # type: ignore[attr-defined]
    finally:
        asyncio.run(rt.stop())


class BarePattern(EchoPattern):
    name = "bare"

    def routes(self) -> list[Any]:
        from starlette.routing import Route

        return [Route("/open-door", lambda request: JSONResponse({}))]


def test_a_bare_pattern_route_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(patterns, "PATTERN_FACTORIES", [BarePattern])
    rt = _runtime(tmp_path)
    try:
        with pytest.raises(TypeError, match="must be ApiRoutes"):
            create_app(rt)
    finally:
        asyncio.run(rt.stop())
