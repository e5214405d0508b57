"""``switchboard permset assign|unassign|list``: permission sets and groups of users."""

from __future__ import annotations

from pathlib import Path

import typer

from . import options
from .users import _fail, with_org

app = typer.Typer(help="Assign permission sets and groups to users.", no_args_is_help=True)


def _user_id(org, username: str) -> str:  # type: ignore[no-untyped-def]
    from ..org.identity import users

    with org.store.read() as conn:
        user = users.find(conn, org.schema, username=username)
    if user is None:
        _fail(f"no user named {username}")
    assert user is not None
    return str(user.id)


@app.command("assign")
def assign(
    username: str = typer.Argument(...),
    name: str = typer.Argument(..., help="Permission set Name or group DeveloperName."),
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """Assign a permission set or permission set group to a user."""
    from ..core.errors import SwitchboardError
    from ..org.security import assignments

    def work(org):  # type: ignore[no-untyped-def]
        user_id = _user_id(org, username)
        by = org.boot.admin_user_id
        try:
            return org.store.write(lambda c: assignments.assign(c, org.schema, user_id, name, by))
        except SwitchboardError as exc:
            _fail(str(exc))

    typer.echo(f"assigned {name} to {username}: {with_org(data_dir, db, work)}")


@app.command("unassign")
def unassign(
    username: str = typer.Argument(...),
    name: str = typer.Argument(...),
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """Remove a permission set or group from a user."""
    from ..core.errors import SwitchboardError
    from ..org.security import assignments

    def work(org):  # type: ignore[no-untyped-def]
        user_id = _user_id(org, username)
        by = org.boot.admin_user_id
        try:
            return org.store.write(lambda c: assignments.unassign(c, org.schema, user_id, name, by))
        except SwitchboardError as exc:
            _fail(str(exc))

    if not with_org(data_dir, db, work):
        _fail(f"{username} does not hold {name}")
    typer.echo(f"unassigned {name} from {username}")


@app.command("list")
def list_sets(
    user: str = typer.Option(None, "--user", help="List what this user holds instead."),
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """List permission sets and groups (Name, Label, kind), or one user's assignments."""
    import sqlalchemy as sa

    from ..org.security import assignments

    def work(org):  # type: ignore[no-untyped-def]
        with org.store.read() as conn:
            if user is not None:
                held = assignments.assignments(conn, org.schema, _user_id(org, user))
                return [(a.name, a.kind) for a in held]
            ps = org.schema.table(org.schema.object("PermissionSet"))
            g = org.schema.table(org.schema.object("PermissionSetGroup"))
            rows = [
                (r.name, f"PermissionSet  {r.label}")
                for r in conn.execute(
                    sa.select(ps.c.name, ps.c.label)
                    .where(ps.c.isownedbyprofile.is_(False), ps.c.permissionsetgroupid.is_(None))
                    .order_by(ps.c.name)
                )
            ]
            rows += [
                (r.developername, f"PermissionSetGroup  {r.masterlabel}")
                for r in conn.execute(
                    sa.select(g.c.developername, g.c.masterlabel).order_by(g.c.developername)
                )
            ]
            return rows

    for name, kind in with_org(data_dir, db, work):
        typer.echo(f"{name}  {kind}")


__all__ = ["app"]
