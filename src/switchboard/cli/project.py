"""``switchboard project check|schema``: validate ``switchboard.yaml``, print its schema.

``check`` prints each mistake as ``switchboard.yaml:LINE: message`` and exits 1; with an
org at hand (``--data-dir``/``--db`` naming an existing one) it also checks what only the
org knows (objects, fields, SOQL conditions, named credentials, whether each secret is
set). It never prints a secret: messages name secrets, never their values.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from . import options

app = typer.Typer(help="Validate an integration project (switchboard.yaml).", no_args_is_help=True)


def _existing_org(data_dir: Path | None, db: str | None) -> Any:
    """The org named by the options, or None when there is none yet (never create one)."""
    from ..org.runtime import Org
    from .errors import NoOrg

    try:
        settings = options.existing(data_dir, db)
    except NoOrg:  # the file alone is checked (a database that cannot be reached is an error)
        return None
    return Org.open(settings)


@app.command("check")
def check(
    directory: Path = typer.Argument(Path("."), help="The project folder (holding switchboard.yaml)."),
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """Print every mistake as switchboard.yaml:LINE: message (exit 1), or `ok`."""
    from ..patterns.project import check_project

    org = _existing_org(data_dir, db)
    try:
        errors = check_project(directory, org)
    finally:
        if org is not None:
            org.close()
    for err in errors:
        typer.echo(str(err))
    if errors:
        typer.echo(f"{len(errors)} mistake{'s' if len(errors) != 1 else ''}", err=True)
        raise typer.Exit(1)
    note = "" if org is not None else " (no org found: org-dependent checks skipped)"
    typer.echo(f"switchboard.yaml: ok{note}")


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema of switchboard.yaml (for editors)."""
    from ..patterns.project import project_schema

    typer.echo(json.dumps(project_schema(), indent=2))


__all__ = ["app"]
