"""Options shared by commands that act on an org."""

from __future__ import annotations

from pathlib import Path

import typer

from ..core.settings import Settings, load

DataDir = typer.Option(None, "--data-dir", help="Data directory (SWITCHBOARD_DATA_DIR).")
Db = typer.Option(None, "--db", help="Database URL (SWITCHBOARD_DB).")


def settings(data_dir: Path | None, db: str | None, **more: object) -> Settings:
    return load(data_dir=data_dir, db=db, **more)


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


__all__ = ["DataDir", "Db", "mint_admin_token", "settings"]
