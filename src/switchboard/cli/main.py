"""The ``switchboard`` command: serve an org and act on it.

Every failure is one line on stderr (what, where, what to do) and a non-zero exit;
``--debug`` (or ``SWITCHBOARD_DEBUG=1``) shows the traceback instead.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ..core import settings as settings_mod
from . import apps as apps_cli
from . import audit as audit_cli
from . import bulk as bulk_cli
from . import callout as callout_cli
from . import dev as dev_cli
from . import erase as erase_cli
from . import events as events_cli
from . import files as files_cli
from . import imports as imports_cli
from . import keys as keys_cli
from . import options
from . import permsets as permsets_cli
from . import project as project_cli
from . import secret as secret_cli
from . import sync as sync_cli
from . import users as users_cli
from . import worker as worker_cli

app = typer.Typer(
    help="Switchboard: an integration hub around an org that speaks the Salesforce APIs.",
    no_args_is_help=True,
    add_completion=False,
    # Plain help: Typer's rich panels print every flag as `--tls <bool>`.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
org_app = typer.Typer(help="Act on an org's metadata and data.", no_args_is_help=True)
app.add_typer(org_app, name="org")
app.add_typer(users_cli.app, name="user")
app.add_typer(permsets_cli.app, name="permset")
app.add_typer(apps_cli.app, name="app")
app.add_typer(events_cli.app, name="events")
app.add_typer(worker_cli.app, name="worker")
app.add_typer(bulk_cli.app, name="bulk")
app.add_typer(files_cli.app, name="files")
app.add_typer(project_cli.app, name="project")
app.add_typer(secret_cli.app, name="secret")
app.add_typer(keys_cli.app, name="keys")
app.add_typer(dev_cli.app, name="dev")
app.add_typer(callout_cli.app, name="callout")
app.add_typer(sync_cli.app, name="sync")
org_app.command("import")(imports_cli.import_plan)
app.command("audit")(audit_cli.audit)
app.command("erase")(erase_cli.erase)
_BOOL_WORDS = {
    "true": True,
    "yes": True,
    "on": True,
    "1": True,
    "false": False,
    "no": False,
    "off": False,
    "0": False,
}


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"switchboard {version('switchboard')}")
        raise typer.Exit()


@app.callback()
def _global(
    debug: bool = typer.Option(
        False, "--debug", help="Show tracebacks of failures (also SWITCHBOARD_DEBUG=1)."
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Switchboard: an integration hub around an org that speaks the Salesforce APIs."""


