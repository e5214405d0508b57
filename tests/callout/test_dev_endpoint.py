"""`switchboard dev endpoint` as a real process: failures on purpose, latency, timeouts,
dedup by Idempotency-Key, one log line per request, Outbound Message acks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from support.server import free_port

BIN = Path(sys.executable).with_name("switchboard")
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
OUTBOUND = "http://soap.sforce.com/2005/09/outbound"


class Dev:
    def __init__(self, *args: str) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [str(BIN), "dev", "endpoint", "--port", str(self.port), *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        deadline = time.monotonic() + 20
        for line in self.proc.stdout:
            if line.strip() == "ready":
                break
            if time.monotonic() > deadline:
                raise AssertionError("dev endpoint did not start")
        else:
            raise AssertionError(f"dev endpoint exited: {self.proc.wait()}")
        self.url = f"http://127.0.0.1:{self.port}"

    def stats(self) -> dict[str, int]:
        return httpx.get(f"{self.url}/_switchboard/stats", timeout=5).json()  # type: ignore[no-any-return]

    def stop(self) -> list[str]:
        """Stop it (SIGINT) and return the request log lines it printed."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        out, _ = self.proc.communicate(timeout=15)
        return [line for line in out.splitlines() if " key=" in line]


@pytest.fixture
def dev() -> Iterator[Callable[..., Dev]]:
    started: list[Dev] = []

    def make(*args: str) -> Dev:
        d = Dev(*args)
        started.append(d)
        return d

    yield make
    for d in started:
        if d.proc.poll() is None:
            d.proc.kill()
            d.proc.wait(10)


def test_fails_at_the_rate_and_dedupes_by_key(dev: Callable[..., Dev]) -> None:
    ep = dev("--fail-rate", "0.3", "--status", "503", "--seed", "7")
    statuses = []
    with httpx.Client(timeout=5) as client:
        for i in range(200):
            r = client.post(f"{ep.url}/orders", json={"n": i}, headers={"Idempotency-Key": f"k{i}"})
            statuses.append(r.status_code)
            if r.status_code == 503:
                assert r.headers["Retry-After"] == "0"
        failed = statuses.count(503)
        assert 30 <= failed <= 90, failed  # 30% of 200, loosely
        assert set(statuses) == {201, 503}
        # every key until it went through once: each has exactly one effect
        for i in range(200):
            while client.post(f"{ep.url}/orders", json={"n": i},
                              headers={"Idempotency-Key": f"k{i}"}).status_code != 201:  # fmt: skip
                pass
    stats = ep.stats()
    assert stats["effects"] == 200
    assert stats["duplicates"] == statuses.count(201)  # the keys that had already passed
    lines = ep.stop()
    assert len(lines) == stats["requests"]
    assert any(" 503 key=k" in line and "failed on purpose" in line for line in lines)
    assert any("duplicate" in line for line in lines)


def test_other_status_and_latency(dev: Callable[..., Dev]) -> None:
    ep = dev("--fail-rate", "1", "--status", "429", "--latency", "150ms")
    t0 = time.perf_counter()
    r = httpx.put(f"{ep.url}/x", content=b"abc", timeout=5)
    assert r.status_code == 429
    assert time.perf_counter() - t0 >= 0.15
    line = ep.stop()[0]
    assert "PUT /x 429 key=- bytes=3" in line


def test_timeout_rate_never_answers_in_time(dev: Callable[..., Dev]) -> None:
    ep = dev("--timeout-rate", "1", "--hang", "30s")
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{ep.url}/slow", json={}, headers={"Idempotency-Key": "a"}, timeout=0.5)
    assert ep.stats()["timed_out"] == 1
    assert ep.stats()["effects"] == 0
    assert "timeout on purpose" in ep.stop()[0]


def _envelope(*ids: str) -> bytes:
    notes = "".join(
        f'<Notification><Id>{i}</Id><sObject xsi:type="sf:Account" '
        f'xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>001000000000001AAA</sf:Id>'
        "</sObject></Notification>"
        for i in ids
    )
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>'
        f'<notifications xmlns="{OUTBOUND}"><OrganizationId>00D000000000001AAA</OrganizationId>'
        '<ActionId>04k000000000001AAA</ActionId><SessionId xsi:nil="true"/>'
        "<EnterpriseUrl>http://h/e</EnterpriseUrl><PartnerUrl>http://h/p</PartnerUrl>"
        f"{notes}</notifications></soapenv:Body></soapenv:Envelope>"
    ).encode()


def test_outbound_receiver_acks_and_dedupes(dev: Callable[..., Dev]) -> None:
    from defusedxml import ElementTree

    ep = dev("--outbound")
    r = httpx.post(ep.url, content=_envelope("04l000000000001AAA", "04l000000000002AAA"),
                   headers={"Content-Type": "text/xml", "SOAPAction": '""'})  # fmt: skip
    assert r.status_code == 200
    root = ElementTree.fromstring(r.content)
    ack = root.find(f"{{{SOAP}}}Body/{{{OUTBOUND}}}notificationsResponse/{{{OUTBOUND}}}Ack")
    assert ack is not None and ack.text == "true"
    httpx.post(ep.url, content=_envelope("04l000000000001AAA"))
    assert httpx.post(ep.url, content=b"not xml").status_code == 400
    stats = ep.stats()
    assert stats["notifications"] == 2
    assert stats["duplicates"] == 1
    ep.stop()


def test_outbound_nack(dev: Callable[..., Dev]) -> None:
    ep = dev("--outbound", "--nack")
    r = httpx.post(ep.url, content=_envelope("04l000000000001AAA"))
    assert r.status_code == 200 and b"<Ack>false</Ack>" in r.content
    ep.stop()


def test_bad_options_exit_nonzero() -> None:
    out = subprocess.run([str(BIN), "dev", "endpoint", "--fail-rate", "2"], capture_output=True,
                         text=True, timeout=30, env={**os.environ, "NO_COLOR": "1"})  # fmt: skip
    assert out.returncode != 0
    assert "rate between 0 and 1" in out.stdout + out.stderr
