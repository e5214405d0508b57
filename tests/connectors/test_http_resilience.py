"""The transport's resilience against a real aiohttp server on 127.0.0.1: breaker, bulkhead,
rate limit, retries that honour Retry-After, timeouts, and what is never retried."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp import web

from connectors.endpoint import Endpoint
from support.server import free_port
from switchboard.connectors.http.breaker import CLOSED, HALF_OPEN, OPEN
from switchboard.connectors.http.client import HttpClient
from switchboard.connectors.http.configuration import CredentialConfig
from switchboard.connectors.http.errors import (
    BulkheadFull,
    CircuitOpen,
    ConnectError,
    HttpStatusError,
    RateLimited,
    ReadTimeout,
)
from switchboard.core.retry import RetryPolicy

FAST_BREAKER = {"min_calls": 5, "window": 10, "failure_rate": 0.5, "open_for": "300ms",
                "trial_calls": 2}  # fmt: skip


def make(url: str, **more: object) -> HttpClient:
    return HttpClient("erp", CredentialConfig(url=url, **more))


async def attempt(c: HttpClient, path: str, **kw: object) -> str:
    try:
        await c.send("GET", path, **kw)  # type: ignore[arg-type]
        return "ok"
    except Exception as exc:
        return type(exc).__name__


async def test_breaker_opens_and_attempts_stop_hitting_the_endpoint() -> None:
    async with Endpoint() as ep:
        ep.reply("GET", "/orders", status=503)
        c = make(ep.url, breaker=FAST_BREAKER)
        outcomes = [await attempt(c, "/orders") for _ in range(20)]
        assert outcomes[:5] == ["HttpStatusError"] * 5
        assert set(outcomes[5:]) == {"CircuitOpen"}
        assert ep.hits["/orders"] == 5 and c.breaker.state == OPEN
        with pytest.raises(CircuitOpen) as info:
            await c.send("GET", "/orders")
        assert info.value.transient and 0 < info.value.retry_after <= 0.3

        # Recovery: after open_for, only trial_calls go through, then the breaker closes.
        ep.reply("GET", "/orders", status=200)
        await asyncio.sleep(0.35)
        outcomes = await asyncio.gather(*(attempt(c, "/orders") for _ in range(6)))
        assert sorted(outcomes) == ["CircuitOpen"] * 4 + ["ok"] * 2
        assert ep.hits["/orders"] == 7 and c.breaker.state == CLOSED
        assert [await attempt(c, "/orders") for _ in range(3)] == ["ok"] * 3
        await c.close()
    assert c.breaker.transitions == [OPEN, HALF_OPEN, CLOSED]


async def test_failed_trials_open_the_breaker_again() -> None:
    async with Endpoint() as ep:
        ep.reply("GET", "/orders", status=500)
        c = make(ep.url, breaker=FAST_BREAKER)
        for _ in range(8):
            await attempt(c, "/orders")
        await asyncio.sleep(0.35)
        outcomes = [await attempt(c, "/orders") for _ in range(5)]
        await c.close()
    assert outcomes == ["HttpStatusError", "HttpStatusError"] + ["CircuitOpen"] * 3
    assert ep.hits["/orders"] == 7 and c.breaker.state == OPEN


async def test_timeouts_count_as_failures_and_no_late_result_is_recorded() -> None:
    async with Endpoint() as ep:
        ep.reply("GET", "/slow", delay=0.5)
        c = make(ep.url, breaker={**FAST_BREAKER, "min_calls": 3})
        started = time.monotonic()
        outcomes = [await attempt(c, "/slow", timeout=0.1) for _ in range(4)]
        assert time.monotonic() - started < 1.0  # each gave up at its timeout
        assert outcomes == ["ReadTimeout"] * 3 + ["CircuitOpen"]
        assert c.breaker.state == OPEN
        transitions = list(c.breaker.transitions)
        await asyncio.sleep(0.6)  # the endpoint's late replies: nothing writes them
        assert c.breaker.transitions == transitions
        await c.close()


async def test_cancelled_half_open_trial_gives_its_slot_back() -> None:
    """resilience4j #544: a trial ending in an ignored exception left the breaker stuck."""
    async with Endpoint() as ep:
        ep.reply("GET", "/x", status=503)
        c = make(ep.url, breaker={**FAST_BREAKER, "trial_calls": 1})
        for _ in range(5):
            await attempt(c, "/x")
        assert c.breaker.state == OPEN
        ep.reply("GET", "/x", delay=5)
        await asyncio.sleep(0.35)
        trial = asyncio.ensure_future(c.send("GET", "/x"))
        await asyncio.sleep(0.1)
        assert await attempt(c, "/x") == "CircuitOpen"  # the one trial slot is taken
        trial.cancel()
        with pytest.raises(asyncio.CancelledError):
            await trial
        ep.reply("GET", "/x")
        assert await attempt(c, "/x") == "ok"  # the slot came back; this trial closes it
        await c.close()
    assert c.breaker.state == CLOSED


async def test_client_errors_do_not_open_the_breaker_and_are_not_retried() -> None:
    async with Endpoint() as ep:
        ep.reply("POST", "/customers", status=422, body=[{"errorCode": "BAD"}])
        c = make(ep.url, breaker=FAST_BREAKER)
        for _ in range(10):
            with pytest.raises(HttpStatusError) as info:
                await c.call("POST", "/customers", policy=RetryPolicy(attempts=5, backoff=0.01))
            assert not info.value.transient and info.value.response.json() == [{"errorCode": "BAD"}]
        await c.close()
    assert ep.hits["/customers"] == 10 and c.breaker.state == CLOSED