@app.command()
def up(
    host: str = typer.Option(
        None,
        "--host",
        help="Bind address (SWITCHBOARD_HOST).",
        show_default=options.default_of("host"),
    ),
    port: int = typer.Option(
        None,
        "--port",
        help="HTTP port (SWITCHBOARD_PORT).",
        show_default=options.default_of("port"),
    ),
    grpc_port: int = typer.Option(
        None,
        "--grpc-port",
        help="Pub/Sub gRPC port (SWITCHBOARD_GRPC_PORT).",
        show_default=options.default_of("grpc_port"),
    ),
    data_dir: Path = options.DataDir,
    db: str = options.Db,
    tls: bool = typer.Option(
        False,
        "--tls/--no-tls",
        help="Serve HTTPS with a certificate from a local CA (`--tls true|false` works too).",
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
    """Serve the org's APIs (creating the org on a new data directory); prints the base URL
    and `ready` once it accepts requests."""
    from ..patterns.project import ProjectInvalid
    from .orgdir import for_new_or_existing
    from .up import run

    settings = options.settings(data_dir, db, host=host, port=port, grpc_port=grpc_port)
    try:
        run(for_new_or_existing(settings), tls=tls, cert=cert, key=key, project=project)
    except ProjectInvalid as exc:  # refused whole before anything ran
        for err in exc.errors:
            typer.echo(str(err), err=True)
        raise typer.Exit(1) from None


@app.command()
def token(data_dir: Path = options.DataDir, db: str = options.Db) -> None:
    """Print a fresh access token for the bootstrapped admin user."""
    tok = options.mint_admin_token(options.existing(data_dir, db))
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

    settings = options.existing(data_dir, db)
    try:
        project = read_project(path)
    except SwitchboardError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    for warning in project.warnings:
        typer.echo(f"warning: {warning}", err=True)
    org = Org.open(settings)
    try:
        result = org.schema.deploy(
            project.objects,
            project.extensions,
            project.validation_rules,
            project.duplicate_rules,
        )
        credentials = _deploy_credentials(org, project)
        permissions = _deploy_permissions(org, project)
        _audit_deploy(org, path, result)
        sharing = _deploy_sharing(org, path)
    except SwitchboardError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    finally:
        org.close()
    typer.echo(
        f"Deployed {len(project.objects)} objects ({len(result.objects_created)} new) and "
        f"{sum(len(v) for v in project.extensions.values())} fields on existing objects; "
        f"{len(result.fields_added)} columns added; "
        f"{sum(len(v) for v in project.validation_rules.values())} validation rules."
        + (f" {credentials} named credentials." if credentials else "")
        + (f" {permissions}." if permissions else "")
        + (f" {sharing}" if sharing else "")
    )


def _deploy_permissions(org: object, project: object) -> str:
    """Permission sets, groups and profiles into the org, after the objects they name."""
    from ..org.security.deploy import deploy_permissions

    source = project.permissions  # type: ignore[attr-defined]
    if not source:
        return ""
    schema, admin = org.schema, org.boot.admin_user_id  # type: ignore[attr-defined]
    schema.load()
    done = org.store.write(  # type: ignore[attr-defined]
        lambda conn: deploy_permissions(schema, conn, source, admin)
    )
    return (
        f"{done.permission_sets} permission sets, {done.muting_permission_sets} muting "
        f"permission sets, {done.groups} permission set groups, {done.profiles} profiles"
    )


def _audit_deploy(org: object, path: Path, result: object) -> None:
    """The deploy's SetupAuditTrail entry: what was deployed from where."""
    from ..org.security.trail.setup import DEPLOYED, DEPLOYMENT, record_setup

    created = result.objects_created  # type: ignore[attr-defined]
    fields = result.fields_added  # type: ignore[attr-defined]
    display = (
        f"Deployed {path.name}: {len(created)} new objects"
        + (f" ({', '.join(created)})" if created else "")
        + f", {len(fields)} new fields"
        + (f" ({', '.join(fields)})" if fields else "")
    )
    record_setup(org, DEPLOYED, DEPLOYMENT, display)  # type: ignore[arg-type]


def _deploy_sharing(org: object, path: Path) -> str:
    """Roles, organization-wide defaults and sharing rules of the project (org.security)."""
    from ..org.security.sharing.deploy import deploy_roles, deploy_sharing
    from ..org.security.sharing.sfdx import read_sharing

    found = read_sharing(path if path.is_dir() else path.parent)
    for warning in found.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if not found:
        return ""
    boot = org.boot  # type: ignore[attr-defined]
    deploy_roles(org, boot.admin_user_id, found.roles)  # type: ignore[arg-type]
    deploy_sharing(org, models=found.models, rules=found.rules)  # type: ignore[arg-type]
    return (f"{len(found.roles)} roles, {len(found.models)} sharing defaults, "
            f"{len(found.rules)} sharing rules.")  # fmt: skip


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


@org_app.command("init")
def init(data_dir: Path = options.DataDir, db: str = options.Db) -> None:
    """Create an org in a new data directory (as a first `switchboard up` does, without
    serving); prints the generated credentials once."""
    from ..org.runtime import Org
    from .errors import CliError
    from .orgdir import existing_record, for_new_or_existing, record
    from .up import print_generated

    settings = for_new_or_existing(options.settings(data_dir, db))
    if existing_record(settings):
        raise CliError(f"{settings.data_dir} holds an org already; nothing to do")
    record(settings)
    org = Org.open(settings)
    try:
        print_generated(org)
        typer.echo(f"Created org {org.org_id} in {settings.data_dir}")
    finally:
        org.close()


@app.command("settings-doc")
def settings_doc() -> None:
    """Print the settings reference (docs/settings.md is generated from this)."""
    typer.echo(settings_mod.markdown(), nl=False)


def _argv(args: list[str]) -> list[str]:
    """``--tls true`` / ``--tls=false`` as users type them, for the ``--tls/--no-tls`` flag."""
    out: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        word = None
        if arg.startswith("--tls="):
            word = arg.split("=", 1)[1]
        elif arg == "--tls" and i + 1 < len(args) and args[i + 1].lower() in _BOOL_WORDS:
            word = args[i + 1]
            i += 1
        if word is None:
            out.append(arg)
        elif word.lower() in _BOOL_WORDS:
            out.append("--tls" if _BOOL_WORDS[word.lower()] else "--no-tls")
        else:
            out.append(arg)  # click names the bad value
        i += 1
    return out


def _debug(args: list[str]) -> bool:
    from ..core.settings import load

    if "--debug" in args:
        return True
    try:
        return load().debug
    except Exception:  # a broken environment must not hide the failure being reported
        return False


def main(argv: list[str] | None = None) -> None:
    """The entry point: run a command; a failure is one line unless --debug."""
    from ..core.errors import SwitchboardError

    args = _argv(list(sys.argv[1:] if argv is None else argv))
    try:
        app(args=args, prog_name="switchboard")
    except SwitchboardError as exc:
        if _debug(args):
            raise
        typer.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
    except Exception as exc:
        if _debug(args):
            raise
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        typer.echo(
            f"error: {type(exc).__name__}: {message} (run with --debug for the traceback)",
            err=True,
        )
        sys.exit(1)


__all__ = ["app", "main"]
