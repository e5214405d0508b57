"""Options shared by commands that act on an org."""

from __future__ import annotations

from pathlib import Path

import typer

from ..core.settings import Settings, load

DataDir = typer.Option(None, "--data-dir", help="Data directory (SWITCHBOARD_DATA_DIR).")
Db = typer.Option(None, "--db", help="Database URL (SWITCHBOARD_DB).")


def settings(data_dir: Path | None, db: str | None, **more: object) -> Settings:
    return load(data_dir=data_dir, db=db, **more)


__all__ = ["DataDir", "Db", "settings"]
