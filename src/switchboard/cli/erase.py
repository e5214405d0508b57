"""``switchboard erase --contact ID | --lead ID | --user ID``: erase a person's data."""

from __future__ import annotations

from pathlib import Path

import typer

from . import options


def erase(
    contact: str = typer.Option(None, "--contact", help="Id of the Contact to erase."),
    lead: str = typer.Option(None, "--lead", help="Id of the Lead to erase."),
    user: str = typer.Option(None, "--user", help="Id of the User to erase."),
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """Mask or remove a person's personal fields, field history, the values retained
    change events carry, a user's login details, and files linked only to them; the
    SetupAuditTrail records that it was done."""
    from ..core.errors import SwitchboardError
    from ..org.runtime import Org
    from ..org.security.trail.erase import erase as erase_person

    given = [(n, v) for n, v in (("Contact", contact), ("Lead", lead), ("User", user)) if v]
    if len(given) != 1:
        typer.echo("error: give exactly one of --contact, --lead, --user", err=True)
        raise typer.Exit(2)
    object_name, record_id = given[0]
    org = Org.open(options.existing(data_dir, db))
    try:
        done = erase_person(org, object_name, record_id)
    except SwitchboardError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    finally:
        org.close()
    typer.echo(
        f"erased {object_name} {done.record_id}: {len(done.fields)} fields, "
        f"{done.history_rows} history rows, {done.change_events} change events, "
        f"{done.log_events} log events, {done.files} files"
    )
