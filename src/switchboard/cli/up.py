"""``switchboard up``: build the Runtime and serve the org's APIs until interrupted.

Everything that runs is the Runtime's (:mod:`switchboard.runtime`); this command only
prints what an operator needs and where clients find the server (``server.json``).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

from ..core.collector import tune_for_server
from ..core.private import UMASK, write_private
from ..core.settings import Settings
from ..core.tls import TlsFiles, ensure_local_ca
from ..org.runtime import Org
from ..runtime import Runtime


def _print_generated(org: Org) -> None:
    assert org.boot is not None
    if not org.boot.generated:
        return
    # Shown once, on the first start, and never logged or stored in clear.
    print("Generated credentials (shown only now; store them safely):", flush=True)
    for key, value in org.boot.generated.items():
        print(f"  {key}: {value}", flush=True)


def _server_file(settings: Settings) -> Path:
    return settings.data_dir / "server.json"


def _announce(settings: Settings, org: Org, tls: TlsFiles | None) -> None:
    """Once both servers listen: the lines operators and tests wait for."""
    print(f"Pub/Sub API (gRPC) on {settings.host}:{settings.grpc_port}", flush=True)
    tune_for_server()  # startup is done: what exists now lives as long as the process
    scheme = "https" if tls else "http"
    if tls:
        print(f"TLS: trust the CA at {tls.ca_cert}", flush=True)
    print(f"Switchboard org {org.org_id} at {scheme}://{settings.host}:{settings.port}", flush=True)
    # Where commands such as `switchboard bulk load` find the running server.
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    url = f"{scheme}://{host}:{settings.port}"
    write_private(_server_file(settings), json.dumps({"url": url, "pid": os.getpid()}))
    print("ready", flush=True)


def run(
    settings: Settings,
    *,
    tls: bool = False,
    cert: Path | None = None,
    key: Path | None = None,
    project: Path | None = None,
) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    os.umask(UMASK)  # job files, server.json: the data directory is its owner's alone
    try:
        runtime = Runtime(settings, project_dir=project).open()
    except KeyboardInterrupt:  # Ctrl-C while opening: the org closed itself
        return
    _print_generated(runtime.org)
    files = None
    if cert and key:
        files = TlsFiles(cert, cert, key)
    elif tls:
        files = ensure_local_ca(settings.data_dir / "tls")
    try:
        # Blocks until SIGINT or SIGTERM, then stops everything in reverse (exit 0).
        runtime.serve(tls=files, on_ready=lambda: _announce(settings, runtime.org, files))
    finally:
        _server_file(settings).unlink(missing_ok=True)


__all__ = ["run"]
