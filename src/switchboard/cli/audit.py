"""``switchboard audit RECORD_ID``: who wrote each field of a record, and when."""

from __future__ import annotations

from pathlib import Path

import typer

from . import options


def audit(
    record_id: str = typer.Argument(..., help="The record's 15- or 18-character id."),
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """Print the record's changes (time, type, user, API and client, fields), oldest
    first, then the last writer of each field."""
    from ..core import ids
    from ..core.errors import SwitchboardError
    from ..org.audit import audit_trail, by_field
    from ..org.runtime import Org

    org = Org.open(options.existing(data_dir, db))
    try:
        try:
            rid = ids.normalize(record_id)
        except SwitchboardError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(1) from None
        obj = org.schema.by_id(rid)
        if obj is None:
            typer.echo(f"error: no object has key prefix {rid[:3]}", err=True)
            raise typer.Exit(1)
        with org.store.read() as conn:
            entries = audit_trail(conn, obj, rid)
    finally:
        org.close()
    if not entries:
        typer.echo(f"{obj.name} {rid}: no changes in the event log")
        return
    typer.echo(f"{obj.name} {rid}")
    for e in entries:
        typer.echo(f"{e.at.isoformat()} {e.change_type} by {e.user_id} via {e.origin}")
        for name, value in e.fields.items():
            typer.echo(f"    {name} = {value!r}")
    typer.echo("last written:")
    for name, e in sorted(by_field(entries).items()):
        typer.echo(f"    {name}: {e.at.isoformat()} by {e.user_id} via {e.origin}")


__all__ = ["audit"]
