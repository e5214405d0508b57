"""The ceiling for bench/rest_crud.py: the same HTTP stack as ``switchboard up``
(uvicorn with uvloop and httptools, Starlette, one worker-thread hop per request,
orjson replies) doing one bare INSERT or SELECT per request on SQLite in WAL mode with
the org's pragmas. Run by the benchmark as a subprocess; not part of the package.

    python bench/ceiling_server.py --port 8001 --db /tmp/ceiling.db
"""

from __future__ import annotations

import argparse
import secrets
import sqlite3
import threading
from datetime import UTC, datetime

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_local = threading.local()
_write = threading.Lock()
DB = ""


def _conn() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(DB, isolation_level=None, check_same_thread=False, timeout=30)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000"):
            conn.execute(f"PRAGMA {pragma}")
        _local.conn = conn
    return conn


def _json(body: object, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json;charset=UTF-8")


async def insert(request: Request) -> Response:
    body = orjson.loads(await request.body())

    def work() -> str:
        rid = "001" + secrets.token_hex(6)[:12] + "AAA"
        now = datetime.now(UTC).isoformat()
        with _write:
            _conn().execute(
                "INSERT INTO account (id, name, createddate) VALUES (?, ?, ?)",
                (rid, body.get("Name"), now),
            )
        return rid

    rid = await run_in_threadpool(work)
    return _json({"id": rid, "success": True, "errors": []}, 201)


async def select(request: Request) -> Response:
    rid = request.path_params["id"]

    def work() -> tuple | None:  # type: ignore[type-arg]
        return (
            _conn()
            .execute("SELECT id, name, createddate FROM account WHERE id = ?", (rid,))
            .fetchone()
        )

    row = await run_in_threadpool(work)
    if row is None:
        return _json([{"errorCode": "NOT_FOUND"}], 404)
    return _json(
        {"attributes": {"type": "Account"}, "Id": row[0], "Name": row[1], "CreatedDate": row[2]}
    )


def main() -> None:
    global DB
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    DB = args.db
    _conn().execute(
        "CREATE TABLE IF NOT EXISTS account (id TEXT PRIMARY KEY, name TEXT, createddate TEXT)"
    )
    app = Starlette(
        routes=[
            Route("/services/data/v59.0/sobjects/Account", insert, methods=["POST"]),
            Route("/services/data/v59.0/sobjects/Account/{id}", select, methods=["GET"]),
        ]
    )
    print("ready", flush=True)
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        loop="uvloop",
        http="httptools",
        timeout_keep_alive=30,
    )


if __name__ == "__main__":
    main()
