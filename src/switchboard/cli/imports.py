"""``switchboard org import --plan``: an ``sf data import tree`` plan into a running org.

The plan is a JSON array of ``{sobject, saveRefs, resolveRefs, files}``; each file holds
``{"records": [...]}`` whose records carry ``attributes.referenceId`` and may point at
records saved earlier with ``"@RefId"`` values. Records go through
``/composite/tree/{sobject}`` in plan order, 200 at a time, and stop at the first error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from . import options
from .bulk import API_VERSION, connect

BATCH = 200


def _load_plan(path: Path) -> list[dict[str, Any]]:
    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        typer.echo(f"error: cannot read the plan {path}: {exc}", err=True)
        raise typer.Exit(2) from None
    if not isinstance(plan, list) or not all(isinstance(e, dict) for e in plan):
        typer.echo("error: a plan is a JSON array of {sobject, files, ...} entries", err=True)
        raise typer.Exit(2)
    return plan


def _records(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    records = data.get("records") if isinstance(data, dict) else None
    if not isinstance(records, list):
        typer.echo(f"error: {path} has no records array", err=True)
        raise typer.Exit(2)
    return records


def _resolve(record: dict[str, Any], refs: dict[str, str], where: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, str) and value.startswith("@"):
            found = refs.get(value[1:].lower())
            if found is None:
                typer.echo(f"error: {where}: reference {value} was not saved earlier", err=True)
                raise typer.Exit(1)
            out[key] = found
        else:
            out[key] = value
    return out


def import_plan(
    plan: Path = typer.Option(..., "--plan", exists=True, dir_okay=False, help="data-plan.json"),
    instance_url: str = typer.Option(
        None, "--instance-url", help="The org's URL (default: the running `switchboard up`)."
    ),
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """Import an `sf data import tree` plan into a running org, parents before children."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress

    client = connect(instance_url, data_dir, db)  # the org first: a wrong --data-dir says so
    entries = _load_plan(plan)
    work: list[tuple[dict[str, Any], Path, list[dict[str, Any]]]] = []
    for entry in entries:
        for name in entry.get("files") or []:
            path = plan.parent / str(name)
            work.append((entry, path, _records(path)))
    refs: dict[str, str] = {}
    counts: dict[str, int] = {}
    errors: list[dict[str, Any]] = []
    total = sum(len(r) for _, _, r in work)
    with (
        client.http() as http,
        Progress(BarColumn(), MofNCompleteColumn(), console=Console(stderr=True)) as progress,
    ):
        task = progress.add_task("import", total=total)
        for entry, path, records in work:
            sobject = str(entry["sobject"])
            for i in range(0, len(records), BATCH):
                chunk = records[i : i + BATCH]
                if entry.get("resolveRefs"):
                    chunk = [_resolve(r, refs, path) for r in chunk]
                url = f"/services/data/v{API_VERSION}/composite/tree/{sobject}"
                resp = http.post(url, json={"records": chunk})
                body = resp.json() if resp.content else {}
                if resp.status_code >= 400 or not isinstance(body, dict) or body.get("hasErrors"):
                    errors.append({"sobject": sobject, "file": str(path), "response": body})
                    break
                for result in body.get("results", []):
                    if entry.get("saveRefs"):
                        refs[str(result["referenceId"]).lower()] = str(result["id"])
                counts[sobject] = counts.get(sobject, 0) + len(body.get("results", []))
                progress.advance(task, len(chunk))
            if errors:
                break
    for sobject, n in counts.items():
        typer.echo(f"{sobject}: {n} records created")
    typer.echo(f"Imported {sum(counts.values())} of {total} records.")
    if errors:
        out = plan.with_name(f"{plan.stem}-errors.json")
        out.write_text(json.dumps(errors, indent=2))
        typer.echo(f"Import stopped at an error in {errors[0]['file']}; details in {out}")
        raise typer.Exit(1)


__all__ = ["import_plan"]
