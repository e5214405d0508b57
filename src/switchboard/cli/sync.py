"""``switchboard sync run|status|errors|reset``: run a project's sync now, and see how syncs
went.

``run`` builds the Runtime over the org named by ``--data-dir``/``--db`` with the
project (``--project`` or SWITCHBOARD_PROJECT), runs the sync in this process and
exits 1 if the run failed. It may run beside a serving hub on the same database: the
position's compare-and-set keeps their batches apart. ``status`` and ``errors`` only
read the org's sync tables.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import typer

from . import options

app = typer.Typer(help="Run batch syncs and inspect their runs and failed rows.",
                  no_args_is_help=True)  # fmt: skip
Json = typer.Option(False, "--json", help="Print JSON instead of text.")


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=str))


@app.command("run")
def run_cmd(
    name: str = typer.Argument(..., help="The sync's name under syncs: in switchboard.yaml."),
    project: Path = typer.Option(
        None, "--project", help="Integration project folder (SWITCHBOARD_PROJECT)."
    ),
    max_batches: int = typer.Option(
        None, "--max-batches", min=1, help="Stop after this many batches (resume later)."
    ),
    as_json: bool = Json,
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """Run a sync until the source has nothing new; failed rows go to `sync errors`."""
    from ..core.errors import SwitchboardError
    from ..patterns.project import ProjectInvalid
    from ..patterns.sync.pattern import SyncPattern
    from ..runtime import Runtime

    settings = options.existing(data_dir, db)
    project_dir = project or getattr(settings, "project", None)
    if project_dir is None:
        typer.echo("error: no project: pass --project DIR (the folder of switchboard.yaml)",
                   err=True)  # fmt: skip
        raise typer.Exit(2)
    try:
        runtime = Runtime(settings, project_dir=Path(project_dir)).open()
    except ProjectInvalid as exc:
        for err in exc.errors:
            typer.echo(str(err), err=True)
        raise typer.Exit(1) from None
    try:
        pattern = next(p for p in runtime.patterns if isinstance(p, SyncPattern))
        try:
            result = pattern.run(name, max_batches=max_batches)
        except SwitchboardError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(1) from None
    finally:
        asyncio.run(_close(runtime))
    if as_json:
        _print_json({"runId": result.run_id, "sync": result.sync, "status": result.status,
                     "rowsRead": result.rows_read, "rowsWritten": result.rows_written,
                     "rowsFailed": result.rows_failed, "batches": result.batches,
                     "error": result.error})  # fmt: skip
    else:
        typer.echo(f"{name}: {result.status}: {result.rows_read} read, {result.rows_written} "
                   f"written, {result.rows_failed} failed in {result.batches} batch(es) "
                   f"(run {result.run_id})")  # fmt: skip
        if result.error:
            typer.echo(f"error: {result.error}", err=True)
        if result.rows_failed:
            typer.echo(f"see `switchboard sync errors {name}` for the failed rows")
    if result.status != "succeeded":
        raise typer.Exit(1)


async def _close(runtime: Any) -> None:
    """The registry's clients (never started as a service here), then the org."""
    await runtime.connectors.stop()
    await runtime.stop()


def _store(data_dir: Path | None, db: str | None) -> Any:
    from ..org.runtime import Org
    from ..patterns import PATTERN_CHAINS
    from ..store.migrations import migrate

    org = Org.open(options.existing(data_dir, db))
    migrate(org.store, PATTERN_CHAINS)
    return org


@app.command("status")
def status_cmd(as_json: bool = Json, data_dir: Path = options.DataDir,
               db: str = options.Db) -> None:  # fmt: skip
    """Each sync's position, last run and count of rows still failing."""
    from ..patterns.sync import report

    org = _store(data_dir, db)
    try:
        rows = report.status(org.store)
    finally:
        org.close()
    if as_json:
        _print_json({"totalSize": len(rows), "syncs": rows})
        return
    if not rows:
        typer.echo("No sync has run.")
        return
    for row in rows:
        last = row["lastRun"] or {}
        typer.echo(
            f"{row['sync']}: {last.get('status', 'never run')}"
            f" at {last.get('startedAt')} ({last.get('rowsRead', 0)} read, "
            f"{last.get('rowsWritten', 0)} written, {last.get('rowsFailed', 0)} failed); "
            f"position {row['cursor']}, {row['key']}; {row['failingRows']} row(s) failing"
        )
        if last.get("error"):
            typer.echo(f"    error: {last['error']}")


@app.command("errors")
def errors_cmd(
    name: str = typer.Argument(..., help="The sync's name."),
    limit: int = typer.Option(1000, "--limit", min=1, max=100_000, help="At most this many."),
    as_json: bool = Json,
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """The source rows the org refused (Salesforce's errorCode, message and fields), until
    a later run writes them."""
    from ..patterns.sync import report

    org = _store(data_dir, db)
    try:
        rows = report.errors(org.store, name, limit)
    finally:
        org.close()
    if as_json:
        _print_json({"sync": name, "totalSize": len(rows), "records": rows})
        return
    if not rows:
        typer.echo(f"{name}: no failed rows.")
        return
    for row in rows:
        for e in row["errors"]:
            fields = f" [{', '.join(e['fields'])}]" if e["fields"] else ""
            typer.echo(f"{row['sourceKey']}: {e['errorCode']}: {e['message']}{fields}")


@app.command("reset")
def reset_cmd(
    name: str = typer.Argument(..., help="The sync's name."),
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """Forget a sync's position and failed rows: its next run reads the whole table again
    (records are upserted by external id, so none is duplicated)."""
    from ..patterns.sync.runner import reset

    org = _store(data_dir, db)
    try:
        found = reset(org.store, name)
    finally:
        org.close()
    typer.echo(f"{name}: position reset" if found else f"{name}: has never run; nothing to reset")


__all__ = ["app"]
