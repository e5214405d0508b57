"""``switchboard user add|create|list|disable|enable|set-profile``: the org's users."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import typer

from . import options

app = typer.Typer(help="Manage the org's users.", no_args_is_help=True)
T = TypeVar("T")


def with_org(data_dir: Path | None, db: str | None, work: Callable[..., T]) -> T:
    from ..org.runtime import Org

    org = Org.open(options.existing(data_dir, db))
    try:
        return work(org)
    finally:
        org.close()


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


@app.command("create", help="Same as add.")
@app.command("add")
def add(
    username: str = typer.Argument(..., help="Username (an email-like name)."),
    last_name: str = typer.Option(..., "--last-name", help="Last name."),
    first_name: str = typer.Option(None, "--first-name", help="First name."),
    email: str = typer.Option(None, "--email", help="Email (default: the username)."),
    password: str = typer.Option(
        None,
        "--password",
        envvar="SWITCHBOARD_NEW_USER_PASSWORD",
        help="Password; generated and printed once when omitted.",
    ),
    profile: str = typer.Option(
        None,
        "--profile",
        help="Profile name, e.g. 'Minimum Access - Salesforce' (default: the admin's).",
    ),
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """Add an active user; prints its id and security token (and password if generated)."""
    from ..core.errors import SwitchboardError
    from ..org.identity import users
    from ..org.identity.secrets import new_password
    from ..org.security import assignments

    generated = password is None
    secret = password or new_password()

    def work(org):  # type: ignore[no-untyped-def]
        with org.store.read() as conn:
            if users.find(conn, org.schema, username=username) is not None:
                _fail(f"a user named {username} exists already")
        assert org.boot is not None

        def create(c):  # type: ignore[no-untyped-def]
            out = users.add(
                c,
                org.schema,
                username,
                secret,
                last_name=last_name,
                first_name=first_name,
                email=email,
                created_by=org.boot.admin_user_id,
            )
            if profile is not None:
                assignments.set_profile(c, org.schema, out[0], profile)
            return out

        try:
            return org.store.write(create)
        except SwitchboardError as exc:
            _fail(str(exc))

    user_id, security_token = with_org(data_dir, db, work)
    typer.echo(f"user_id: {user_id}")
    typer.echo(f"security_token: {security_token}")
    if generated:
        typer.echo(f"password: {secret}")


@app.command("list")
def list_users(data_dir: Path = options.DataDir, db: str = options.Db) -> None:
    """List users: id, username, active."""
    from ..org.identity import users

    def work(org):  # type: ignore[no-untyped-def]
        with org.store.read() as conn:
            return users.list_all(conn, org.schema)

    for u in with_org(data_dir, db, work):
        typer.echo(f"{u.id}  {u.username}  {'active' if u.is_active else 'inactive'}")


def _set_active(username: str, active: bool, data_dir: Path | None, db: str | None) -> None:
    from ..org.identity import users

    def work(org):  # type: ignore[no-untyped-def]
        with org.store.read() as conn:
            user = users.find(conn, org.schema, username=username)
        if user is None:
            _fail(f"no user named {username}")
        org.store.write(lambda c: users.set_active(c, org.schema, user.id, active))

    with_org(data_dir, db, work)
    typer.echo(f"{username} {'enabled' if active else 'disabled'}")


@app.command("disable")
def disable(
    username: str = typer.Argument(...), data_dir: Path = options.DataDir, db: str = options.Db
) -> None:
    """Deactivate a user: its tokens stop working at once."""
    _set_active(username, False, data_dir, db)


@app.command("enable")
def enable(
    username: str = typer.Argument(...), data_dir: Path = options.DataDir, db: str = options.Db
) -> None:
    """Reactivate a user."""
    _set_active(username, True, data_dir, db)


@app.command("set-profile")
def set_profile(
    username: str = typer.Argument(...),
    profile: str = typer.Argument(..., help="Profile name, e.g. 'Standard User'."),
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """Give a user another profile; its access changes at once, in every process."""
    from ..core.errors import SwitchboardError
    from ..org.identity import users
    from ..org.security import assignments

    def work(org):  # type: ignore[no-untyped-def]
        with org.store.read() as conn:
            user = users.find(conn, org.schema, username=username)
        if user is None:
            _fail(f"no user named {username}")
        try:
            org.store.write(lambda c: assignments.set_profile(c, org.schema, user.id, profile))
        except SwitchboardError as exc:
            _fail(str(exc))

    with_org(data_dir, db, work)
    typer.echo(f"{username}: {profile}")


__all__ = ["app", "with_org"]
