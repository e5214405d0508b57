"""The tables of record sharing (chain ``sharing``).

sb_object_sharing   the organization-wide default of each object an SFDX project set
                    (objects absent here keep Salesforce's shipped default)
sb_sharing_rule     owner- and criteria-based sharing rules, as deployed
sb_role_closure     every (role, ancestor-or-self, depth) pair of the role hierarchy,
                    rebuilt by the DML path whenever a UserRole changes
sb_share            the share rows the rules grant: a record, to whom (a role, a role
                    and its subordinates, or a user) and at what level (Read, Edit)
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ....store.migrations import Chain, Step

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


def _v1_tables(conn: Connection) -> None:
    metadata.create_all(conn)


CHAIN = Chain("sharing", [Step(1, _v1_tables)])

__all__ = ["CHAIN", "metadata", "object_sharing", "role_closure", "share", "sharing_rule"]
