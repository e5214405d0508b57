"""Cost of access-token validation per request, against the same request without it.

    .venv/bin/python bench/auth.py [--db URL-of-an-empty-database] [--requests 3000]

Opens an org (a fresh SQLite file in a temp directory unless ``--db``), mints a token,
then drives the ASGI app in-process with raw ASGI calls (no HTTP client in the way):
``GET /services/data/v59.0/limits`` with the token checked as usual, and the same
request with ``api.call.authenticate`` replaced by a stub that returns the session. The
difference is what validation costs a request: a sha256, one primary-key lookup joined
to the User row, and the expiry and IsActive checks. Also times ``validate`` alone.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from switchboard.api import call as call_mod
from switchboard.api.app import create_app
from switchboard.core.settings import load
from switchboard.org.identity.tokens import mint, validate
from switchboard.org.runtime import Org
from switchboard.runtime import Runtime


async def _request(app: Any, path: str, token: str) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8443"), (b"authorization", f"Bearer {token}".encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8443),
    }
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def _per_request_us(run: Callable[[], None], n: int, rounds: int = 5) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(n):
            run()
        samples.append((time.perf_counter() - start) / n * 1e6)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None)
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sb-bench-auth-"))
    org = Org.open(load(data_dir=tmp, db=args.db, daily_api_requests=10**9))
    boot = org.boot
    assert boot is not None
    token = org.store.write(
        lambda c: mint(c, boot.org_id, boot.admin_user_id, client_id=None, lifetime_seconds=3600)
    )
    users = org.schema.table(org.schema.object("User"))
    session = call_mod.authenticate(org, token)
    app = create_app(Runtime.around(org))
    loop = asyncio.new_event_loop()
    path = "/services/data/v59.0/limits"
    n = args.requests

    def one() -> None:
        assert loop.run_until_complete(_request(app, path, token)) == 200

    def validate_only() -> None:
        with org.store.read() as conn:
            validate(conn, users, org.org_id, token)

    one()  # warm caches, plans and the thread pool
    validate_us = _per_request_us(validate_only, n)
    with_auth = _per_request_us(one, n)
    real = call_mod.authenticate
    call_mod.authenticate = lambda org_, token_: session  # type: ignore[assignment]
    try:
        one()
        without = _per_request_us(one, n)
    finally:
        call_mod.authenticate = real
    org.usage.flush()
    org.close()
    loop.close()
    backend = org.store.dialect.name
    print(f"backend: {backend}, {n} requests x 5 rounds, median per request")
    print(f"validate() alone (connection checkout + sha256 + lookup): {validate_us:8.1f} us")
    print(f"GET limits with token validation:                        {with_auth:8.1f} us")
    print(f"GET limits with validation stubbed out:                  {without:8.1f} us")
    print(
        f"validation cost per request:                             {with_auth - without:8.1f} us"
        f" ({(with_auth - without) / with_auth:.0%} of the request)"
    )


if __name__ == "__main__":
    main()
