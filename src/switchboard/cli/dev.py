"""``switchboard dev endpoint``: a local HTTP endpoint that fails on purpose.

For rehearsing failures before pointing a callout at a real system. It answers every
method and path; per request it rolls once: below ``--fail-rate`` it answers
``--status`` (with ``Retry-After`` for 429/503), below ``--fail-rate + --timeout-rate``
it holds the request past any caller's timeout (``--hang``) and never answers in time;
otherwise it applies the request once per ``Idempotency-Key`` (a repeated key gets the
stored reply, counted as a duplicate, no second effect). ``--latency`` delays every reply.
With ``--outbound`` it is an Outbound Message receiver: it parses the SOAP envelope,
dedupes on each Notification Id and answers ``notificationsResponse`` with
``<Ack>true</Ack>`` (``--nack`` answers ``false``, to rehearse refusals).

Each request is one line on stdout (time, method, path, status, key, outcome, size);
``GET /_switchboard/stats`` reports the counts as JSON.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any

import typer

app = typer.Typer(help="Tools for building and rehearsing integrations.", no_args_is_help=True)

STATS_PATH = "/_switchboard/stats"
_SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
_OUTBOUND = "http://soap.sforce.com/2005/09/outbound"


def ack_envelope(ack: bool) -> bytes:
    value = "true" if ack else "false"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{_SOAP}">'
        f'<soapenv:Body><notificationsResponse xmlns="{_OUTBOUND}"><Ack>{value}</Ack>'
        "</notificationsResponse></soapenv:Body></soapenv:Envelope>"
    ).encode()


def notification_ids(body: bytes) -> list[str]:
    """The Notification Ids of an Outbound Message envelope (ValueError if it is none)."""
    from defusedxml import ElementTree

    root = ElementTree.fromstring(body)
    call = root.find(f"{{{_SOAP}}}Body/{{{_OUTBOUND}}}notifications")
    if call is None:
        raise ValueError("not a notifications envelope")
    out = [(n.findtext(f"{{{_OUTBOUND}}}Id") or "").strip()
           for n in call.findall(f"{{{_OUTBOUND}}}Notification")]  # fmt: skip
    if not out or not all(out):
        raise ValueError("a notifications envelope without Notification Ids")
    return out


@dataclass
class Endpoint:
    fail_rate: float
    timeout_rate: float
    status: int
    latency: float
    hang: float
    outbound: bool
    nack: bool
    seed: int | None
    random: random.Random = field(init=False)
    replies: dict[str, tuple[int, bytes, str]] = field(default_factory=dict)
    requests: int = 0
    failed: int = 0
    hung: int = 0
    duplicates: int = 0
    notifications: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)

    def stats(self) -> dict[str, Any]:
        return {"requests": self.requests, "effects": len(self.replies), "failed": self.failed,
                "timed_out": self.hung, "duplicates": self.duplicates,
                "notifications": len(self.notifications)}  # fmt: skip

    async def handle(self, request: Any) -> Any:
        from aiohttp import web

        if request.method == "GET" and request.path == STATS_PATH:
            return web.json_response(self.stats())
        self.requests += 1
        body = await request.read()
        key = request.headers.get("Idempotency-Key", "")
        if self.latency:
            await asyncio.sleep(self.latency)
        roll = self.random.random()
        if roll < self.fail_rate:
            self.failed += 1
            headers = {"Retry-After": "0"} if self.status in (429, 503) else {}
            self._log(request, self.status, key, "failed on purpose", len(body))
            return web.json_response({"error": "failed on purpose"}, status=self.status,
                                     headers=headers)  # fmt: skip
        if roll < self.fail_rate + self.timeout_rate:
            self.hung += 1
            self._log(request, 0, key, f"held {self.hang:g}s (timeout on purpose)", len(body))
            await asyncio.sleep(self.hang)
            return web.Response(status=504, text="held past the caller's timeout")
        if self.outbound:
            return self._outbound(request, body, key, web)
        if key and key in self.replies:
            self.duplicates += 1
            status, reply, ctype = self.replies[key]
            self._log(request, status, key, "duplicate (stored reply, no effect)", len(body))
            return web.Response(status=status, body=reply, content_type=ctype)
        number = len(self.replies) + 1
        reply = json.dumps({"id": f"DEV-{number:06d}", "received": len(body)}).encode()
        self.replies[key or f"no-key-{self.requests}"] = (201, reply, "application/json")
        self._log(request, 201, key, "applied", len(body))
        return web.Response(status=201, body=reply, content_type="application/json")

    def _outbound(self, request: Any, body: bytes, key: str, web: Any) -> Any:
        try:
            found = notification_ids(body)
        except Exception as exc:  # not XML, or not an outbound message
            self._log(request, 400, key, f"not an outbound message ({type(exc).__name__})",
                      len(body))  # fmt: skip
            return web.Response(status=400, text="expected a SOAP notifications envelope")
        if self.nack:
            self._log(request, 200, key, f"Ack false for {','.join(found)}", len(body))
            return web.Response(status=200, body=ack_envelope(False), content_type="text/xml")
        new = [n for n in found if n not in self.notifications]
        self.duplicates += len(found) - len(new)
        self.notifications.update(new)
        self.replies.setdefault(key or found[0], (200, ack_envelope(True), "text/xml"))
        self._log(request, 200, key, f"Ack true: {len(new)} new, {len(found) - len(new)} "
                  f"duplicate notification(s) {','.join(found)}", len(body))  # fmt: skip
        return web.Response(status=200, body=ack_envelope(True), content_type="text/xml")

    def _log(self, request: Any, status: int, key: str, outcome: str, size: int) -> None:
        stamp = (
            time.strftime("%H:%M:%S", time.localtime()) + f".{int(time.time() * 1000) % 1000:03d}"
        )
        answer = str(status) if status else "---"
        print(f"{stamp} {request.method} {request.path_qs} {answer} key={key or '-'} "
              f"bytes={size} {outcome}", flush=True)  # fmt: skip


def _seconds(value: str, option: str) -> float:
    from ..core.durations import parse_duration

    try:
        return parse_duration(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r}: write a duration such as 50ms, 2s or 1m",
                                 param_hint=option) from None  # fmt: skip


def _rate(value: float, option: str) -> float:
    if not 0.0 <= value <= 1.0:
        raise typer.BadParameter("a rate between 0 and 1", param_hint=option)
    return value


@app.command("endpoint")
def endpoint(
    port: int = typer.Option(9000, "--port", help="Port to listen on."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind."),
    fail_rate: float = typer.Option(0.0, "--fail-rate", help="Share of requests that fail."),
    status: int = typer.Option(503, "--status", help="Status the failing requests get."),
    latency: str = typer.Option("0ms", "--latency", help="Delay before every reply (50ms)."),
    timeout_rate: float = typer.Option(
        0.0, "--timeout-rate", help="Share of requests held past the caller's timeout."
    ),
    hang: str = typer.Option("300s", "--hang", help="How long a timed-out request is held."),
    outbound: bool = typer.Option(
        False, "--outbound", help="Receive Salesforce Outbound Messages and answer Ack."
    ),
    nack: bool = typer.Option(False, "--nack", help="With --outbound: answer Ack false."),
    seed: int = typer.Option(None, "--seed", help="Seed of the failure rolls (repeatable runs)."),
) -> None:
    """Serve a local endpoint that fails on purpose and logs each request it receives."""

    if not 100 <= status <= 599:
        raise typer.BadParameter("an HTTP status from 100 to 599", param_hint="--status")
    ep = Endpoint(_rate(fail_rate, "--fail-rate"), _rate(timeout_rate, "--timeout-rate"),
                  status, _seconds(latency, "--latency"), _seconds(hang, "--hang"),
                  outbound, nack, seed)  # fmt: skip
    try:
        asyncio.run(_serve(ep, host, port, fail_rate, timeout_rate, latency))
    except OSError as exc:
        typer.echo(f"error: cannot listen on {host}:{port}: {exc.strerror}", err=True)
        raise typer.Exit(1) from None


async def _serve(ep: Endpoint, host: str, port: int, fail_rate: float, timeout_rate: float,
                 latency: str) -> None:  # fmt: skip
    import signal

    from aiohttp import web

    server = web.Application(client_max_size=64 * 1024 * 1024)
    server.router.add_route("*", "/{tail:.*}", ep.handle)
    # Held requests are dropped at once on exit, not waited for.
    runner = web.AppRunner(server, access_log=None, shutdown_timeout=0.2)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        kind = "Outbound Message receiver" if ep.outbound else "endpoint"
        print(f"dev {kind} on http://{host}:{port} (fail-rate {fail_rate:g} with {ep.status}, "
              f"timeout-rate {timeout_rate:g}, latency {latency}); stats at {STATS_PATH}",
              flush=True)  # fmt: skip
        print("ready", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        print(f"stopping: {json.dumps(ep.stats())}", flush=True)
    finally:
        await runner.cleanup()


__all__ = ["Endpoint", "ack_envelope", "app", "notification_ids"]
