"""``switchboard up``: open the org and serve its APIs until interrupted."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from pathlib import Path

import uvicorn

from ..api.app import create_app
from ..api.http_protocol import ShapedHttpToolsProtocol
from ..core.collector import tune_for_server
from ..core.private import UMASK
from ..core.settings import Settings
from ..core.tls import TlsFiles, ensure_local_ca
from ..org.bulk.worker import BulkWorker, register
from ..org.runtime import Org


def _print_generated(org: Org) -> None:
    assert org.boot is not None
    if not org.boot.generated:
        return
    # Shown once, on the first start, and never logged or stored in clear.
    print("Generated credentials (shown only now; store them safely):", flush=True)
    for key, value in org.boot.generated.items():
        print(f"  {key}: {value}", flush=True)


async def _serve(settings: Settings, org: Org, tls: TlsFiles | None) -> None:
    config = uvicorn.Config(
        create_app(org),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
        lifespan="off",
        loop="uvloop",
        http=ShapedHttpToolsProtocol,  # httptools, with JSON errors for unparseable requests
        timeout_keep_alive=30,
        # Keep-alive connections (TLS ones especially) otherwise hold a stop for 15 s.
        timeout_graceful_shutdown=2,
        ssl_certfile=str(tls.cert) if tls else None,
        ssl_keyfile=str(tls.key) if tls else None,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task
            raise SystemExit(1)
        await asyncio.sleep(0.02)
    scheme = "https" if tls else "http"
    if tls:
        print(f"TLS: trust the CA at {tls.ca_cert}", flush=True)
    print(f"Switchboard org {org.org_id} at {scheme}://{settings.host}:{settings.port}", flush=True)
    # Where commands such as `switchboard bulk load` find the running server.
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    url = f"{scheme}://{host}:{settings.port}"
    _server_file(settings).write_text(json.dumps({"url": url, "pid": os.getpid()}))
    print("ready", flush=True)
    await task


def _server_file(settings: Settings) -> Path:
    return settings.data_dir / "server.json"


def run(
    settings: Settings, *, tls: bool = False, cert: Path | None = None, key: Path | None = None
) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    os.umask(UMASK)  # job files, server.json: the data directory is its owner's alone
    org = Org.open(settings)
    _print_generated(org)
    # Bulk jobs are applied in the background; an InProgress job left by a crash resumes.
    worker = register(BulkWorker(org)).start()
    try:
        files = None
        if cert and key:
            files = TlsFiles(cert, cert, key)
        elif tls:
            files = ensure_local_ca(settings.data_dir / "tls")
        from ..api.pubsub.server import PubSubServer

        pubsub = PubSubServer(org, settings, files).start()
        print(f"Pub/Sub API (gRPC) on {settings.host}:{settings.grpc_port}", flush=True)
        tune_for_server()  # startup is done: what exists now lives as long as the process
        asyncio.run(_serve(settings, org, files))
        pubsub.stop()
    except KeyboardInterrupt:
        pass
    finally:
        _server_file(settings).unlink(missing_ok=True)
        worker.stop()
        org.close()


__all__ = ["run"]
