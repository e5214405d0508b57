"""``switchboard callout ...``: the dead-letter queue and recent deliveries of an org.

Acts on the org named by ``--data-dir``/``--db`` (a running server or worker shares the
database and picks re-driven letters up on its next poll). Tables by default, ``--json``
for scripts; every output is redacted (:mod:`patterns.callout.dlq`): no secret appears.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from . import options

app = typer.Typer(help="Inspect and re-drive call-out deliveries.", no_args_is_help=True)
dlq_app = typer.Typer(help="The dead-letter queue: list, show, retry, discard.",
                      no_args_is_help=True)  # fmt: skip
app.add_typer(dlq_app, name="dlq")

Json = typer.Option(False, "--json", help="Print JSON instead of a table.")


@contextmanager
def _org(data_dir: Path | None, db: str | None) -> Iterator[tuple[Any, Any]]:
    """The org's store (its call-out tables migrated) and a redactor of its secrets."""
    from ..core.errors import SwitchboardError
    from ..org.runtime import Org
    from ..patterns import PATTERN_CHAINS
    from ..patterns.callout.redact import Redactor, secret_values
    from ..store.migrations import migrate

    settings = options.settings(data_dir, db)
    try:
        org = Org.open(settings)
    except SwitchboardError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    try:
        migrate(org.store, PATTERN_CHAINS)
        yield org.store, Redactor(secret_values(store=org.store, settings=settings))
    finally:
        org.close()


def _run(work: Callable[[], Any]) -> Any:
    from ..core.errors import SwitchboardError

    try:
        return work()
    except SwitchboardError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=str))


def _table(title: str, rows: list[dict[str, Any]], columns: list[tuple[str, str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for _key, heading in columns:
        table.add_column(heading, overflow="fold")
    for row in rows:
        table.add_row(*("" if row.get(k) is None else str(row.get(k)) for k, _ in columns))
    Console(width=160).print(table)


_COLUMNS = [("id", "Id"), ("callout", "Callout"), ("trigger", "Trigger"), ("recordId", "Record"),
            ("state", "State"), ("attempts", "Attempts"), ("updatedAt", "Updated"),
            ("lastError", "Last error")]  # fmt: skip


@dlq_app.command("list")
def dlq_list(
    callout: str = typer.Option(None, "--callout", help="Only this callout's dead letters."),
    limit: int = typer.Option(200, "--limit", min=1, max=10_000, help="At most this many."),
    as_json: bool = Json,
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """List dead letters, oldest first."""
    from ..patterns.callout import dlq

    with _org(data_dir, db) as (store, red):
        rows = dlq.list_dead(store, red, callout, limit)
    if as_json:
        _print_json({"totalSize": len(rows), "records": rows})
    elif not rows:
        typer.echo("No dead letters.")
    else:
        _table(f"{len(rows)} dead letter(s)", rows, _COLUMNS)


@dlq_app.command("show")
def dlq_show(
    delivery_id: int = typer.Argument(..., help="The delivery's id."),
    as_json: bool = Json,
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """Show one delivery: its last request, response, error and every attempt."""
    from ..patterns.callout import dlq

    with _org(data_dir, db) as (store, red):
        row = _run(lambda: dlq.show(store, red, delivery_id))
    if as_json:
        _print_json(row)
        return
    for key in ("id", "callout", "trigger", "recordId", "state", "attempts", "idempotencyKey",
                "createdAt", "updatedAt", "nextAttemptAt", "deliveredAt", "lastError"):  # fmt: skip
        typer.echo(f"{key:>15}: {'' if row.get(key) is None else row[key]}")
    for key in ("lastRequest", "lastResponse"):
        typer.echo(f"{key:>15}: {json.dumps(row.get(key), default=str)}")
    _table("attempts", row["attemptsLog"], [("number", "#"), ("startedAt", "Started"),
           ("status", "Status"), ("outcome", "Outcome"), ("durationMs", "ms"),
           ("error", "Error")])  # fmt: skip


@dlq_app.command("retry")
def dlq_retry(
    ids: list[int] = typer.Argument(None, help="Dead letters to re-drive."),
    every: bool = typer.Option(False, "--all", help="Re-drive every dead letter."),
    callout: str = typer.Option(None, "--callout", help="With --all: only this callout's."),
    as_json: bool = Json,
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """Re-drive dead letters once each (same idempotency key, a fresh retry budget)."""
    from ..patterns.callout import dlq

    if bool(ids) == every:
        typer.echo("error: name the dead letters to retry, or pass --all", err=True)
        raise typer.Exit(2)
    with _org(data_dir, db) as (store, _red):
        outcome = dlq.retry_all(store, callout) if every else dlq.retry(store, ids)
    if as_json:
        _print_json(outcome.as_dict())
        return
    typer.echo(f"Re-driving {len(outcome.requeued)} dead letter(s).")
    if outcome.skipped:
        typer.echo(f"Skipped {len(outcome.skipped)} not dead: "
                   f"{', '.join(map(str, outcome.skipped))}")  # fmt: skip


@dlq_app.command("discard")
def dlq_discard(
    delivery_id: int = typer.Argument(..., help="The dead letter to set aside for good."),
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """Discard a dead letter (kept for the record, never delivered)."""
    from ..patterns.callout import dlq

    with _org(data_dir, db) as (store, _red):
        _run(lambda: dlq.discard(store, delivery_id))
    typer.echo(f"Discarded {delivery_id}.")


@app.command("deliveries")
def deliveries_cmd(
    name: str = typer.Argument(..., help="The callout's name."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="The newest this many."),
    as_json: bool = Json,
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """Show a callout's recent deliveries, newest first, and its counts by state."""
    from ..patterns.callout import deliveries, dlq

    with _org(data_dir, db) as (store, red):
        rows = dlq.recent(store, red, name, limit)
        counts = deliveries.counts(store, name)
    if as_json:
        _print_json({"callout": name, "counts": counts, "totalSize": len(rows), "records": rows})
        return
    summary = ", ".join(f"{state} {n}" for state, n in sorted(counts.items())) or "none"
    _table(f"{name}: {summary}", rows, _COLUMNS)


__all__ = ["app"]
