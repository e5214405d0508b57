"""Versioned migrations, one chain per layer that owns tables.

Each layer declares its tables next to its code and an ordered list of steps under a
chain name (``events``, ``identity``, ``bulk``, ``callout``, ...): the store cannot
know the layers above it, so they hand their chains to :func:`migrate`. A step runs
once, inside one write transaction together with every other missing step, and
``sb_migration`` records it as ``(chain, version)``. A data directory made by an
earlier build opens in a later one by running the steps it lacks; one whose chain is
ahead of this build is refused rather than guessed at. Append steps; never edit one
that has shipped.

Registering a chain (for a new layer)::

    from switchboard.store.migrations import Chain, Step

    metadata = sa.MetaData()
    delivery = sa.Table("sb_callout_delivery", metadata, ...)

    def _v1(conn: Connection) -> None:
        metadata.create_all(conn, tables=[delivery])

    CHAIN = Chain("callout", [Step(1, _v1)])   # or [(1, _v1)]

The org's own chains are listed in ``org/migrations.py`` (run by ``Org.open``); a
pattern appends its chain to ``patterns.PATTERN_CHAINS`` (run by ``Runtime.open``).
Chain names are unique and stable; tables are named ``sb_<layer>_...``.

Before chains, one sequence of six versions (``sb_migration.version`` 1..6) created
every layer's tables. Such a database is converted on open: its rows are kept as the
``legacy`` chain, and each layer step that carries ``legacy=N`` is recorded as done
(at the legacy row's time) when legacy version ``N`` was applied.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..core import clock
from . import internal
from .engine import Store
from .errors import MigrationError

LEGACY = "legacy"
LEGACY_LATEST = 6  # the last version of the single pre-chain sequence

StepFn = Callable[[Connection], None]


@dataclass(frozen=True)
class Step:
    version: int
    apply: StepFn
    # The pre-chain version that created the same tables, for converting old databases.
    legacy: int | None = None


@dataclass(frozen=True)
class Chain:
    name: str
    steps: Sequence[Step | tuple[int, StepFn]] = field(default_factory=list)

    def ordered(self) -> list[Step]:
        out = [s if isinstance(s, Step) else Step(s[0], s[1]) for s in self.steps]
        versions = [s.version for s in out]
        if versions != sorted(set(versions)) or (versions and versions[0] < 1):
            raise ValueError(f"chain {self.name}: versions must rise from 1: {versions}")
        return out

    @property
    def latest(self) -> int:
        return max((s.version for s in self.ordered()), default=0)


def _v1_store(conn: Connection) -> None:
    internal.metadata.create_all(conn, tables=[internal.meta])


# The store's own chain: the key-value ``sb_meta`` every layer may keep small state in.
STORE_CHAIN = Chain("store", [Step(1, _v1_store, legacy=1)])


def _has_chains(conn: Connection) -> bool:
    inspector = sa.inspect(conn)
    if not inspector.has_table(internal.migration.name):
        return False
    return "chain" in {c["name"] for c in inspector.get_columns(internal.migration.name)}


def _convert_legacy(conn: Connection) -> dict[int, object]:
    """Rebuild a pre-chain ``sb_migration`` as the chained one; returns the legacy
    versions with their times (empty for a new database)."""
    if not sa.inspect(conn).has_table(internal.migration.name):
        internal.migration.create(conn)
        return {}
    old = sa.table(
        "sb_migration", sa.column("version", sa.Integer), sa.column("applied_at", sa.DateTime)
    )
    rows = {int(v): at for v, at in conn.execute(sa.select(old.c.version, old.c.applied_at))}
    conn.exec_driver_sql("ALTER TABLE sb_migration RENAME TO sb_migration_pre_chain")
    internal.migration.create(conn)
    if rows:
        conn.execute(
            internal.migration.insert(),
            [{"chain": LEGACY, "version": v, "applied_at": at} for v, at in rows.items()],
        )
    conn.exec_driver_sql("DROP TABLE sb_migration_pre_chain")
    return rows


def versions(conn: Connection) -> dict[str, int]:
    """Each chain's applied version (chains never run are absent)."""
    if not _has_chains(conn):
        if not sa.inspect(conn).has_table(internal.migration.name):
            return {}
        old = sa.table("sb_migration", sa.column("version"))
        have = conn.execute(sa.select(sa.func.max(old.c.version))).scalar()
        return {LEGACY: int(have)} if have else {}
    m = internal.migration
    rows = conn.execute(sa.select(m.c.chain, sa.func.max(m.c.version)).group_by(m.c.chain))
    return {str(chain): int(v) for chain, v in rows}


def _run(conn: Connection, chains: Sequence[Chain]) -> dict[str, int]:
    legacy: dict[int, object] = {}
    if not _has_chains(conn):
        legacy = _convert_legacy(conn)
    have = versions(conn)
    if have.get(LEGACY, 0) > LEGACY_LATEST:
        raise MigrationError(
            f"The database is at migration {have[LEGACY]}, newer than this build's "
            f"{LEGACY_LATEST}; upgrade Switchboard to open it"
        )
    m = internal.migration
    for chain in chains:
        steps = chain.ordered()
        at = have.get(chain.name, 0)
        if at > chain.latest:
            raise MigrationError(
                f"The database's {chain.name} tables are at migration {at}, newer than "
                f"this build's {chain.latest}; upgrade Switchboard to open it"
            )
        for step in steps:
            if step.version <= at:
                continue
            done_at = legacy.get(step.legacy) if step.legacy is not None else None
            if done_at is None:
                step.apply(conn)
                done_at = clock.now()
            conn.execute(
                m.insert().values(chain=chain.name, version=step.version, applied_at=done_at)
            )
            at = step.version
        have[chain.name] = at
    return have


def _locked(store: Store, conn: Connection) -> Connection:
    store.dialect.lock(conn, "switchboard.migrations")
    return conn


def migrate(store: Store, chains: Sequence[Chain] = ()) -> dict[str, int]:
    """Bring the store's chain and ``chains`` to their latest versions, in that order,
    in one transaction; returns every chain's version."""
    names = [c.name for c in chains]
    if len(set(names)) != len(names) or STORE_CHAIN.name in names:
        raise ValueError(f"migration chain names must be unique: {names}")
    everything = [STORE_CHAIN, *chains]
    # Several processes may start at once against one database: the dialect's
    # transaction-scoped lock makes the first one migrate while the others wait,
    # instead of racing on CREATE TABLE.
    return store.write(lambda conn: _run(_locked(store, conn), everything))


__all__ = [
    "LEGACY",
    "LEGACY_LATEST",
    "STORE_CHAIN",
    "Chain",
    "Step",
    "migrate",
    "versions",
]
