"""A local ERP endpoint for call-out tests and benchmarks, run as its own process.

``POST /customers`` creates a customer once per ``Idempotency-Key``: a repeated key gets
the stored reply and no second effect, as the IETF draft describes. It fails on purpose
when asked: ``--fail-rate`` answers 503 (with ``Retry-After: 0``) before any effect,
``--timeout-rate`` applies the effect and then answers too late for the caller (the
retry must find the stored reply), ``--down`` answers 503 to everything until
``POST /control {"down": false}``; ``--latency`` delays every reply. ``GET /stats`` reports requests, effects and keys.

    python tests/callout/erp.py --port P [--fail-rate 0.3] [--timeout-rate 0.1 --delay 3]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from typing import Any

from aiohttp import web


class Erp:
    def __init__(
        self, fail_rate: float, timeout_rate: float, delay: float, seed: int, latency: float = 0.0
    ) -> None:
        self.latency = latency
        self.fail_rate = fail_rate
        self.timeout_rate = timeout_rate
        self.delay = delay
        self.down = False
        self.random = random.Random(seed)
        self.replies: dict[str, dict[str, Any]] = {}
        self.requests = 0
        self.per_key: dict[str, int] = {}
        self.first_seen: dict[str, float] = {}
        self.bodies: dict[str, Any] = {}
        self.headers: dict[str, dict[str, str]] = {}

    async def customers(self, request: web.Request) -> web.Response:
        self.requests += 1
        key = request.headers.get("Idempotency-Key", "")
        self.per_key[key] = self.per_key.get(key, 0) + 1
        self.first_seen.setdefault(key, time.time())
        if not key:
            return web.json_response({"error": "Idempotency-Key required"}, status=400)
        if self.latency:
            await asyncio.sleep(self.latency)
        if self.down:
            return web.json_response({"error": "down"}, status=503, headers={"Retry-After": "0"})
        roll = self.random.random()
        if roll < self.fail_rate:
            return web.json_response({"error": "busy"}, status=503, headers={"Retry-After": "0"})
        reply = self.replies.get(key)
        if reply is None:
            body = await request.json()
            reply = self.replies[key] = {"erp_id": f"ERP-{len(self.replies) + 1:06d}"}
            self.bodies[key] = body
            self.headers[key] = dict(request.headers)
        if roll < self.fail_rate + self.timeout_rate:
            await asyncio.sleep(self.delay)
        return web.json_response(reply, status=201)

    async def stats(self, _request: web.Request) -> web.Response:
        return web.json_response({
            "requests": self.requests,
            "effects": len(self.replies),
            "keys": len(self.per_key),
            "max_requests_per_key": max(self.per_key.values(), default=0),
            "first_seen": self.first_seen if _request.query.get("times") else None,
            "bodies": self.bodies if _request.query.get("bodies") else None,
            "headers": self.headers if _request.query.get("bodies") else None,
            "replies": self.replies if _request.query.get("bodies") else None,
            "per_key": self.per_key if _request.query.get("keys") else None,
        })  # fmt: skip

    async def control(self, request: web.Request) -> web.Response:
        body = await request.json()
        if "down" in body:
            self.down = bool(body["down"])
        if "fail_rate" in body:
            self.fail_rate = float(body["fail_rate"])
        if "timeout_rate" in body:
            self.timeout_rate = float(body["timeout_rate"])
        return web.json_response({"down": self.down})


def app(erp: Erp) -> web.Application:
    application = web.Application()
    application.router.add_post("/customers", erp.customers)
    application.router.add_get("/stats", erp.stats)
    application.router.add_post("/control", erp.control)
    return application


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--timeout-rate", type=float, default=0.0)
    parser.add_argument("--delay", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before every reply")
    args = parser.parse_args()
    erp = Erp(args.fail_rate, args.timeout_rate, args.delay, args.seed, args.latency)
    print("ready", flush=True)
    web.run_app(app(erp), host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
