"""The ``switchboard`` command: serve an org and act on it."""

from __future__ import annotations

from pathlib import Path

import typer

from ..core import settings as settings_mod
from . import apps as apps_cli
from . import bulk as bulk_cli
from . import callout as callout_cli
from . import dev as dev_cli
from . import events as events_cli
from . import imports as imports_cli
from . import options
from . import project as project_cli
from . import secret as secret_cli
from . import users as users_cli
from . import worker as worker_cli

app = typer.Typer(
    help="Switchboard: an integration hub around an org that speaks the Salesforce APIs.",
    no_args_is_help=True,
    add_completion=False,
)
org_app = typer.Typer(help="Act on an org's metadata and data.", no_args_is_help=True)
app.add_typer(org_app, name="org")
app.add_typer(users_cli.app, name="user")
app.add_typer(apps_cli.app, name="app")
app.add_typer(events_cli.app, name="events")
app.add_typer(worker_cli.app, name="worker")
app.add_typer(bulk_cli.app, name="bulk")
app.add_typer(project_cli.app, name="project")
app.add_typer(secret_cli.app, name="secret")
app.add_typer(dev_cli.app, name="dev")
app.add_typer(callout_cli.app, name="callout")
org_app.command("import")(imports_cli.import_plan)


@app.command()
def up(
    host: str = typer.Option(None, "--host", help="Bind address (SWITCHBOARD_HOST)."),
    port: int = typer.Option(None, "--port", help="HTTP port (SWITCHBOARD_PORT)."),
    grpc_port: int = typer.Option(
        None, "--grpc-port", help="Pub/Sub gRPC port (SWITCHBOARD_GRPC_PORT)."
    ),
    data_dir: Path = options.DataDir,
    db: str = options.Db,
    tls: bool = typer.Option(
        False, "--tls", help="Serve HTTPS with a certificate from a local CA."
    ),
    cert: Path = typer.Option(
        None, "--cert", help="Your own certificate (PEM) instead of the local CA's."
    ),
    key: Path = typer.Option(None, "--key", help="The private key (PEM) of --cert."),
    project: Path = typer.Option(
        None, "--project", help="Integration project folder with switchboard.yaml "
        "(SWITCHBOARD_PROJECT); reloaded when the file changes."
    ),
) -> None:
    """Serve the org's APIs; prints the base URL and `ready` once it accepts requests."""
    from ..patterns.project import ProjectInvalid
    from .up import run

    try:
        run(
            options.settings(data_dir, db, host=host, port=port, grpc_port=grpc_port),
            tls=tls,
            cert=cert,
            key=key,
            project=project,
        )
    except ProjectInvalid as exc:  # refused whole before anything ran
        for err in exc.errors:
            typer.echo(str(err), err=True)
        raise typer.Exit(1) from None


@app.command()
def token(data_dir: Path = options.DataDir, db: str = options.Db) -> None:
    """Print a fresh access token for the bootstrapped admin user."""
    tok = options.mint_admin_token(options.settings(data_dir, db))
    typer.echo(tok)


@org_app.command("deploy")
def deploy(
    path: Path = typer.Argument(..., help="An SFDX project (or a folder holding objects/)."),
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """Deploy custom objects and fields from SFDX source; a running server uses them at once."""
    from ..core.errors import SwitchboardError
    from ..org.runtime import Org
    from ..org.schema.sfdx import read_project

    try:
        project = read_project(path)
    except SwitchboardError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    for warning in project.warnings:
        typer.echo(f"warning: {warning}", err=True)
    org = Org.open(options.settings(data_dir, db))
    try:
        result = org.schema.deploy(project.objects, project.extensions)
        credentials = _deploy_credentials(org, project)
    except SwitchboardError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    finally:
        org.close()
    typer.echo(
        f"Deployed {len(project.objects)} objects ({len(result.objects_created)} new) and "
        f"{sum(len(v) for v in project.extensions.values())} fields on existing objects; "
        f"{len(result.fields_added)} columns added."
        + (f" {credentials} named credentials." if credentials else "")
    )


def _deploy_credentials(org: object, project: object) -> int:
    """Named credentials into the org; a password found in source is sealed as a secret."""
    from ..org.secrets import NamedCredentials, SecretStore

    store = org.store  # type: ignore[attr-defined]
    passwords = project.credential_passwords  # type: ignore[attr-defined]
    if passwords:
        secrets = SecretStore.from_settings(store, org.settings)  # type: ignore[attr-defined]
        for name, password in passwords.items():
            secrets.set(f"{name}.password", password)
    return NamedCredentials(store).deploy(project.named_credentials)  # type: ignore[attr-defined]


@app.command("settings-doc")
def settings_doc() -> None:
    """Print the settings reference (docs/settings.md is generated from this)."""
    typer.echo(settings_mod.markdown(), nl=False)


__all__ = ["app"]
