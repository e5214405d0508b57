"""``switchboard up``: build the Runtime and serve the org's APIs until interrupted.

Everything that runs is the Runtime's (:mod:`switchboard.runtime`); this command only
claims the ports and the data directory (:mod:`.serverstate`), prints what an operator
needs, and publishes where clients find the server (``server.json``) while it serves.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from ..core.collector import tune_for_server
from ..core.private import UMASK
from ..core.settings import Settings
from ..core.tls import TlsFiles, ensure_local_ca
from ..org.runtime import Org
from ..runtime import Runtime
from . import serverstate


def print_generated(org: Org) -> None:
    assert org.boot is not None
    if not org.boot.generated:
        return
    # Shown once, on the first start, and never logged or stored in clear.
    print("Generated credentials (shown only now; store them safely):", flush=True)
    for key, value in org.boot.generated.items():
        print(f"  {key}: {value}", flush=True)


def _announce(
    settings: Settings, org: Org, tls: TlsFiles | None, state: serverstate.ServerState
) -> None:
    """Once both servers listen: the lines operators and tests wait for."""
    print(f"Pub/Sub API (gRPC) on {settings.host}:{settings.grpc_port}", flush=True)
    tune_for_server()  # startup is done: what exists now lives as long as the process
    scheme = "https" if tls else "http"
    if tls:
        print(f"TLS: trust the CA at {tls.ca_cert}", flush=True)
    print(f"Switchboard org {org.org_id} at {scheme}://{settings.host}:{settings.port}", flush=True)
    # Where commands such as `switchboard bulk load` find the running server.
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    state.publish(f"{scheme}://{host}:{settings.port}")
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
    state = serverstate.claim(settings)  # ports checked before anything is written
    try:
        runtime = Runtime(settings, project_dir=project).open()
    except KeyboardInterrupt:  # Ctrl-C while opening: the org closed itself
        return
    print_generated(runtime.org)
    files = None
    if cert and key:
        files = TlsFiles(cert, cert, key)
    elif tls:
        files = ensure_local_ca(settings.data_dir / "tls")
    try:
        # Blocks until SIGINT or SIGTERM, then stops everything in reverse (exit 0).
        runtime.serve(tls=files, on_ready=lambda: _announce(settings, runtime.org, files, state))
    finally:
        state.withdraw()  # only while server.json is still ours


__all__ = ["print_generated", "run"]
