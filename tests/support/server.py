"""A real ``switchboard up`` in a subprocess, over TLS with its local CA, for client tests."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent
# What uvicorn logs when a stop waits for open connections to close.
LINGERING = "Waiting for connections to close"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    data_dir: Path
    db: str
    port: int
    tls: bool = True
    grpc_port: int = field(default_factory=lambda: free_port())
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[str] | None = None
    output: list[str] = field(default_factory=list)
    password: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    client_id: str = field(default_factory=lambda: "3MVG" + secrets.token_hex(16))
    client_secret: str = field(default_factory=lambda: secrets.token_hex(24))
    username: str = "admin@switchboard.test"
    # A CA directory to reuse (ca.pem + ca.key), so one trusted CA serves every server.
    ca_dir: Path | None = None
    _lingering: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def instance_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def ca(self) -> str:
        return str(self.data_dir / "tls" / "ca.pem")

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            SWITCHBOARD_ADMIN_USERNAME=self.username,
            SWITCHBOARD_ADMIN_PASSWORD=self.password,
            SWITCHBOARD_CLIENT_ID=self.client_id,
            SWITCHBOARD_CLIENT_SECRET=self.client_secret,
            SWITCHBOARD_SCHEMA_POLL_INTERVAL="0.2",
        )
        env.update(self.env)
        return env

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "switchboard"), *args, "--data-dir", str(self.data_dir), "--db", self.db],
            env=self._env(),
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def start(self, timeout: float = 60) -> Server:
        args = [
            str(BIN / "switchboard"),
            "up",
            "--port",
            str(self.port),
            "--grpc-port",
            str(self.grpc_port),
            "--data-dir",
            str(self.data_dir),
            "--db",
            self.db,
        ]
        if self.tls:
            args.append("--tls")
            if self.ca_dir is not None:
                import shutil

                (self.data_dir / "tls").mkdir(parents=True, exist_ok=True)
                for name in ("ca.pem", "ca.key"):
                    shutil.copy(self.ca_dir / name, self.data_dir / "tls" / name)
        self.proc = subprocess.Popen(
            args, env=self._env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        ready = threading.Event()
        self._lingering = lingering = threading.Event()

        def pump() -> None:
            assert self.proc and self.proc.stdout
            for line in self.proc.stdout:
                self.output.append(line)
                if line.strip() == "ready":
                    ready.set()
                elif LINGERING in line:
                    lingering.set()

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + timeout
        while not ready.wait(0.1):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("server did not start:\n" + "".join(self.output))
        return self

    def token(self) -> str:
        return self.cli("token").stdout.strip()

    def stop(self, kill: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            if kill:
                self.proc.kill()
            else:
                self.proc.terminate()
                # uvicorn then waits for open keep-alive connections (the test's own
                # clients, idle) for its 2 s graceful timeout; once it says so, a second
                # signal (its "CTRL+C to force quit") ends that wait, as an operator would.
                deadline = time.monotonic() + 15
                while self.proc.poll() is None and time.monotonic() < deadline:
                    if self._lingering.wait(0.02):
                        self.proc.send_signal(signal.SIGINT)
                        break
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
