"""Call-out test helpers: a real local ERP endpoint process and in-process Runtimes."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from switchboard.core.settings import Settings
from switchboard.org.dml.context import WriteContext
from switchboard.runtime import Runtime

ERP = Path(__file__).with_name("erp.py")


@dataclass
class ErpProcess:
    port: int
    args: list[str] = field(default_factory=list)
    proc: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ErpProcess:
        self.proc = subprocess.Popen(
            [sys.executable, str(ERP), "--port", str(self.port), *self.args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                self.stats()
                return self
            except httpx.HTTPError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("the ERP endpoint did not start") from None
                time.sleep(0.05)

    def stats(self, **query: str) -> dict[str, Any]:
        reply = httpx.get(f"{self.url}/stats", params=query, timeout=10)
        reply.raise_for_status()
        return reply.json()  # type: ignore[no-any-return]

    def control(self, **body: Any) -> None:
        httpx.post(f"{self.url}/control", json=body, timeout=10).raise_for_status()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def project_yaml(erp_url: str, callouts: str, credential: str = "max_in_flight: 256") -> str:
    """A project with the ``erp`` credential (plus ``credential`` lines) and the given
    ``callouts:`` body."""
    return (
        textwrap.dedent(
            f"""\
            credentials:
              erp:
                url: {erp_url}
                auth: {{type: none}}
            """
        )
        + textwrap.indent(textwrap.dedent(credential), "    ")
        + "\ncallouts:\n"
        + textwrap.indent(textwrap.dedent(callouts), "  ")
    )


EXAMPLE = """\
account_to_erp:
  on: {change: Account, types: [CREATE, UPDATE], when: "Type = 'Customer'"}
  request:
    credential: erp
    method: POST
    path: /customers
    body: {name: "{{ record.Name }}", sfid: "{{ record.Id }}"}
  timeout: 5s
  retry: {attempts: 6, backoff: 1s, max_backoff: 60s}
  reply:
    update: {AccountNumber: "{{ response.json.erp_id }}"}
"""


def open_runtime(tmp: Path, db: str, project: str, **settings: Any) -> Runtime:
    folder = tmp / "project"
    folder.mkdir(exist_ok=True)
    (folder / "switchboard.yaml").write_text(project)
    s = Settings(data_dir=tmp / "data", db=db, **settings)
    runtime = Runtime(s, project_dir=folder).open()
    if runtime.connectors is None:
        runtime.org.close()
        pytest.skip("the HTTP connector registry (engineer B) is not built yet")
    return runtime


def writer(runtime: Runtime) -> WriteContext:
    assert runtime.org.boot is not None
    return WriteContext(runtime.org.boot.admin_user_id)


def insert_accounts(runtime: Runtime, rows: list[dict[str, Any]], chunk: int = 500) -> list[str]:
    """Create accounts in transactions of ``chunk`` through the org's DML; their ids."""
    org = runtime.org
    obj = org.schema.object("Account")
    ids: list[str] = []
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        ctx = writer(runtime).fresh()
        outs = org.store.write(lambda c, p=part, x=ctx: org.dml.insert(c, x, obj, p))
        assert all(not o.errors for o in outs), [o.errors for o in outs if o.errors][:3]
        ids.extend(o.id for o in outs if o.id)
    return ids


async def wait_until(
    check: Callable[[], bool], timeout: float, what: str, state: Callable[[], Any] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}: {state() if state else ''}")
        await asyncio.sleep(0.1)
