"""``switchboard app add|list|rotate-secret|add-cert|refresh-token``: connected apps."""

from __future__ import annotations

from pathlib import Path

import typer

from . import options
from .users import _fail, with_org

app = typer.Typer(help="Manage the org's connected apps.", no_args_is_help=True)


@app.command("add")
def add(
    name: str = typer.Argument(..., help="The app's name."),
    callback_url: list[str] = typer.Option(
        [], "--callback-url", help="Allowed redirect URI of the web server flow (repeatable)."
    ),
    run_as: str = typer.Option(
        None, "--run-as", help="Username the client credentials flow runs as."
    ),
    rotate_refresh_tokens: bool = typer.Option(
        False, "--rotate-refresh-tokens", help="Replace the refresh token on each use."
    ),
    daily_api_requests: int = typer.Option(
        None,
        "--daily-api-requests",
        min=0,
        help="The app's own API request quota over a rolling 24 hours (0: none); "
        "without it, the app_daily_api_requests setting applies.",
    ),
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """Register an app; prints its client id and secret (the secret only now)."""
    from ..org.identity import apps, users

    def work(org):  # type: ignore[no-untyped-def]
        run_as_id = None
        if run_as:
            with org.store.read() as conn:
                user = users.find(conn, org.schema, username=run_as)
            if user is None:
                _fail(f"no user named {run_as}")
            run_as_id = user.id
        return org.store.write(
            lambda c: apps.add(
                c,
                name,
                run_as_user_id=run_as_id,
                callback_urls=list(callback_url),
                rotate_refresh_tokens=rotate_refresh_tokens,
                daily_api_requests=daily_api_requests,
            )
        )

    client_id, secret = with_org(data_dir, db, work)
    typer.echo(f"client_id: {client_id}")
    typer.echo(f"client_secret: {secret}")


@app.command("list")
def list_apps(data_dir: Path = options.DataDir, db: str = options.Db) -> None:
    """List apps: client id, name, callback URLs, certificates, API quota."""
    from ..org.identity import apps

    def work(org):  # type: ignore[no-untyped-def]
        with org.store.read() as conn:
            return apps.list_all(conn)

    for a in with_org(data_dir, db, work):
        typer.echo(
            f"{a.client_id}  {a.name}  callbacks={','.join(a.callback_urls) or '-'}  "
            f"certificates={len(a.certificates)}  rotate={a.rotate_refresh_tokens}  "
            f"daily_api_requests={'default' if a.daily_api_requests is None else a.daily_api_requests}"
        )


@app.command("rotate-secret")
def rotate_secret(
    client_id: str = typer.Argument(...), data_dir: Path = options.DataDir, db: str = options.Db
) -> None:
    """Replace the client secret; prints the new one (the old stops working)."""
    from ..org.identity import apps
    from ..org.identity.errors import OAuthError

    def work(org):  # type: ignore[no-untyped-def]
        try:
            return org.store.write(lambda c: apps.rotate_secret(c, client_id))
        except OAuthError:
            _fail(f"no app with client id {client_id}")

    typer.echo(f"client_secret: {with_org(data_dir, db, work)}")


@app.command("add-cert")
def add_cert(
    client_id: str = typer.Argument(...),
    cert: Path = typer.Argument(..., help="X.509 certificate (PEM) for the JWT bearer flow."),
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """Register a certificate whose key signs JWT bearer assertions for this app."""
    from ..org.identity import apps
    from ..org.identity.errors import OAuthError

    pem = cert.read_text()

    def work(org):  # type: ignore[no-untyped-def]
        try:
            return org.store.write(lambda c: apps.add_certificate(c, client_id, pem))
        except OAuthError:
            _fail(f"no app with client id {client_id}")
        except ValueError:
            _fail(f"{cert} is not a PEM certificate")

    typer.echo(f"certificate added: {with_org(data_dir, db, work)}")


@app.command("refresh-token")
def refresh_token(
    client_id: str = typer.Argument(...),
    username: str = typer.Argument(...),
    data_dir: Path = options.DataDir,
    db: str = options.Db,
) -> None:
    """Mint a refresh token for USERNAME on the app, for headless setups (Airbyte...)."""
    from ..org.identity import apps, users
    from ..org.identity.tokens import mint

    def work(org):  # type: ignore[no-untyped-def]
        with org.store.read() as conn:
            app_ = apps.get(conn, client_id)
            user = users.find(conn, org.schema, username=username)
        if app_ is None:
            _fail(f"no app with client id {client_id}")
        if user is None or not user.is_active:
            _fail(f"no active user named {username}")
        return org.store.write(
            lambda c: mint(
                c, org.org_id, user.id, client_id=client_id, lifetime_seconds=None, kind="refresh"
            )
        )

    typer.echo(with_org(data_dir, db, work))


__all__ = ["app"]
