"""``switchboard keys list|rotate|sync``: the data keys of field encryption at rest.

Nothing here prints key material: versions are named by their key ids (hash prefixes).
``rotate`` and ``sync`` work while a server runs on the same database: readers accept
every version, and the server's writers switch to the new one within a poll interval.
"""

from __future__ import annotations

from pathlib import Path

import typer

from . import options

app = typer.Typer(help="Field encryption keys (encryptionScheme fields).", no_args_is_help=True)

BatchSize = typer.Option(500, "--batch-size", min=1, max=10000,
                         help="Values re-encrypted per transaction.")  # fmt: skip


def _open(data_dir: Path | None, db: str | None):  # type: ignore[no-untyped-def]
    from ..org.runtime import Org

    return Org.open(options.existing(data_dir, db))


@app.command("list")
def list_keys(data_dir: Path = options.DataDir, db: str = options.Db) -> None:
    """The data key versions, the active one marked."""
    org = _open(data_dir, db)
    try:
        rows = org.schema.keyring.describe()
    finally:
        org.close()
    if not rows:
        typer.echo("no data key yet (made at the first deploy of an encrypted field)")
    for r in rows:
        mark = "active" if r["active"] else "retired"
        typer.echo(f"{r['version']}\t{r['key_id']}\t{mark}\t{r['created_at']:%Y-%m-%dT%H:%M:%SZ}")


def _report(org, rotated: bool, batch: int) -> None:  # type: ignore[no-untyped-def]
    from ..core.errors import SwitchboardError
    from ..org.security.encryption.rotation import sync

    try:
        if rotated:
            key = org.schema.keyring.rotate()
            typer.echo(f"new active key: version {key.version} ({key.key_id})")
        report = sync(org.schema, batch=batch,
                      progress=lambda where, n: typer.echo(f"{where}: {n} re-encrypted"))  # fmt: skip
    except SwitchboardError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{report.total} values under key version {report.version} ({report.key_id})")


@app.command("rotate")
def rotate(
    data_dir: Path = options.DataDir, db: str = options.Db, batch: int = BatchSize
) -> None:
    """Make a new active key and re-encrypt every stored value under it, in batches."""
    org = _open(data_dir, db)
    try:
        _report(org, True, batch)
    finally:
        org.close()


@app.command("sync")
def sync_keys(
    data_dir: Path = options.DataDir, db: str = options.Db, batch: int = BatchSize
) -> None:
    """Re-encrypt anything not under the active key (resumes an interrupted rotate)."""
    org = _open(data_dir, db)
    try:
        _report(org, False, batch)
    finally:
        org.close()
