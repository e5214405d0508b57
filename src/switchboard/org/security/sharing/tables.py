"""The tables of record sharing (chain ``sharing``).

sb_object_sharing   the organization-wide default of each object an SFDX project set
                    (objects absent here keep Salesforce's shipped default)
sb_sharing_rule     owner- and criteria-based sharing rules, as deployed
sb_role_closure     every (role, ancestor-or-self, depth) pair of the role hierarchy,
                    rebuilt by the DML path whenever a UserRole changes
sb_share            the share rows the rules grant: a record, to whom (a role, a role
                    and its subordinates, or a user) and at what level (Read, Edit)

and the two indexes every owned object's table gets for the predicate
(:func:`record_indexes`), in place of the plain ones on OwnerId and lower(Name):

ixs_<t>_owner       (OwnerId, IsDeleted, lower(Name), Id), SQLite: a caller who sees only
                    their own records (no users below their role) reads them in list
                    order, ``OwnerId = :user ORDER BY Name LIMIT n`` stopping after n
                    entries, and COUNT()s them without touching the table
ixs_<t>_name        (lower(Name), Id, OwnerId, IsDeleted), SQLite: a caller who sees
                    many owners' records walks Name's order and tests ownership on the
                    index entry, reading the table only for the rows it keeps
ixs_<t>_ownername   PostgreSQL's owner index: the same key, INCLUDE (Name)
ixs_<t>_cover       (lower(Name), Id) INCLUDE (OwnerId, IsDeleted, Name), PostgreSQL:
                    Name's walk tests ownership on the entry and returns Id and Name
                    from it. PostgreSQL's plain index scan reads the heap for every
                    entry whatever the entry holds (a wider key only made the walk
                    dearer); an index-only scan reads neither the heap nor the rows it
                    drops, once VACUUM (autovacuum) has marked the pages all-visible.
                    Measured (bench/security.py, VACUUMed, 100,000 Accounts, against
                    lower(Name) alone and the owner index without Name): the
                    administrator's ORDER BY Name LIMIT 200 1.7 -> 1.2 ms and Name LIKE
                    'b%' 11.4 -> 4.2 ms, the director's 3.4 -> 2.0 ms and 12.2 -> 5.1 ms,
                    the rep's 3.4 -> 1.3 ms and 7.4 -> 1.6 ms. The write cost: 100,000
                    rows INSERTed into a table with these two and its primary key 1.66 s
                    -> 1.89 s against the former two; an UPDATE of Name on 50,000 about
                    5% dearer; ~200 bytes of index per row more.

Measured with bench/security.py (100,000 Accounts, SQLite): the rep's ORDER BY Name
LIMIT 200 read ~10,000 rows through lower(Name) (table row per entry) or sorted its
~2,000 owned rows; the director's COUNT() read the table for each of ~26,000 rows.
Id ends both so that ORDER BY Name's tiebreak (Id) needs no sort of its own.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ....store.migrations import Chain, Step
from ....store.tables import IndexSpec
from ...schema.model import ObjectDef

metadata = sa.MetaData()

object_sharing = sa.Table(
    "sb_object_sharing",
    metadata,
    sa.Column("object_name", sa.String(255), primary_key=True),  # lower-cased API name
    sa.Column("sharing_model", sa.String(40), nullable=False),
)

sharing_rule = sa.Table(
    "sb_sharing_rule",
    metadata,
    sa.Column("object_name", sa.String(255), primary_key=True),  # lower-cased API name
    sa.Column("rule_name", sa.String(255), primary_key=True),
    sa.Column("definition", sa.Text, nullable=False),  # JSON of sharing.rules.SharingRule
)

role_closure = sa.Table(
    "sb_role_closure",
    metadata,
    sa.Column("role_id", sa.String(18), primary_key=True),
    sa.Column("ancestor_id", sa.String(18), primary_key=True),
    sa.Column("depth", sa.Integer, nullable=False),  # 0: the role itself
)
# "Roles below mine": the predicate reads by ancestor.
sa.Index("ix_sb_role_closure_ancestor", role_closure.c.ancestor_id, role_closure.c.role_id)

share = sa.Table(
    "sb_share",
    metadata,
    sa.Column("object_name", sa.String(255), nullable=False),  # lower-cased API name
    sa.Column("record_id", sa.String(18), nullable=False),
    # 'role': users of that role (and, through the hierarchy, those above it);
    # 'subs': that role and every role below it; 'user': one user.
    sa.Column("grantee_kind", sa.String(8), nullable=False),
    sa.Column("grantee_id", sa.String(18), nullable=False),
    sa.Column("access_level", sa.String(8), nullable=False),  # Read | Edit
    sa.Column("rule_name", sa.String(255), nullable=False),
)
# The predicate asks "records of this object shared to these grantees".
sa.Index("ix_sb_share_grantee", share.c.object_name, share.c.grantee_id, share.c.record_id)
sa.Index("ix_sb_share_record", share.c.record_id)


def record_indexes(obj: ObjectDef) -> tuple[IndexSpec, ...]:
    """The sharing predicate's indexes on ``obj``'s table; none for an object without
    an owner, or whose name is not searched as lower(Name) (encrypted, auto number)."""
    owner = obj.field("OwnerId")
    name = obj.name_field
    deleted = obj.field("IsDeleted")
    if owner is None or deleted is None or name is None:
        return ()
    if not (owner.stored and deleted.stored and name.stored and name.folded) or name.encrypted:
        return ()
    t, o, d, n = obj.table, owner.column, deleted.column, name.column
    return (
        IndexSpec(
            f"ixs_{t}_owner",
            ((o, False), (d, False), (n, True), ("id", False)),
            backends=("sqlite",),
        ),
        # PostgreSQL's carries Name itself too, so that its scans are index-only; a new
        # name, so that ensuring an existing org's tables builds it (an index is matched
        # by name, never by definition).
        IndexSpec(
            f"ixs_{t}_ownername",
            ((o, False), (d, False), (n, True), ("id", False)),
            backends=("postgresql",),
            include=(n,),
        ),
        IndexSpec(
            f"ixs_{t}_name",
            ((n, True), ("id", False), (o, False), (d, False)),
            backends=("sqlite",),
        ),
        IndexSpec(
            f"ixs_{t}_cover",
            ((n, True), ("id", False)),
            backends=("postgresql",),
            include=(o, d, n),
        ),
    )


def owner_index(obj: ObjectDef) -> IndexSpec | None:
    """``ixs_<t>_owner`` of ``obj``: (OwnerId, IsDeleted, lower(Name), Id), each owner's
    live records in Name's order; None when ``obj`` has none."""
    found = record_indexes(obj)
    return found[0] if found else None


def _v1_tables(conn: Connection) -> None:
    metadata.create_all(conn)


CHAIN = Chain("sharing", [Step(1, _v1_tables)])

__all__ = [
    "CHAIN",
    "metadata",
    "object_sharing",
    "record_indexes",
    "role_closure",
    "share",
    "sharing_rule",
]
