# ruff: noqa: S608  (SOQL text built from generated fragments; no SQL is built here)
"""Hostile-input soak: memory stays flat, no 5xx, and the log carries no record data.

Per backend, starts ``switchboard up`` (plain HTTP) on a fresh database and sends,
from 16 concurrent clients, ``--count`` valid requests (creates, retrieves, updates,
queries, composite) and then ``--count`` hostile ones (NUL bytes in fields, literals,
paths and CSV; over-long values; 2,000 unknown fields; out-of-range numbers and date
literals; 1,001-term WHEREs; malformed JSON; composite junk; SOAP with XXE, billion
laughs and unknown encodings; OAuth junk; bodies over the limit). Every value sent
carries a marker, so a record value or bound parameter that reaches the log is found.
Prints the server's RSS after startup, after the valid phase and after the hostile
phase, the hostile/valid ratio (the bar: at most 1.2), the status counts and the log
findings.

    .venv/bin/python bench/soak_hostile.py [--count 50000] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.databases import database_url  # noqa: E402
from support.server import Server, free_port  # noqa: E402

V = "/services/data/v59.0"
MARK = "SOAKVAL" + secrets.token_hex(4)  # in every value sent; must never reach the log
Request = tuple[str, str, dict[str, Any]]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _json(value: Any) -> dict[str, Any]:
    return {"data": json.dumps(value), "headers": {"Content-Type": "application/json"}}


def valid(rnd: random.Random, ids: list[str]) -> Request:
    kind = rnd.randrange(6)
    if kind <= 1 or not ids:
        body = {"Name": f"{MARK} {rnd.random()}", "NumberOfEmployees": rnd.randrange(10_000)}
        return "POST", f"{V}/sobjects/Account", _json(body)
    rid = rnd.choice(ids)
    if kind == 2:
        return "GET", f"{V}/sobjects/Account/{rid}", {}
    if kind == 3:
        return "PATCH", f"{V}/sobjects/Account/{rid}", _json({"Description": f"{MARK} d"})
    if kind == 4:
        q = f"SELECT Id, Name FROM Account WHERE Name LIKE '{MARK}%' LIMIT 20"
        return "GET", f"{V}/query", {"params": {"q": q}}
    sub = [{"method": "GET", "url": f"{V}/sobjects/Account/{rid}", "referenceId": "r"}]
    return "POST", f"{V}/composite", _json({"compositeRequest": sub})


_SOAP = (
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:urn="urn:partner.soap.sforce.com"><soapenv:Body><urn:login>'
    "<urn:username>{u}</urn:username><urn:password>{p}</urn:password>"
    "</urn:login></soapenv:Body></soapenv:Envelope>"
)
_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE e [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
)


def hostile(rnd: random.Random, ids: list[str]) -> Request:
    rid = rnd.choice(ids) if ids else "001000000000000AAA"
    m = MARK
    choices: list[Callable[[], Request]] = [
        lambda: ("POST", f"{V}/sobjects/Account", _json({"Name": f"{m}\u0000x"})),
        lambda: ("POST", f"{V}/sobjects/Account", _json({"Name": m * 40_000})),
        lambda: (
            "POST",
            f"{V}/sobjects/Account",
            _json({"Name": m, **{f"{m}{i}__c": m for i in range(2000)}}),
        ),
        lambda: ("POST", f"{V}/sobjects/Account", _json({"Name": m, "NumberOfEmployees": 2**70})),
        lambda: ("PATCH", f"{V}/sobjects/Account/{rid}", _json({"AnnualRevenue": f"{m}1e400"})),
        lambda: ("GET", f"{V}/sobjects/Account/{m}%00", {}),
        lambda: ("GET", f"{V}/jobs/ingest/{m}%00", {}),
        lambda: (
            "GET",
            f"{V}/query",
            {"params": {"q": f"SELECT Id FROM Account WHERE Name = '{m}\x00'"}},
        ),
        lambda: (
            "GET",
            f"{V}/query",
            {"params": {"q": "SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS:99999999999"}},
        ),
        lambda: (
            "GET",
            f"{V}/query",
            {
                "params": {
                    "q": "SELECT Id FROM Account WHERE NumberOfEmployees = 9223372036854775808"
                }
            },
        ),
        lambda: (
            "POST",
            f"{V}/composite",
            _json(
                {
                    "compositeRequest": [
                        {
                            "method": "GET",
                            "url": f"{V}/query?q="
                            + "+OR+".join(f"Name='{m}{i}'" for i in range(1001)).join(
                                ["SELECT+Id+FROM+Account+WHERE+", ""]
                            ),
                            "referenceId": "q",
                        }
                    ]
                }
            ),
        ),
        lambda: (
            "POST",
            f"{V}/sobjects/Account",
            {
                "data": b'{"Name": "' + m.encode() + b'",',
                "headers": {"Content-Type": "application/json"},
            },
        ),
        lambda: (
            "POST",
            f"{V}/composite",
            _json(
                {
                    "compositeRequest": [
                        {
                            "method": "GET",
                            "url": f"{V}/limits",
                            "referenceId": "a",
                            "httpHeaders": m,
                        }
                    ]
                }
            ),
        ),
        lambda: (
            "POST",
            "/services/Soap/u/59.0",
            {
                "data": (_LAUGHS + _SOAP.format(u="&c;", p=m)).encode(),
                "headers": {"Content-Type": "text/xml", "SOAPAction": "login"},
            },
        ),
        lambda: (
            "POST",
            "/services/Soap/u/59.0",
            {
                "data": ('<?xml version="1.0" encoding="tf-8"?>' + _SOAP.format(u=m, p=m)).encode(),
                "headers": {"Content-Type": "text/xml", "SOAPAction": "login"},
            },
        ),
        lambda: (
            "POST",
            "/services/oauth2/token",
            {"data": {"grant_type": "password", "username": f"{m}\x00", "password": m}},
        ),
        lambda: (
            "POST",
            f"{V}/sobjects/Account",
            {"data": b"[" * 100_000, "headers": {"Content-Type": "application/json"}},
        ),
        lambda: ("GET", f"{V}/query?q=" + m * 3000, {}),
    ]
    return rnd.choice(choices)()


async def _phase(
    base: str,
    token: str,
    count: int,
    make: Callable[[random.Random, list[str]], Request],
    ids: list[str],
    pid: int,
    series: list[float],
) -> Counter[int]:
    statuses: Counter[int] = Counter()
    errors: list[str] = []
    rnd = random.Random(7)
    queue: asyncio.Queue[Request | None] = asyncio.Queue(maxsize=64)
    headers = {"Authorization": f"Bearer {token}"}
    timeout = aiohttp.ClientTimeout(total=120)

    async def worker(session: aiohttp.ClientSession) -> None:
        while (item := await queue.get()) is not None:
            try:
                await one(session, item)
            except Exception as exc:  # noqa: BLE001 (a failed request is counted, never a hang)
                statuses[-1] += 1  # the connection failed: counted, shown in the figures
                errors.append(f"{item[0]} {item[1][:80]}: {type(exc).__name__} {exc}"[:300])

    async def one(session: aiohttp.ClientSession, item: Request) -> None:
        method, path, kw = item
        kw = dict(kw, headers={**headers, **kw.get("headers", {})})
        async with session.request(method, base + path, **kw) as resp:
            body = await resp.read()
            status = resp.status
            if status == 500 and path.startswith("/services/Soap/") and b"Fault>" in body:
                status = 1500  # a SOAP fault: 500 by the SOAP binding, counted apart
            statuses[status] += 1
            if resp.status == 201 and len(ids) < 5000:
                ids.append(json.loads(body)["id"])

    async with aiohttp.ClientSession(timeout=timeout) as session:
        workers = [asyncio.create_task(worker(session)) for _ in range(16)]
        for n in range(count):
            await queue.put(make(rnd, ids))
            if n % max(1, count // 10) == 0:
                series.append(rss_mb(pid))
        for _ in workers:
            await queue.put(None)
        await asyncio.gather(*workers)
    for line in errors[:5]:
        print("  connection error:", line, flush=True)
    return statuses


@contextmanager
def _server(backend: str, tmp: Path) -> Iterator[Server]:
    with database_url(backend, tmp) as url:
        srv = Server(data_dir=tmp, db=url, port=free_port(), tls=False).start()
        try:
            yield srv
        finally:
            srv.stop()


def soak(backend: str, count: int) -> bool:
    with tempfile.TemporaryDirectory() as tmp, _server(backend, Path(tmp)) as srv:
        assert srv.proc is not None
        pid, token, ids = srv.proc.pid, srv.token(), []
        warm: list[float] = []
        valid_series: list[float] = []
        hostile_series: list[float] = []
        asyncio.run(_phase(srv.instance_url, token, 500, valid, ids, pid, warm))
        start = rss_mb(pid)
        t0 = time.monotonic()
        ok = asyncio.run(_phase(srv.instance_url, token, count, valid, ids, pid, valid_series))
        after_valid = rss_mb(pid)
        t1 = time.monotonic()
        bad = asyncio.run(_phase(srv.instance_url, token, count, hostile, ids, pid, hostile_series))
        after_hostile = rss_mb(pid)
        t2 = time.monotonic()
        srv.stop()
        log = "".join(srv.output)
    ratio = after_hostile / after_valid
    fivexx = sum(n for s, n in (ok + bad).items() if 500 <= s < 600)
    leaks = {
        "record value (marker)": log.count(MARK),
        "[parameters: ...] blocks": log.count("[parameters:"),
        "NUL bytes": log.count("\x00"),
    }
    print(f"== {backend}: {count} valid then {count} hostile requests")
    print(f"  RSS after warm-up      {start:8.1f} MB")
    print(f"  RSS after valid        {after_valid:8.1f} MB  ({count / (t1 - t0):.0f} req/s)")
    print(f"  RSS after hostile      {after_hostile:8.1f} MB  ({count / (t2 - t1):.0f} req/s)")
    print(f"  hostile / valid        {ratio:8.2f}  (bar: <= 1.20)")
    print("  RSS during valid       " + " ".join(f"{x:.0f}" for x in valid_series))
    print("  RSS during hostile     " + " ".join(f"{x:.0f}" for x in hostile_series))
    print(f"  valid statuses         {dict(sorted(ok.items()))}")
    print(f"  hostile statuses       {dict(sorted(bad.items()))}  (1500 = SOAP fault)")
    print(f"  5xx                    {fivexx}")
    print(
        f"  log: {len(log.splitlines())} lines; " + ", ".join(f"{k}: {v}" for k, v in leaks.items())
    )
    return ratio <= 1.2 and fivexx == 0 and not any(leaks.values())


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--count", type=int, default=50_000, help="requests per phase")
    ap.add_argument("--backends", default="sqlite,postgresql")
    args = ap.parse_args()
    os.environ.setdefault("SWITCHBOARD_REQUIRE_SERVICES", "1")
    results = [soak(b, args.count) for b in args.backends.split(",")]
    print("PASS" if all(results) else "FAIL")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
