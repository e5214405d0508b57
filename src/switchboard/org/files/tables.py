"""The files layer's own tables: where each blob is, which record holds which blob,
and the durable progress of offloads, with this layer's migration chain ``files``
(run by ``Org.open`` through ``org.migrations.ORG_CHAINS``).

- ``sb_file_blob``: one row per distinct content (SHA-256), with its size, MD5 and the
  URL of the store holding it now. An offload changes ``store`` only after the bytes
  are verified in the new store, so the row always names a store that has them.
- ``sb_file_content``: the blob of each version or attachment (by record id); a row
  with ``external_path`` and no ``sha256`` is a file read from a store on demand.
- ``sb_file_offload``: one row per offload run; ``sb_file_offload_item`` one per blob it
  moves, written before any byte moves, so a run resumes where it stopped.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...store.migrations import Chain, Step

metadata = sa.MetaData()

blob = sa.Table(
    "sb_file_blob",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("md5", sa.String(32), nullable=False),
    sa.Column("store", sa.String(1000), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("moved_at", sa.DateTime, nullable=True),
    sa.Column("verified_at", sa.DateTime, nullable=True),
)

content = sa.Table(
    "sb_file_content",
    metadata,
    sa.Column("record_id", sa.String(18), primary_key=True),
    sa.Column("object_name", sa.String(100), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=True, index=True),
    sa.Column("external_store", sa.String(1000), nullable=True),
    sa.Column("external_path", sa.String(2000), nullable=True),
)

offload = sa.Table(
    "sb_file_offload",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("target", sa.String(1000), nullable=False),
    sa.Column("older_than_days", sa.Float, nullable=True),
    sa.Column("larger_than", sa.BigInteger, nullable=True),
    sa.Column("state", sa.String(16), nullable=False),  # Running, Done
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime, nullable=True),
)

offload_item = sa.Table(
    "sb_file_offload_item",
    metadata,
    sa.Column("offload_id", sa.Integer, primary_key=True),
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("source", sa.String(1000), nullable=False),
    # Pending → Moved (bytes verified in the target, blob row switched) → Done (source
    # copy removed); Failed keeps its error and is retried by the next resume.
    sa.Column("state", sa.String(16), nullable=False, index=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

TABLES = [blob, content, offload, offload_item]


def _v1_files(conn: Connection) -> None:
    metadata.create_all(conn, tables=TABLES)


# No ``legacy`` step: the files tables never were in the pre-chain sequence on main.
CHAIN = Chain("files", [Step(1, _v1_files)])

__all__ = ["CHAIN", "TABLES", "blob", "content", "metadata", "offload", "offload_item"]
