"""Options shared by commands that act on an org."""

from __future__ import annotations

from pathlib import Path

import typer

from ..core.settings import Settings, load

_DEFAULTS = Settings.model_fields
DataDir = typer.Option(
    None,
    "--data-dir",
    help="Data directory of the org (SWITCHBOARD_DATA_DIR).",
    show_default=str(_DEFAULTS["data_dir"].default),
)
Db = typer.Option(
    None,
    "--db",
    help="Database URL (SWITCHBOARD_DB); default: the one recorded in DATA_DIR/org.json, "
    "else SQLite org.db in the data directory.",
)


def default_of(name: str) -> str:
    """A setting's default as help shows it."""
    return str(_DEFAULTS[name].default)


def settings(data_dir: Path | None, db: str | None, **more: object) -> Settings:
    return load(data_dir=data_dir, db=db, **more)


def existing(data_dir: Path | None, db: str | None, **more: object) -> Settings:
    """Settings of the org the data directory already holds; a command that only acts
    on an org never creates one (``NoOrg`` names the path instead)."""
    from .orgdir import existing as resolve

    return resolve(settings(data_dir, db, **more))


def mint_admin_token(s: Settings) -> str:
    """A fresh access token for the bootstrapped admin user, written to the org's store
    directly (a running server validates it against the same database)."""
    from ..org.identity.tokens import mint
    from ..org.runtime import Org

    org = Org.open(s)
    try:
        assert org.boot is not None
        boot = org.boot
        return org.store.write(
            lambda c: mint(
                c,
                boot.org_id,
                boot.admin_user_id,
                client_id=None,
                lifetime_seconds=s.session_timeout,
            )
        )
    finally:
        org.close()


__all__ = ["DataDir", "Db", "default_of", "existing", "mint_admin_token", "settings"]
