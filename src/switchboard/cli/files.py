"""``switchboard files``: offload file bytes to another store, verify them, report usage.

These act on the org's database and stores directly, beside a running server, which
keeps serving every file throughout (see ``org/files/offload.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from . import options

app = typer.Typer(help="Where the org's file bytes live.", no_args_is_help=True)
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?\s*$", re.I)
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([dhw]?)\s*$", re.I)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def parse_size(text: str) -> int:
    """``5MB``, ``512k``, ``1.5GiB``, ``100`` (bytes) to bytes."""
    m = _SIZE.match(text)
    if m is None:
        raise typer.BadParameter(f"not a size: {text!r} (try 5MB)")
    return int(float(m.group(1)) * _UNITS[(m.group(2) or "")[:1].lower()])


def parse_days(text: str) -> float:
    """``90d``, ``12h``, ``2w`` or a number of days."""
    m = _AGE.match(text)
    if m is None:
        raise typer.BadParameter(f"not an age: {text!r} (try 90d)")
    per = {"": 1.0, "d": 1.0, "h": 1 / 24, "w": 7.0}[m.group(2).lower()]
    return float(m.group(1)) * per


Project = typer.Option(
    None,
    "--project",
    help="Project folder whose switchboard.yaml names the stores (default: SWITCHBOARD_PROJECT).",
)


@contextmanager
def _org(data_dir: Path | None, db: str | None, project: Path | None = None) -> Iterator[Any]:
    """The org with its file stores opened through a connector registry, as the
    Runtime's ``file-stores`` service opens them (the project's ``files:`` section
    over the settings, secrets from the org's store); closed on leaving."""
    from ..connectors.registry import ConnectorRegistry
    from ..org.runtime import Org
    from ..org.secrets import SecretStore
    from ..runtime.files import attach_file_stores, detach_file_stores

    settings = options.existing(data_dir, db)
    org = Org.open(settings)
    try:
        folder = project or settings.project
        if folder is not None:
            from ..patterns.files import files_config
            from ..patterns.project import ProjectInvalid, load_checked_project

            try:  # a project the hub would refuse is refused here too
                section = load_checked_project(Path(folder), org).files
            except ProjectInvalid as exc:
                for err in exc.errors:
                    typer.echo(str(err), err=True)
                raise typer.Exit(1) from None
            org.files.configure(files_config(org.files.config, section))
        secrets = SecretStore.from_settings(org.store, settings)
        attach_file_stores(org.files, ConnectorRegistry(secrets=secrets))
        yield org
    finally:
        detach_file_stores(org.files)  # closed as the Runtime's service closes them
        org.close()


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


@app.command()
def offload(
    to: str = typer.Option(..., "--to", help="Target store: a name from files.stores or files_stores, or a URL."),
    older_than: str = typer.Option(None, "--older-than", help="Only files stored before (90d)."),
    larger_than: str = typer.Option(None, "--larger-than", help="Only files larger than (5MB)."),
    workers: int = typer.Option(4, "--workers", help="Files moved at once."),
    data_dir: Path = options.DataDir,
    db: str = options.Db,
    project: Path = Project,
) -> None:
    """Move file bytes to another store; run it again to resume after an interruption."""
    from ..org.files.offload import Offload, Progress

    with _org(data_dir, db, project) as org:
        job = Offload(org.store, org.files.storage)
        run_id = job.start(
            to,
            older_than_days=parse_days(older_than) if older_than else None,
            larger_than=parse_size(larger_than) if larger_than else None,
        )

        def show(p: Progress) -> None:
            typer.echo(
                f"offload {p.run_id}: {p.done}/{p.total} done, {p.failed} failed, "
                f"{_mb(p.bytes_moved)} moved",
                err=True,
            )

        final = job.run(run_id, workers=workers, progress=show)
    typer.echo(
        f"offload {final.run_id}: {final.done} of {final.total} files in "
        f"{org.files.config.resolve(to).url}, {final.failed} failed"
    )
    if final.failed:
        raise typer.Exit(1)


@app.command()
def verify(
    data_dir: Path = options.DataDir, db: str = options.Db, project: Path = Project
) -> None:
    """Re-read every file's bytes and check size, SHA-256 and Checksum (MD5)."""
    from ..org.files.audit import verify as run_verify

    with _org(data_dir, db, project) as org:
        result = run_verify(org.store, org.files.storage)
    for problem in result.problems:
        typer.echo(f"problem: {problem}", err=True)
    typer.echo(
        f"verified {result.checked} files ({_mb(result.bytes_read)}): "
        f"{len(result.problems)} problems, {result.unreferenced} unreferenced blobs"
    )
    if result.problems:
        raise typer.Exit(1)


@app.command()
def report(data_dir: Path = options.DataDir, db: str = options.Db) -> None:
    """Storage of live files by object, type, age and store."""
    from ..org.files.audit import report as run_report

    with _org(data_dir, db) as org:
        result = run_report(org.store, org.schema)
    for section in ("object", "type", "age", "store"):
        typer.echo(f"by {section}:")
        for value, entry in sorted(result[section].items(), key=lambda kv: -kv[1]["bytes"]):
            typer.echo(f"  {value:<50} {entry['files']:>8} files {_mb(entry['bytes']):>12}")


__all__ = ["app", "parse_days", "parse_size"]
