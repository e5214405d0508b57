"""The duplicate rules' tables: the match keys of live records, and which rules have them.

``sb_duplicates_key`` holds, per matching rule, one row per OR-ed clause of its filter
and live record: the clause's blocking key (see :mod:`.keys`) and the record's id, so
finding a batch's candidates is one indexed ``IN`` over the batch's keys instead of a
read of every record. ``sb_duplicates_built`` says which rule versions (name and
signature) have their keys for every record already; a rule without a row gets them
built from the object's table in the first transaction that needs them.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...store.migrations import Chain, Step

metadata = sa.MetaData()

match_key = sa.Table(
    "sb_duplicates_key",
    metadata,
    sa.Column("object_name", sa.String(255), nullable=False),
    sa.Column("rule", sa.String(255), nullable=False),  # matching rule name#signature
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("record_id", sa.String(18), nullable=False),
)
sa.Index("ix_sb_duplicates_key_lookup", match_key.c.object_name, match_key.c.rule, match_key.c.key)
sa.Index("ix_sb_duplicates_key_record", match_key.c.record_id)

built = sa.Table(
    "sb_duplicates_built",
    metadata,
    sa.Column("object_name", sa.String(255), primary_key=True),
    sa.Column("rule", sa.String(255), primary_key=True),
    sa.Column("built_at", sa.DateTime, nullable=False),
)


def _v1_match_keys(conn: Connection) -> None:
    metadata.create_all(conn, tables=[match_key, built])


CHAIN = Chain("duplicates", [Step(1, _v1_match_keys)])

__all__ = ["CHAIN", "built", "match_key", "metadata"]
