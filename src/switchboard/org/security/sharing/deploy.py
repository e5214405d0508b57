"""Putting an SFDX project's sharing into an org: roles, organization-wide defaults and
sharing rules, then the share rows they imply.

Roles go through the one DML path (in the org's own context), so the role closure is
rebuilt as for any UserRole change; defaults and rules are saved with a schema version
bump (``Schema.deploy``), which drops every cached query plan; the share rows of the
objects whose rules were deployed are then recomputed in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...dml.context import WriteContext
from .maintain import recompute_object
from .rules import SharingRule

if TYPE_CHECKING:
    from ...runtime import Org


@dataclass(frozen=True, slots=True)
class RoleDef:
    developer_name: str
    name: str
    parent: str | None = None  # the parent role's DeveloperName
    description: str | None = None


def _ordered(roles: Sequence[RoleDef]) -> list[RoleDef]:
    """Parents before children (a parent outside the list is taken as existing)."""
    by_name = {r.developer_name.lower(): r for r in roles}
    out: list[RoleDef] = []
    seen: set[str] = set()

    def visit(r: RoleDef, path: frozenset[str]) -> None:
        key = r.developer_name.lower()
        if key in seen or key in path:
            return
        parent = by_name.get((r.parent or "").lower())
        if parent is not None:
            visit(parent, path | {key})
        seen.add(key)
        out.append(r)

    for r in roles:
        visit(r, frozenset())
    return out


def deploy_roles(org: Org, user_id: str, roles: Sequence[RoleDef]) -> dict[str, str]:
    """Create or update roles by DeveloperName; their ids by DeveloperName."""
    schema = org.schema
    obj = schema.object("UserRole")

    def work(conn: Connection) -> dict[str, str]:
        table = schema.table(obj)
        ids = {
            row.developername.lower(): row.id
            for row in conn.execute(
                sa.select(table.c.id, table.c.developername).where(table.c.isdeleted == sa.false())
            )
        }
        ctx = WriteContext(user_id)
        for r in _ordered(roles):
            values = {
                "Name": r.name,
                "DeveloperName": r.developer_name,
                "ParentRoleId": ids.get((r.parent or "").lower()),
                "RollupDescription": r.description,
            }
            key = r.developer_name.lower()
            if key in ids:
                out = org.dml.update(conn, ctx, obj, [(ids[key], values)])[0]
            else:
                out = org.dml.insert(conn, ctx, obj, [values])[0]
            if out.errors:
                raise out.errors[0]
            ids[key] = str(out.id)
        return ids

    return org.store.write(work)


def deploy_sharing(
    org: Org,
    *,
    models: dict[str, str] | None = None,
    rules: Sequence[SharingRule] = (),
) -> None:
    """Save defaults and rules, then recompute the share rows of the rules' objects
    (and of every object whose default changed: a rule's reach does not depend on it,
    but a recompute is cheap next to a deploy and keeps the rows honest)."""
    org.schema.deploy([], {}, sharing_models=models or {}, sharing_rules=list(rules))
    names = {r.object_name.lower() for r in rules} | {n.lower() for n in models or {}}

    def work(conn: Connection) -> None:
        for name in sorted(names):
            obj = org.schema.get(name)
            if obj is not None and "ownerid" in org.schema.table(obj).c:
                recompute_object(conn, org.schema, obj)

    org.store.write(work)


__all__ = ["RoleDef", "deploy_roles", "deploy_sharing"]
