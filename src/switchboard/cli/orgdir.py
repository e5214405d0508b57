"""Which org a data directory holds, so every command given the same ``--data-dir`` acts
on the same org, and none but ``switchboard up`` / ``switchboard org init`` creates one.

``DATA_DIR/org.json`` records the org's database: ``{"db": ""}`` for the embedded SQLite
``org.db`` beside it (so the directory can move), else the URL. It holds no secret: a
URL with a password is refused (PostgreSQL reads it from ``PGPASSWORD`` or
``~/.pgpass``). A directory made before org.json existed counts as an org when its
``org.db`` holds one.
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from ..core.settings import Settings
from .errors import BadDatabase, CliError, NoOrg

RECORD = "org.json"
_SCHEMES = ("sqlite", "postgresql", "postgres", "postgresql+psycopg")
_CREATE_HINT = (
    "create one with `switchboard up --data-dir {d}` or `switchboard org init --data-dir {d}`"
)


def shown(url: str) -> str:
    """The URL as it may be printed: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is printed as given, it carries nothing parsed
        return url


def _embedded(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'org.db').resolve()}"


def _check_url(url: str) -> None:
    try:
        scheme = make_url(url).drivername
    except Exception:
        raise BadDatabase(
            f"--db {url!r} is not a database URL; use sqlite:///PATH or "
            "postgresql://USER@HOST:PORT/DB"
        ) from None
    if scheme not in _SCHEMES:
        raise BadDatabase(
            f"--db {shown(url)}: {scheme} is not supported; use sqlite:///PATH or "
            "postgresql://USER@HOST:PORT/DB"
        )


def _same(a: str, b: str) -> bool:
    def norm(u: str) -> str:
        parsed = make_url(u).set(password=None)
        if parsed.drivername.startswith("postgres"):
            parsed = parsed.set(drivername="postgresql")
        if parsed.drivername == "sqlite" and parsed.database:
            parsed = parsed.set(database=str(Path(parsed.database).resolve()))
        return parsed.render_as_string(hide_password=False)

    return norm(a) == norm(b)


def _recorded(data_dir: Path) -> str | None:
    path = data_dir / RECORD
    if not path.is_file():
        return None
    try:
        db = str(json.loads(path.read_text(encoding="utf-8"))["db"])
    except (OSError, ValueError, KeyError, TypeError):
        raise CliError(f'{path} is unreadable; it should hold {{"db": URL}}') from None
    return db or _embedded(data_dir)


def probe(url: str, *, must_hold_org: bool) -> None:
    """Connect once, so an unreachable database is one line, not a traceback."""
    if url.startswith("sqlite:///") and must_hold_org:
        if not Path(url[len("sqlite:///") :]).is_file():
            raise NoOrg(f"no org in {shown(url)}: the file does not exist")
    engine_url = make_url(url)
    if engine_url.drivername.startswith("postgres"):
        engine_url = engine_url.set(drivername="postgresql+psycopg")
    args = {"connect_timeout": 5} if engine_url.drivername.startswith("postgres") else {}
    engine = sa.create_engine(engine_url, connect_args=args)
    try:
        with engine.connect() as conn:
            if must_hold_org and not sa.inspect(conn).has_table("sb_meta"):
                raise NoOrg(f"no org in the database {shown(url)}")
    except sa.exc.OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise BadDatabase(
            f"cannot reach the database {shown(url)}: {reason}; check --db and that its "
            "server is running"
        ) from None
    finally:
        engine.dispose()


def _with_db(settings: Settings, recorded: str | None) -> Settings:
    d = settings.data_dir
    if recorded is None:
        return settings
    if settings.db and not _same(settings.db, recorded):
        raise CliError(
            f"--db {shown(settings.db)} is not the database of the org in {d} "
            f"({shown(recorded)}, recorded in {d / RECORD}); drop --db or use another --data-dir"
        )
    # A given URL may carry the password the record leaves out.
    return settings.model_copy(update={"db": settings.db or recorded})


def existing(settings: Settings) -> Settings:
    """Settings of the org the data directory holds; :class:`NoOrg` when it holds none.
    Nothing is created or written."""
    d = settings.data_dir
    if not d.exists():
        raise NoOrg(f"no org at {d}: the directory does not exist; " + _CREATE_HINT.format(d=d))
    if not d.is_dir():
        raise NoOrg(f"{d} is a file, not a data directory; give the directory of an org")
    recorded = _recorded(d)
    if recorded is None:
        if settings.db:
            _check_url(settings.db)
            recorded = settings.db
        elif (d / "org.db").is_file():
            recorded = _embedded(d)
        else:
            raise NoOrg(f"no org in {d} (no {RECORD}); " + _CREATE_HINT.format(d=d))
    out = _with_db(settings, recorded)
    probe(out.database_url, must_hold_org=True)
    return out


def for_new_or_existing(settings: Settings) -> Settings:
    """Settings for ``up`` and ``org init``: the recorded org, or the one to create.
    Checks only; :func:`record` writes once the ports are known to be free."""
    d = settings.data_dir
    if d.exists() and not d.is_dir():
        raise CliError(f"--data-dir {d} is a file; give a directory (it is created when missing)")
    recorded = _recorded(d) if d.exists() else None
    out = _with_db(settings, recorded)
    if recorded is None and out.db:
        _check_url(out.db)
        if make_url(out.db).password:
            raise BadDatabase(
                f"--db {shown(out.db)} carries a password, and {d / RECORD} would record it; "
                "give the password through PGPASSWORD or ~/.pgpass instead"
            )
    if not out.database_url.startswith("sqlite"):
        # (SQLite is not probed: connecting would create the file before the port check.)
        probe(out.database_url, must_hold_org=False)
    return out


def existing_record(settings: Settings) -> bool:
    return (settings.data_dir / RECORD).is_file()


def record(settings: Settings) -> None:
    """Create the data directory and record its org's database (once)."""
    d = settings.data_dir
    d.mkdir(parents=True, exist_ok=True)
    if existing_record(settings):
        return
    db = settings.db
    if not db or _same(db, _embedded(d)):
        db = ""
    path = d / RECORD
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"db": db}) + "\n", encoding="utf-8")
    tmp.replace(path)


__all__ = [
    "RECORD",
    "existing",
    "for_new_or_existing",
    "existing_record",
    "probe",
    "record",
    "shown",
]
