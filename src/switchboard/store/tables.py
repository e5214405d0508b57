"""Per-object tables: one real table per object, one column per stored field.

The store knows field types (core) but not objects (org): the org describes each table
as a list of :class:`ColumnSpec`. Columns are lower-cased API names and tables
``o_<object>``, so the same SQL works unquoted on SQLite and PostgreSQL. Numbers are
double precision on both backends so the same query gives the same rows on each
(Salesforce's number fields are doubles on the wire).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..core.fieldtypes import FieldType

_TYPES: dict[FieldType, sa.types.TypeEngine] = {
    FieldType.ID: sa.String(18),
    FieldType.REFERENCE: sa.String(18),
    FieldType.BOOLEAN: sa.Boolean(create_constraint=False),
    FieldType.INT: sa.BigInteger(),
    FieldType.DOUBLE: sa.Float(53),
    FieldType.CURRENCY: sa.Float(53),
    FieldType.PERCENT: sa.Float(53),
    FieldType.DATE: sa.Date(),
    FieldType.DATETIME: sa.DateTime(),
    FieldType.TIME: sa.Time(),
    FieldType.BASE64: sa.LargeBinary(),
}


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    name: str
    type: FieldType
    primary_key: bool = False
    indexed: bool = False  # a plain index on the column
    # An index on lower(column): text that matches case-insensitively is searched as
    # lower(column) = ..., which a plain index cannot serve (a bulk upsert scanned the
    # whole table for every chunk).
    folded: bool = False
    # A column type of the org's own (an encrypted field's sealing type) instead of the
    # one its field type maps to.
    sql_type: sa.types.TypeEngine | None = None


@dataclass(frozen=True, slots=True)
class IndexSpec:
    """An index over several columns, in order; a ``folded`` part is ``lower(column)``.

    Named ``ixs_<table>_<what>`` (or ``ixl_``/``ix_`` like a column's own): the prefix
    marks it as the org's own, so that ensuring the tables drops one no longer declared,
    as it does the per-column ones. ``backends`` (dialect names) limits it to those,
    where the planners differ in what an index is worth; empty: every backend.
    ``include``: columns the entries carry past the key (PostgreSQL's INCLUDE), so that
    an index-only scan answers from the entry what a query tests or returns; other
    backends index the key alone."""

    name: str
    parts: tuple[tuple[str, bool], ...]  # (column, folded)
    backends: tuple[str, ...] = ()
    include: tuple[str, ...] = ()


_OWN_PREFIXES = ("ix_", "ixl_", "ixs_")


def column_type(ftype: FieldType) -> sa.types.TypeEngine:
    return _TYPES.get(ftype, sa.Text())


def build_table(
    name: str,
    columns: list[ColumnSpec],
    metadata: sa.MetaData,
    indexes: Sequence[IndexSpec] = (),
) -> sa.Table:
    """The SQLAlchemy table, registered in ``metadata`` (replacing an older version),
    with each column's own index and the ``indexes`` over several columns."""
    if name in metadata.tables:
        metadata.remove(metadata.tables[name])
    table = sa.Table(
        name,
        metadata,
        *(
            sa.Column(c.name, c.sql_type or column_type(c.type), primary_key=c.primary_key)
            for c in columns
        ),
    )
    for c in columns:
        if c.indexed and not c.primary_key:
            sa.Index(f"ix_{name}_{c.name}"[:63], table.c[c.name])
        if c.folded:
            sa.Index(f"ixl_{name}_{c.name}"[:63], sa.func.lower(table.c[c.name]))
    for ix in indexes:
        parts = [
            sa.func.lower(table.c[col]) if folded else table.c[col] for col, folded in ix.parts
        ]
        index = sa.Index(
            ix.name[:63],
            *parts,
            info={"backends": ix.backends},
            postgresql_include=list(ix.include),
        )
        if ix.backends:  # for Table.create; create_or_extend asks _wanted itself
            index.ddl_if(callable_=_for_backends(ix.backends))
    return table


def _for_backends(backends: tuple[str, ...]) -> Any:
    def check(ddl: Any, target: Any, bind: Any, **kw: Any) -> bool:
        return kw["dialect"].name in backends

    return check


def _wanted(ix: sa.Index, conn: Connection) -> bool:
    backends = ix.info.get("backends")
    return not backends or conn.dialect.name in backends


def create_or_extend(conn: Connection, table: sa.Table) -> list[str]:
    """Create the table, or add the columns it lacks; returns the columns added.

    A deploy never drops or retypes a column, as a Salesforce deploy without destructive
    changes never deletes a field's data.
    """
    inspector = sa.inspect(conn)
    if not inspector.has_table(table.name):
        table.create(conn)
        return [c.name for c in table.columns]
    present = {c["name"].lower() for c in inspector.get_columns(table.name)}
    added = []
    quote = conn.dialect.identifier_preparer.quote
    for col in table.columns:
        if col.name in present:
            continue
        # Identifiers come from validated API names and are quoted; DDL takes no parameters.
        conn.exec_driver_sql(
            f"ALTER TABLE {quote(table.name)} ADD COLUMN "
            f"{quote(col.name)} {col.type.compile(conn.dialect)}"
        )
        added.append(col.name)
    with warnings.catch_warnings():
        # SQLite's reflection skips expression indexes (with a warning); IF NOT EXISTS
        # below covers them.
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        existing = {ix["name"] or "" for ix in inspector.get_indexes(table.name)}
    wanted = [ix for ix in table.indexes if _wanted(ix, conn)]
    for ix in wanted:
        if ix.name not in existing:
            conn.execute(sa.schema.CreateIndex(ix, if_not_exists=True))
    # An index of ours the table no longer declares (a text field indexed plainly before
    # it was indexed as lower(column)) only costs its writes: drop it.
    declared = {ix.name for ix in wanted}
    for name in sorted(existing - declared):
        if name.startswith(tuple(f"{p}{table.name}_"[:63] for p in _OWN_PREFIXES)):
            conn.execute(sa.schema.DropIndex(sa.Index(name), if_exists=True))
    return added


__all__ = ["ColumnSpec", "IndexSpec", "build_table", "column_type", "create_or_extend"]
