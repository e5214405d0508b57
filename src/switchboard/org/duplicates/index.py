"""The match keys table kept by the DML path, in the writer's own transaction.

Every write of an object with active duplicate rules keeps the keys of its live records
current: an insert adds the new records' keys, an update that changes a compared field
replaces the record's keys, a delete removes them. A rule version (name and signature)
is built, from every live record of the object's table, the first time a transaction
needs it, and again when a deploy changes the object's duplicate rules (the deploy
clears the object's keys and builds its active rules). Lookups then read only the rows
whose key the batch holds, through the (object, rule, key) index.

A writer that has not yet seen a deploy (another process, before its schema poll) keeps
no keys for the new rule; its records in that window are found again when the rules
are next deployed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...core import clock
from ...store.batch_writes import insert_rows
from ...store.match import one_of
from ..schema.model import ObjectDef
from . import tables
from .keys import RuleKeys

_CHUNK = 5000  # keys or ids per lookup statement
_KEY_COLUMNS = ("object_name", "rule", "key", "record_id")


def rule_keys(obj: ObjectDef) -> list[RuleKeys]:
    """The matching rules of ``obj``'s active duplicate rules, each once."""
    seen: dict[str, RuleKeys] = {}
    for dup in obj.duplicate_rules:
        if not dup.active:
            continue
        for m in dup.matching:
            rk = RuleKeys(obj, m)
            seen.setdefault(rk.name, rk)
    return list(seen.values())


def ensure(conn: Connection, table: sa.Table, obj: ObjectDef, rk: RuleKeys) -> bool:
    """Build ``rk``'s keys from the table unless built already; whether it built now
    (the keys then cover every row written so far in this transaction)."""
    b = tables.built
    mine = (b.c.object_name == obj.name) & (b.c.rule == rk.name)
    if conn.execute(sa.select(b.c.rule).where(mine)).first() is not None:
        return False
    k = tables.match_key
    conn.execute(k.delete().where((k.c.object_name == obj.name) & (k.c.rule == rk.name)))
    cols = [table.c.id, *(table.c[c] for c in rk.stored)]
    stmt = sa.select(*cols).where(table.c.isdeleted.is_(False))
    rows = conn.execute(stmt).all()  # read whole before writing on the same connection
    add(conn, obj, rk, ((row[0], dict(zip(rk.stored, row[1:], strict=True))) for row in rows))
    conn.execute(b.insert().values(object_name=obj.name, rule=rk.name, built_at=clock.now()))
    return True


def rebuild(conn: Connection, table: sa.Table, obj: ObjectDef) -> None:
    """Drop every key of ``obj`` and build those of its active rules (at deploy)."""
    for t in (tables.match_key, tables.built):
        conn.execute(t.delete().where(t.c.object_name == obj.name))
    for rk in rule_keys(obj):
        ensure(conn, table, obj, rk)


def add(
    conn: Connection, obj: ObjectDef, rk: RuleKeys, rows: Iterable[tuple[str, dict[str, Any]]]
) -> None:
    """Store the keys of ``rows`` (id, column values)."""
    out = [
        (obj.name, rk.name, key, rid) for rid, row in rows for key in rk.keys(rk.normalised(row))
    ]
    insert_rows(conn, tables.match_key, _KEY_COLUMNS, out)


def remove(conn: Connection, obj: ObjectDef, record_ids: Sequence[str]) -> None:
    """Drop every key of ``record_ids`` (deleted, or about to get new keys)."""
    k = tables.match_key
    for i in range(0, len(record_ids), _CHUNK):
        chunk = record_ids[i : i + _CHUNK]
        conn.execute(k.delete().where(one_of(conn, k.c.record_id, chunk)))


def holders(conn: Connection, obj: ObjectDef, rk: RuleKeys, keys: set[str]) -> dict[str, set[str]]:
    """The ids of the records holding each of ``keys``, by key: one indexed query per
    few thousand keys."""
    k = tables.match_key
    out: dict[str, set[str]] = defaultdict(set)
    wanted = sorted(keys)
    for i in range(0, len(wanted), _CHUNK):
        stmt = sa.select(k.c.key, k.c.record_id).where(
            (k.c.object_name == obj.name)
            & (k.c.rule == rk.name)
            & one_of(conn, k.c.key, wanted[i : i + _CHUNK])
        )
        for key, rid in conn.execute(stmt):
            out[key].add(rid)
    return out


def live_values(
    conn: Connection, table: sa.Table, rk: RuleKeys, record_ids: Iterable[str] | None
) -> dict[str, list[str]]:
    """The normalised compared values of the live records among ``record_ids`` (every
    live record when None), by id."""
    cols = [table.c.id, *(table.c[c] for c in rk.stored)]
    base = sa.select(*cols).where(table.c.isdeleted.is_(False))
    if record_ids is None:
        statements = [base]
    else:
        listed = sorted(record_ids)
        statements = [
            base.where(one_of(conn, table.c.id, listed[i : i + _CHUNK]))
            for i in range(0, len(listed), _CHUNK)
        ]
    out: dict[str, list[str]] = {}
    for stmt in statements:
        for row in conn.execute(stmt).all():
            out[row[0]] = rk.normalised(dict(zip(rk.stored, row[1:], strict=True)))
    return out


# -- kept by the DML path ----------------------------------------------------------------
def inserted(
    conn: Connection, table: sa.Table, obj: ObjectDef, rows: Sequence[dict[str, Any]]
) -> None:
    """After an insert: the new records' keys (``rows`` hold their column values)."""
    for rk in rule_keys(obj):
        if not ensure(conn, table, obj, rk):
            add(conn, obj, rk, ((r["id"], r) for r in rows))


def updated(
    conn: Connection,
    table: sa.Table,
    obj: ObjectDef,
    changes: Sequence[tuple[str, dict[str, Any], dict[str, Any]]],
) -> None:
    """After an update of (id, row before, values set): new keys for the records whose
    compared fields changed, read back from the table (the row before may hold only
    the columns the update read)."""
    for rk in rule_keys(obj):
        if ensure(conn, table, obj, rk):
            continue
        moved = [
            rid
            for rid, before, after in changes
            if any(c in after and (c not in before or before[c] != after[c]) for c in rk.stored)
        ]
        if not moved:
            continue
        k = tables.match_key
        for i in range(0, len(moved), _CHUNK):
            chunk = moved[i : i + _CHUNK]
            conn.execute(
                k.delete().where((k.c.rule == rk.name) & one_of(conn, k.c.record_id, chunk))
            )
            stmt = sa.select(table.c.id, *(table.c[c] for c in rk.stored)).where(
                one_of(conn, table.c.id, chunk)
            )
            rows = conn.execute(stmt).all()
            add(conn, obj, rk, ((r[0], dict(zip(rk.stored, r[1:], strict=True))) for r in rows))


__all__ = [
    "add",
    "ensure",
    "holders",
    "inserted",
    "live_values",
    "rebuild",
    "remove",
    "rule_keys",
    "updated",
]
