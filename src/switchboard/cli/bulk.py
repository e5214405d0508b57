"""``switchboard bulk load``: a CSV into a running org through Bulk API 2.0.

The server's URL comes from ``--instance-url`` or the ``server.json`` that
``switchboard up`` writes in the data directory; the token is minted for the admin
user as ``switchboard token`` does, and an https URL is trusted through the data
directory's local CA.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from . import options

app = typer.Typer(help="Load data into a running org through the Bulk API.", no_args_is_help=True)
API_VERSION = "59.0"
_FINAL = {"JobComplete", "Failed", "Aborted"}


@dataclass
class OrgClient:
    """HTTP to a running org: its base URL, a token and the CA to trust."""

    url: str
    token: str
    verify: Any

    def http(self) -> Any:
        import httpx

        return httpx.Client(
            base_url=self.url,
            verify=self.verify,
            timeout=httpx.Timeout(120, connect=10),
            headers={"Authorization": f"Bearer {self.token}"},
        )


def _mint(data_dir: Path | None, db: str | None) -> tuple[str, Path]:
    s = options.existing(data_dir, db)
    return options.mint_admin_token(s), s.data_dir


def connect(instance_url: str | None, data_dir: Path | None, db: str | None) -> OrgClient:
    """The running org to talk to; exits with a message when there is none."""
    token, root = _mint(data_dir, db)
    url = instance_url
    if not url:
        from .errors import CliError
        from .serverstate import FILE, read

        running = read(root)
        if running is None:
            raise CliError(
                f"no running server for {root} ({root / FILE} is missing or names a stopped "
                "process); start `switchboard up` or pass --instance-url"
            )
        url = str(running["url"])
    ca = root / "tls" / "ca.pem"
    verify: Any = str(ca) if url.startswith("https") and ca.exists() else True
    return OrgClient(url.rstrip("/"), token, verify)


def _count_rows(path: Path) -> int:
    import csv

    with open(path, newline="", encoding="utf-8-sig", errors="replace") as f:
        return max(0, sum(1 for row in csv.reader(f) if row) - 1)


def _check(resp: Any) -> Any:
    if resp.status_code >= 400:
        typer.echo(f"error: {resp.request.method} {resp.request.url}: {resp.text}", err=True)
        raise typer.Exit(1)
    return resp.json() if resp.content else None


@app.command("load")
def load(
    object_name: str = typer.Argument(..., metavar="OBJECT", help="The sObject, e.g. Account."),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A CSV with a header."),
    upsert: str = typer.Option(None, "--upsert", help="Upsert on this external id field."),
    instance_url: str = typer.Option(
        None, "--instance-url", help="The org's URL (default: the running `switchboard up`)."
    ),
    failed_out: Path = typer.Option(
        None, "--failed-out", help="Where to write failed rows (default: next to FILE)."
    ),
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """Create a Bulk API 2.0 job, upload FILE, and follow it to the end with a progress bar."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    client = connect(instance_url, data_dir, db)
    total = _count_rows(file)
    base = f"/services/data/v{API_VERSION}/jobs/ingest"
    spec: dict[str, Any] = {"object": object_name, "operation": "upsert" if upsert else "insert"}
    if upsert:
        spec["externalIdFieldName"] = upsert
    console = Console(stderr=True)
    started = time.monotonic()
    with client.http() as http:
        job = _check(http.post(base, json=spec))
        job_id = job["id"]
        with open(file, "rb") as body:
            _check(
                http.put(
                    f"{base}/{job_id}/batches", content=body, headers={"Content-Type": "text/csv"}
                )
            )
        _check(http.patch(f"{base}/{job_id}", json={"state": "UploadComplete"}))
        columns = (TimeElapsedColumn(), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task(f"{object_name} {job_id}", total=total or None)
            while True:
                info = _check(http.get(f"{base}/{job_id}"))
                progress.update(task, completed=info.get("numberRecordsProcessed", 0))
                if info["state"] in _FINAL:
                    break
                time.sleep(0.2)
        failed = int(info.get("numberRecordsFailed", 0))
        out = None
        if failed:
            out = failed_out or file.with_name(f"{file.stem}-failed-{job_id}.csv")
            resp = http.get(f"{base}/{job_id}/failedResults")
            out.write_bytes(resp.content)
    processed = int(info.get("numberRecordsProcessed", 0))
    typer.echo(
        f"Job {job_id} {info['state']} in {time.monotonic() - started:.1f}s: "
        f"{processed} processed, {processed - failed} succeeded, {failed} failed."
    )
    if info.get("errorMessage"):
        typer.echo(f"Job error: {info['errorMessage']}")
    if out is not None:
        typer.echo(f"Failed rows written to {out}")
    if info["state"] != "JobComplete":
        raise typer.Exit(1)


__all__ = ["OrgClient", "app", "connect", "load"]
