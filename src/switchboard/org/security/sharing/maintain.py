"""Keeping the role closure and the share rows current, inside the writer's transaction.

The DML path calls :func:`after_write` for every batch it inserts, updates or deletes:

- a UserRole change rebuilds the closure (roles are few; a full rebuild is one
  statement per hierarchy level and can never drift);
- a User change (a new role) recomputes the owner-based rules, whose reach is "records
  owned by users of role X";
- a change to records of an object with rules recomputes those records' share rows
  (criteria may now match or not, the owner may have changed).

A rule deploy recomputes every share row of the objects it touches
(:func:`recompute_object`). Share rows are computed by INSERT ... SELECT, so the database
evaluates criteria and ownership; nothing walks records in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...schema.model import ObjectDef
from . import tables
from .models import SharingConfig, normalize
from .rules import ROLE, SUBS, SharingRule, criteria_sql

if TYPE_CHECKING:
    from ...schema.registry import Schema

_CHUNK = 500


# -- configuration --------------------------------------------------------------------
def load_config(conn: Connection) -> SharingConfig:
    """The deployed defaults and rules (read with every schema load)."""
    config = SharingConfig()
    for row in conn.execute(sa.select(tables.object_sharing)):
        model = normalize(row.sharing_model)
        if model is not None:
            config.models[row.object_name] = model
    for row in conn.execute(
        sa.select(tables.sharing_rule.c.definition).order_by(
            tables.sharing_rule.c.object_name, tables.sharing_rule.c.rule_name
        )
    ):
        rule = SharingRule.from_json(row.definition)
        config.rules.setdefault(rule.object_name.lower(), []).append(rule)
    return config


def save_models(conn: Connection, models: dict[str, str]) -> None:
    t = tables.object_sharing
    for name, model in models.items():
        key = name.lower()
        conn.execute(t.delete().where(t.c.object_name == key))
        conn.execute(t.insert().values(object_name=key, sharing_model=model))


def save_rules(conn: Connection, rules: Sequence[SharingRule]) -> None:
    """Replace the rules of each object named (a deploy carries an object's full set)."""
    t = tables.sharing_rule
    for name in {r.object_name.lower() for r in rules}:
        conn.execute(t.delete().where(t.c.object_name == name))
    for r in rules:
        conn.execute(
            t.insert().values(
                object_name=r.object_name.lower(), rule_name=r.name, definition=r.to_json()
            )
        )


# -- the role hierarchy ----------------------------------------------------------------
def rebuild_closure(conn: Connection, schema: Schema) -> None:
    """Every (role, ancestor-or-self, depth) pair, from UserRole.ParentRoleId."""
    roles = schema.table(schema.object("UserRole"))
    closure = tables.role_closure
    conn.execute(closure.delete())
    live = roles.c.isdeleted == sa.false()
    conn.execute(
        closure.insert().from_select(
            ["role_id", "ancestor_id", "depth"],
            sa.select(roles.c.id, roles.c.id, sa.literal(0)).where(live),
        )
    )
    # One level per statement; a cycle (which the hierarchy forbids) stops at the bound.
    for depth in range(1, 64):
        prev = closure.alias("prev")
        parent = roles.alias("parent_role")
        step = (
            sa.select(prev.c.role_id, parent.c.parentroleid, sa.literal(depth))
            .select_from(prev.join(parent, parent.c.id == prev.c.ancestor_id))
            .where(prev.c.depth == depth - 1, parent.c.parentroleid.isnot(None))
            .where(parent.c.isdeleted == sa.false())
        )
        added = conn.execute(
            closure.insert().from_select(["role_id", "ancestor_id", "depth"], step)
        ).rowcount
        if not added:
            break


def _role_ids(conn: Connection, schema: Schema, kind: str, developer_name: str) -> list[str]:
    roles = schema.table(schema.object("UserRole"))
    found = conn.execute(
        sa.select(roles.c.id).where(
            sa.func.lower(roles.c.developername) == developer_name.lower(),
            roles.c.isdeleted == sa.false(),
        )
    ).scalar()
    if found is None:
        return []
    if kind != SUBS:
        return [found]
    closure = tables.role_closure
    return list(
        conn.execute(sa.select(closure.c.role_id).where(closure.c.ancestor_id == found)).scalars()
    )


# -- share rows ------------------------------------------------------------------------
def _grant(
    conn: Connection, schema: Schema, obj: ObjectDef, rule: SharingRule, ids: list[str] | None
) -> None:
    table = schema.table(obj)
    kind, name = rule.shared_to
    # The row names the role at the top of what is shared to; 'subs' reaches below it.
    grantee = _role_ids(conn, schema, ROLE, name)
    if not grantee:
        return  # a role not (yet) in the org grants nothing
    where: list[Any] = [table.c.isdeleted == sa.false()]
    if ids is not None:
        where.append(table.c.id.in_(ids))
    if rule.shared_from is not None:
        owners_roles = _role_ids(conn, schema, *rule.shared_from)
        if not owners_roles:
            return
        users = schema.table(schema.object("User"))
        where.append(
            table.c.ownerid.in_(sa.select(users.c.id).where(users.c.userroleid.in_(owners_roles)))
        )
    else:
        where.append(criteria_sql(rule, obj, table))
    select = sa.select(
        sa.literal(obj.name.lower()),
        table.c.id,
        sa.literal(kind),
        sa.literal(grantee[0]),
        sa.literal(rule.access_level),
        sa.literal(rule.name),
    ).where(*where)
    conn.execute(
        tables.share.insert().from_select(
            [
                "object_name",
                "record_id",
                "grantee_kind",
                "grantee_id",
                "access_level",
                "rule_name",
            ],  # fmt: skip
            select,
        )
    )


def recompute_object(conn: Connection, schema: Schema, obj: ObjectDef) -> None:
    """Every share row of ``obj`` from its rules (after a deploy or a hierarchy change)."""
    share = tables.share
    conn.execute(share.delete().where(share.c.object_name == obj.name.lower()))
    for rule in schema.sharing.rules.get(obj.name.lower(), []):
        _grant(conn, schema, obj, rule, None)


def recompute_records(conn: Connection, schema: Schema, obj: ObjectDef, ids: list[str]) -> None:
    share = tables.share
    rules = schema.sharing.rules.get(obj.name.lower(), [])
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        conn.execute(
            share.delete().where(
                share.c.object_name == obj.name.lower(), share.c.record_id.in_(chunk)
            )
        )
        for rule in rules:
            _grant(conn, schema, obj, rule, chunk)


def after_write(conn: Connection, schema: Schema, obj: ObjectDef, ids: list[str]) -> None:
    """The DML path's call after a batch of ``obj`` records changed."""
    if not ids:
        return
    name = obj.name.lower()
    if name == "userrole":
        rebuild_closure(conn, schema)
        _recompute_all(conn, schema)
    elif name == "user":
        if any(r.owner_based for rules in schema.sharing.rules.values() for r in rules):
            _recompute_all(conn, schema, owner_based_only=True)
    elif schema.sharing.rules.get(name):
        recompute_records(conn, schema, obj, ids)


def _recompute_all(conn: Connection, schema: Schema, *, owner_based_only: bool = False) -> None:
    for name, rules in schema.sharing.rules.items():
        if owner_based_only and not any(r.owner_based for r in rules):
            continue
        obj = schema.get(name)
        if obj is not None:
            recompute_object(conn, schema, obj)


__all__ = [
    "after_write",
    "load_config",
    "rebuild_closure",
    "recompute_object",
    "recompute_records",
    "save_models",
    "save_rules",
]
