"""Record access as a SQL predicate on the queried table.

For a caller without View All (or Modify All) on the object, a record is reachable when

    OwnerId IN (:user, users whose role is below :role)   ownership, the role hierarchy
    OR Id IN (share rows granted to :user or :role)       sharing rules (if any)

Public Read Only and Public Read/Write objects need no predicate for reading (and Public
Read/Write none for editing); ControlledByParent objects take their parent's predicate
through the lookup. The user and the role are bind parameters, never written into the
SQL text, so one compiled statement serves every user with the same access fingerprint
(the plan cache's key). Each part reads an index: OwnerId (a lookup, indexed), the
closure by ancestor, the share rows by (object, grantee).

Before each query that carries the predicate, the SOQL engine reads the users below the
caller's role (:func:`subordinates_probe`) in the query's own transaction, and when they
are few it compiles the owner part against that list instead of the subquery:

* nobody below (``alone=True``): ``OwnerId = :user`` and nothing else. Only the plain
  equality lets the planner read the (OwnerId, IsDeleted, lower(Name), Id) index in list
  order and stop at the page's LIMIT (``tables.record_indexes``); under the OR it cannot
  know the subordinates are none, and walks Name's index testing every row. Measured
  (bench/security.py, 100,000 Accounts, a rep owning 2%): ORDER BY Name LIMIT 200 read
  ~10,000 index entries and their rows instead of 200.
* up to ``engine.LISTED_OWNERS`` below (``owners=n``, n slots): ``OwnerId IN (:o1, ...,
  :on)``, the caller and their subordinates bound as constants (the list padded with
  the caller to a power of two, so that a few statement texts serve every length). The
  planners then know the owners and test each row against a constant list. Measured
  (bench/security.py, 100,000 Accounts, a director seeing 26%): PostgreSQL's subquery
  was a semi-join re-read for each of the ~700 rows ORDER BY Name LIMIT 200 walks
  (3.7 ms -> 0.3 ms executing) and Industry = 'Banking' a hash semi-join over a full
  scan (44 ms -> 16 ms, a bitmap scan of the owner index); SQLite's COUNT() is one
  covering search of the owner index per owner (4.9 ms -> 1.0 ms). With 2,000 users (389
  below the director) SQLite's ORDER BY Name LIMIT 200 sorted every visible row under the
  subquery, 32.5 ms, and walks Name's index under the list, 1.6 ms. PostgreSQL takes
  the list as one text[] parameter, planned for its values on every run (the SOQL
  dialect's ``owner_list``, soql.executor's ``unprepared``).
* many below: the subquery, read by the database itself.

On SQLite a list of up to 16 slots whose query filters on a column the index entry does
not hold and orders by Name is read as one arm per owner (``OwnerId = :o1`` UNION ALL
...), merged in Name's order by the database (soql.compiler's ``_merged``): the walk of
Name's index would test the filter on the row of every visible entry, and reach each
kept row through 1/(visible share) entries. Measured (bench/security.py, the director,
Industry = 'Banking' ORDER BY Name LIMIT 200): 1.44x the administrator's SQL walked,
1.17x merged.

The list is read in the query's own transaction and kept by nobody, so a user placed
below the caller's role, or moved away, is seen by the very next query; only "more than
the list holds" is kept a while by the engine, which only ever costs speed (the
general predicate is right for any caller).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ...schema.model import ObjectDef
from ..principal import Principal
from . import tables
from .models import CONTROLLED_BY_PARENT, PRIVATE, READ, READ_WRITE, effective

if TYPE_CHECKING:
    from ...schema.registry import Schema

READ_ACCESS = "read"
EDIT_ACCESS = "edit"
FULL_ACCESS = "full"  # delete and ownership transfer: owner or above, never by a share

# Bind parameter names the SOQL executor fills in per run (soql.executor).
USER_PARAM = "_sb_user"
ROLE_PARAM = "_sb_role"
# The visible owners' list (an expanding parameter: its slots are _sb_owners_1, ...).
OWNERS_PARAM = "_sb_owners"
# What the list's slots past its end hold: no OwnerId is empty.
NO_OWNER = ""


def bypasses(principal: Principal | None, obj: ObjectDef, level: str) -> bool:
    if principal is None or principal.system:
        return True
    return principal.sees_all(obj.name) if level == READ_ACCESS else principal.edits_all(obj.name)


def access_predicate(
    schema: Schema,
    obj: ObjectDef,
    table: Any,
    principal: Principal | None,
    level: str,
    *,
    user: Any = None,
    role: Any = None,
    depth: int = 0,
    in_select: Callable[[Any, Any], Any] | None = None,
    owned_by: Callable[[Any, Any, Any], Any] | None = None,
    owner_list: Callable[[Any, int], Any] | None = None,
    alone: bool = False,
    owners: int = 0,
) -> Any | None:
    """The condition on ``table`` (the object's table or an alias of it) that keeps the
    records ``principal`` may reach at ``level``; None when it reaches them all.

    ``user`` and ``role`` are SQL expressions (bind parameters); by default the SOQL
    executor's named ones. ``in_select(col, select)`` spells ``col IN (select)`` (the
    SOQL dialect's, so that each branch of the OR can read an index); ``owner_list(col,
    n)`` spells ``col IN`` the owner list of ``n`` slots (the dialect's). ``alone``: the
    caller has no users below their role, so ownership is ``OwnerId = user`` alone;
    ``owners``: ownership is ``OwnerId IN`` a list of that many bound slots, which the
    executor fills with the caller and the users below their role
    (:func:`subordinates_probe`)."""
    if bypasses(principal, obj, level):
        return None
    if in_select is None:
        in_select = _plain_in
    if owned_by is None:
        owned_by = _plain_owned_by
    if owner_list is None:
        owner_list = _plain_owner_list
    if user is None:
        user = sa.bindparam(USER_PARAM, None)
    if role is None:
        role = sa.bindparam(ROLE_PARAM, None)
    found = effective(schema.sharing, obj)
    model = found.model
    if model == READ_WRITE or (model == READ and level == READ_ACCESS):
        return None
    owned = "ownerid" in table.c
    if model == CONTROLLED_BY_PARENT and found.parent is not None:
        parent = schema.get(found.parent.reference_to[0])
        if parent is None:
            return None
        ptable = schema.table(parent).alias(f"sbp{depth}")
        inner = access_predicate(
            schema,
            parent,
            ptable,
            principal,
            level,
            user=user,
            role=role,
            depth=depth + 1,
            in_select=in_select,
            owned_by=owned_by,
            owner_list=owner_list,
            alone=alone,
            owners=owners,
        )
        if inner is None:
            return None
        via_parent = in_select(table.c[found.parent.column], sa.select(ptable.c.id).where(inner))
        return sa.or_(table.c.ownerid == user, via_parent) if owned else via_parent
    if not owned:
        return None
    assert model in (PRIVATE, READ, CONTROLLED_BY_PARENT)
    if alone:
        owned = table.c.ownerid == user
    elif owners:
        owned = owner_list(table.c.ownerid, owners)
    else:
        owned = owned_by(table.c.ownerid, user, _subordinates(schema, role, depth))
    if level == FULL_ACCESS or not schema.sharing.rules.get(obj.name.lower()):
        return owned
    return sa.or_(owned, in_select(table.c.id, _shared(obj, user, role, level, depth)))


def owner_slot(i: int) -> Any:
    """The ``i``-th (from 1) slot of the owner list as a parameter of its own: the name
    the expanding ``OWNERS_PARAM`` renders for that slot, so that the executor fills it
    from the same list."""
    return sa.bindparam(f"{OWNERS_PARAM}_{i}", None)


def owners_alone(schema: Schema, obj: ObjectDef, principal: Principal | None) -> bool:
    """Whether ``principal``'s read predicate on ``obj`` under an owner list is
    ``OwnerId IN`` the list and nothing else (Private, no sharing rule, the object's own
    OwnerId): its visible records are then exactly the union of each listed owner's."""
    if bypasses(principal, obj, READ_ACCESS) or obj.field("OwnerId") is None:
        return False
    found = effective(schema.sharing, obj)
    return found.model == PRIVATE and not schema.sharing.rules.get(obj.name.lower())


def subordinates_probe(schema: Schema, limit: int) -> Any:
    """The ids of at most ``limit`` users in a role below ``:_sb_role`` (the users the
    predicate's subordinate part reads); run by the SOQL engine before a query that
    carries the predicate, to choose the ``alone`` or the ``owners`` form."""
    role: Any = sa.bindparam(ROLE_PARAM, None)
    return _subordinates(schema, role, 0).limit(sa.literal_column(str(int(limit))))


def _plain_in(col: Any, select: Any) -> Any:
    return col.in_(select)


def _plain_owner_list(col: Any, slots: int) -> Any:
    return col.in_(sa.bindparam(OWNERS_PARAM, [NO_OWNER] * slots, expanding=True))


def _plain_owned_by(col: Any, user: Any, others: Any) -> Any:
    return sa.or_(col == user, col.in_(others))


def _subordinates(schema: Schema, role: Any, depth: int) -> Any:
    """Every user in a role below the caller's."""
    users = schema.table(schema.object("User")).alias(f"sbu{depth}")
    below = tables.role_closure.alias(f"sbc{depth}")
    return (
        sa.select(users.c.id)
        .select_from(users.join(below, users.c.userroleid == below.c.role_id))
        .where(below.c.ancestor_id == role, below.c.depth > 0)
    )


def _shared(obj: ObjectDef, user: Any, role: Any, level: str, depth: int) -> Any:
    """Ids of the object's records shared to the user, to a role at or below theirs
    (access is granted up the hierarchy), or to a role above theirs with its
    subordinates."""
    s = tables.share.alias(f"sbs{depth}")
    mine_and_below = tables.role_closure.alias(f"sbr{depth}")
    above = tables.role_closure.alias(f"sba{depth}")
    grantee = sa.or_(
        sa.and_(s.c.grantee_kind == "user", s.c.grantee_id == user),
        s.c.grantee_id.in_(
            sa.select(mine_and_below.c.role_id).where(mine_and_below.c.ancestor_id == role)
        ),
        sa.and_(
            s.c.grantee_kind == "subs",
            s.c.grantee_id.in_(sa.select(above.c.ancestor_id).where(above.c.role_id == role)),
        ),
    )
    where = [s.c.object_name == obj.name.lower(), grantee]
    if level == EDIT_ACCESS:
        where.append(s.c.access_level == "Edit")
    return sa.select(s.c.record_id).where(*where)


__all__ = [
    "EDIT_ACCESS",
    "FULL_ACCESS",
    "NO_OWNER",
    "OWNERS_PARAM",
    "READ_ACCESS",
    "ROLE_PARAM",
    "USER_PARAM",
    "access_predicate",
    "bypasses",
    "owner_slot",
    "owners_alone",
    "subordinates_probe",
]