async def test_bulkhead_bounds_calls_in_flight() -> None:
    async with Endpoint() as ep:
        ep.reply("GET", "/work", delay=0.15)
        c = make(ep.url, max_in_flight=3)
        outcomes = await asyncio.gather(*(attempt(c, "/work", timeout=5) for _ in range(12)))
        await c.close()
    assert outcomes == ["ok"] * 12
    assert ep.peak == 3 and c.bulkhead.peak == 3


async def test_bulkhead_full_for_the_whole_timeout_is_transient_and_not_sent() -> None:
    async with Endpoint() as ep:
        ep.reply("GET", "/work", delay=0.5)
        c = make(ep.url, max_in_flight=1)
        first = asyncio.ensure_future(c.send("GET", "/work", timeout=5))
        await asyncio.sleep(0.05)
        with pytest.raises(BulkheadFull) as info:
            await c.send("GET", "/work", timeout=0.1)
        await first
        await c.close()
    assert info.value.transient and ep.hits["/work"] == 1 and c.breaker.state == CLOSED


async def test_rate_limit_spaces_calls() -> None:
    async with Endpoint() as ep:
        ep.reply("GET", "/r")
        c = make(ep.url, rate_limit={"per_second": 20, "burst": 1})
        started = time.monotonic()
        await asyncio.gather(*(c.send("GET", "/r") for _ in range(6)))
        elapsed = time.monotonic() - started
        with pytest.raises(RateLimited):
            for _ in range(5):
                await c.send("GET", "/r", timeout=0.01)
        await c.close()
    assert elapsed >= 0.24  # 5 waits of 50 ms after the first token


@pytest.mark.parametrize("status", [429, 503])
async def test_call_honours_retry_after_and_keeps_the_idempotency_key(status: int) -> None:
    async with Endpoint() as ep:
        replies = [web.json_response({}, status=status, headers={"Retry-After": "1"}),
                   web.json_response({"erp_id": "E7"}, status=201)]  # fmt: skip
        times: list[float] = []

        async def flaky(request: web.Request) -> web.Response:
            times.append(time.monotonic())
            return replies.pop(0)

        ep.route("POST", "/customers", flaky)
        c = make(ep.url)
        resp = await c.call("POST", "/customers", body=b"{}", idempotency_key="delivery-42",
                            policy=RetryPolicy(attempts=4, backoff=0.01, max_backoff=10))  # fmt: skip
        await c.close()
    assert resp.json() == {"erp_id": "E7"}
    assert times[1] - times[0] >= 0.95  # waited as asked, not the 10 ms backoff
    assert [s.headers["Idempotency-Key"] for s in ep.seen] == ["delivery-42"] * 2


async def test_5xx_retried_until_the_budget_ends() -> None:
    async with Endpoint() as ep:
        ep.reply("GET", "/down", status=502)
        c = make(ep.url, breaker={"enabled": False})
        with pytest.raises(HttpStatusError) as info:
            await c.call("GET", "/down", policy=RetryPolicy(attempts=3, backoff=0.01))
        await c.close()
    assert info.value.remote_status == 502 and info.value.transient
    assert ep.hits["/down"] == 3


async def test_redirect_is_a_failure_not_followed() -> None:
    async with Endpoint() as ep:
        ep.reply("GET", "/old", status=302, headers={"Location": "/new"})
        ep.reply("GET", "/new")
        c = make(ep.url)
        with pytest.raises(HttpStatusError) as info:
            await c.send("GET", "/old")
        await c.close()
    assert info.value.remote_status == 302 and not info.value.transient
    assert ep.hits["/new"] == 0


async def test_connection_refused_is_transient_connect_error() -> None:
    c = make(f"http://127.0.0.1:{free_port()}", breaker=FAST_BREAKER)
    outcomes = [await attempt(c, "/x") for _ in range(6)]
    with pytest.raises(ConnectError) as info:
        await make(f"http://127.0.0.1:{free_port()}").send("GET", "/x")
    await c.close()
    assert outcomes == ["ConnectError"] * 5 + ["CircuitOpen"]
    assert info.value.transient


async def test_read_timeout_is_transient_and_reports_504() -> None:
    async with Endpoint() as ep:
        ep.reply("GET", "/slow", delay=1)
        c = make(ep.url)
        with pytest.raises(ReadTimeout) as info:
            await c.send("GET", "/slow", timeout=0.1)
        await c.close()
    assert info.value.transient and info.value.status == 504


async def test_path_cannot_leave_the_credentials_host() -> None:
    async with Endpoint() as ep:
        c = make(ep.url)
        for path in ("//evil.example/x", "http://evil.example/x", "x"):
            with pytest.raises(Exception) as info:
                await c.send("GET", path)
            assert not getattr(info.value, "transient", True)
        await c.close()
    assert not ep.seen


async def test_read_timeout_bounds_silence_within_a_longer_total() -> None:
    async with Endpoint() as ep:
        async def stalls(request: web.Request) -> web.StreamResponse:
            resp = web.StreamResponse(status=200)
            await resp.prepare(request)
            await resp.write(b"partial")
            await asyncio.sleep(2)
            return resp

        ep.route("GET", "/stall", stalls)
        c = make(ep.url, read_timeout="200ms")
        started = time.monotonic()
        with pytest.raises(ReadTimeout):
            await c.send("GET", "/stall", timeout=5)
        await c.close()
    assert time.monotonic() - started < 1.5
    assert CredentialConfig(url="http://x").read_timeout is None
