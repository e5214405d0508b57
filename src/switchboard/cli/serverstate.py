"""``switchboard up``'s claim on its ports and its ``server.json``.

Before anything is written the ports are checked, and a data directory another live
server publishes is refused, so a second server fails in one line and leaves the
first untouched. ``server.json`` carries the writer's pid and a random token; it is
published once the Runtime serves (``on_ready``) and removed when its serve returns,
only while it still names this process and token, so a server never deletes another's
file.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.private import write_private
from ..core.settings import Settings
from . import orgdir
from .errors import CliError, PortInUse

FILE = "server.json"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def _port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        # As uvicorn binds: SO_REUSEADDR passes TIME_WAIT leftovers but not a listener.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def read(data_dir: Path) -> dict[str, Any] | None:
    """The live server publishing ``data_dir``, or None (no file, or its writer died)."""
    path = data_dir / FILE
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or not _alive(int(info.get("pid") or 0)):
        return None
    return info


@dataclass
class ServerState:
    """This process's claim; :meth:`publish` once serving, :meth:`withdraw` on exit."""

    settings: Settings
    token: str = field(default_factory=lambda: secrets.token_hex(16))

    @property
    def path(self) -> Path:
        return self.settings.data_dir / FILE

    def publish(self, url: str) -> None:
        body = {"url": url, "pid": os.getpid(), "token": self.token}
        tmp = self.path.with_name(f".{FILE}.{os.getpid()}")
        write_private(tmp, json.dumps(body))  # 0600: it names the server's token
        tmp.replace(self.path)  # atomic: readers see the old file or the whole new one

    def withdraw(self) -> None:
        try:
            info = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if info.get("pid") == os.getpid() and info.get("token") == self.token:
            self.path.unlink(missing_ok=True)


def claim(settings: Settings) -> ServerState:
    """Check the ports and the data directory, then record the org (the first write)."""
    running = read(settings.data_dir) if settings.data_dir.is_dir() else None
    if running is not None:
        raise CliError(
            f"{settings.data_dir} is served already by pid {running['pid']} at "
            f"{running.get('url')} ({settings.data_dir / FILE}); stop it or use another --data-dir"
        )
    for name, port, flag in (
        ("HTTP", settings.port, "--port"),
        ("Pub/Sub gRPC", settings.grpc_port, "--grpc-port"),
    ):
        if not _port_free(settings.host, port):
            raise PortInUse(
                f"{name} port {port} on {settings.host} is in use (another switchboard up?); "
                f"stop that process or pick another {flag}"
            )
    orgdir.record(settings)
    # (SIGINT and SIGTERM are the Runtime's: its serve returns after stopping, so the
    # caller's `finally` withdraws server.json.)
    return ServerState(settings)


__all__ = ["FILE", "ServerState", "claim", "read"]
