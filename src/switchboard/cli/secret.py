"""``switchboard secret set|list|delete``: the org's secrets, sealed at rest.

``set NAME`` reads the value from standard input (a prompt that does not echo when
stdin is a terminal), so it never appears in a shell's history or a process list;
nothing here ever prints a value.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import typer

from ..core.settings import Settings
from . import options

app = typer.Typer(help="Secrets referenced by switchboard.yaml ({secret: NAME}).",
                  no_args_is_help=True)  # fmt: skip


def _store(data_dir: Path | None, db: str | None, settings: Settings | None = None):  # type: ignore[no-untyped-def]
    from ..org.runtime import Org
    from ..org.secrets import SecretStore

    org = Org.open(settings or options.existing(data_dir, db))
    return org, SecretStore.from_settings(org.store, org.settings)


def _audit(org, display: str) -> None:  # type: ignore[no-untyped-def]
    """The SetupAuditTrail entry of a secret change: its name, never its value."""
    from ..org.security.trail.setup import NAMED_CREDENTIALS, SECRET_SET, record_setup

    record_setup(org, SECRET_SET, NAMED_CREDENTIALS, display)


@app.command("set")
def set_secret(
    name: str = typer.Argument(..., help="The secret's name, as in {secret: NAME}."),
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """Store NAME with the value read from stdin (one trailing newline dropped)."""
    from ..core.errors import SwitchboardError
    from ..org.secrets import SecretStore

    try:
        SecretStore.check_name(name)
    except SwitchboardError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None
    settings = options.existing(data_dir, db)  # no org: say so before asking for the value
    if sys.stdin.isatty():
        value = getpass.getpass(f"value of {name}: ")
    else:
        value = sys.stdin.read()
        value = value[:-1] if value.endswith("\n") else value
        value = value[:-1] if value.endswith("\r") else value
    if not value:
        typer.echo("error: empty value; pipe the value on stdin", err=True)
        raise typer.Exit(2)
    org, store = _store(data_dir, db, settings)
    try:
        store.set(name, value)
        _audit(org, f"Set secret {name}")
    finally:
        org.close()
    typer.echo(f"secret {name} set")


@app.command("list")
def list_secrets(data_dir: Path = options.DataDir, db: str = options.Db) -> None:
    """Print the name of every secret (never a value)."""
    org, store = _store(data_dir, db)
    try:
        for name in store.names():
            typer.echo(name)
    finally:
        org.close()


@app.command("delete")
def delete_secret(
    name: str = typer.Argument(...), data_dir: Path = options.DataDir, db: str = options.Db
) -> None:
    """Remove NAME (exit 1 when there is none)."""
    org, store = _store(data_dir, db)
    try:
        found = store.delete(name)
    finally:
        org.close()
    if not found:
        typer.echo(f"error: no secret named {name}", err=True)
        raise typer.Exit(1)
    typer.echo(f"secret {name} deleted")


__all__ = ["app"]
