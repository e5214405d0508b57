"""A frozen copy of the pre-chain schema and migrations (store/internal.py and
store/migrations.py as they shipped before per-layer chains), to build the data
directories older builds left behind. Never edit: it is what those builds did."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

migration = sa.Table(
    "sb_migration",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", sa.DateTime, nullable=False),
)

meta = sa.Table(
    "sb_meta",
    metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

custom_object = sa.Table(
    "sb_custom_object",
    metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("definition", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

custom_field = sa.Table(
    "sb_custom_field",
    metadata,
    sa.Column("object_name", sa.String(100), primary_key=True),
    sa.Column("field_name", sa.String(100), primary_key=True),
    sa.Column("definition", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

credential = sa.Table(
    "sb_credential",
    metadata,
    sa.Column("user_id", sa.String(18), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("failed_logins", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until", sa.DateTime, nullable=True),
)

app = sa.Table(
    "sb_app",
    metadata,
    sa.Column("client_id", sa.String(255), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("secret_hash", sa.Text, nullable=False),
    sa.Column("run_as_user_id", sa.String(18), nullable=True),
    sa.Column("settings", sa.Text, nullable=False, default="{}"),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

token = sa.Table(
    "sb_token",
    metadata,
    # sha256 of the token: tokens are 256-bit random, so a fast hash is enough; passwords
    # and client secrets, which people choose, get scrypt instead.
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("user_id", sa.String(18), nullable=False, index=True),
    sa.Column("client_id", sa.String(255), nullable=True),
    sa.Column("issued_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=True),
    sa.Column("revoked", sa.Boolean, nullable=False, default=False),
)

event = sa.Table(
    "sb_event",
    metadata,
    sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    sa.Column("channel", sa.String(255), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False, index=True),
)
sa.Index("ix_sb_event_channel_id", event.c.channel, event.c.id)

# Every record deletion, soft or hard, for the REST "Get Deleted" resource (replication):
# a hard delete leaves no row in the object's table to report. Kept 15 days, as
# Salesforce keeps its delete log; the deletes that add to it prune it.
delete_log = sa.Table(
    "sb_delete_log",
    metadata,
    sa.Column("object_name", sa.String(255), nullable=False),
    sa.Column("record_id", sa.String(18), nullable=False),
    sa.Column("deleted_at", sa.DateTime, nullable=False, index=True),
)
sa.Index("ix_sb_delete_log_object_at", delete_log.c.object_name, delete_log.c.deleted_at)

api_usage = sa.Table(
    "sb_api_usage",
    metadata,
    sa.Column("minute", sa.BigInteger, primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
)

# The same per-minute counts per connected app (per-app quotas); the org-wide total
# stays in sb_api_usage.
api_app_usage = sa.Table(
    "sb_api_app_usage",
    metadata,
    sa.Column("client_id", sa.String(255), primary_key=True),
    sa.Column("minute", sa.BigInteger, primary_key=True, index=True),
    sa.Column("count", sa.BigInteger, nullable=False),
)

autonumber = sa.Table(
    "sb_autonumber",
    metadata,
    sa.Column("object_name", sa.String(100), primary_key=True),
    sa.Column("field_name", sa.String(100), primary_key=True),
    sa.Column("next_value", sa.BigInteger, nullable=False),
)

# Added by migration 2 (identity): authorization codes of the web server flow, users'
# security tokens, and which refresh token an access token came from (so revoking a
# refresh token revokes its access tokens too).
auth_code = sa.Table(
    "sb_auth_code",
    metadata,
    sa.Column("code_hash", sa.String(64), primary_key=True),
    sa.Column("client_id", sa.String(255), nullable=False),
    sa.Column("user_id", sa.String(18), nullable=False),
    sa.Column("redirect_uri", sa.Text, nullable=False),
    sa.Column("code_challenge", sa.String(128), nullable=True),
    sa.Column("challenge_method", sa.String(8), nullable=True),
    sa.Column("scope", sa.Text, nullable=True),
    sa.Column("expires_at", sa.DateTime, nullable=False),
)

security_token = sa.Table(
    "sb_security_token",
    metadata,
    sa.Column("user_id", sa.String(18), primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False),
)

token_link = sa.Table(
    "sb_token_link",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("parent_hash", sa.String(64), nullable=False, index=True),
)

# Added by migration 3 (bulk): Bulk API jobs (2.0 ingest and query, 1.0) and 1.0 batches.
# Progress (offset, counts, result file sizes) is committed with each chunk's DML, so a
# job resumes after a crash exactly where its last committed chunk ended.
bulk_job = sa.Table(
    "sb_bulk_job",
    metadata,
    sa.Column("id", sa.String(18), primary_key=True),
    sa.Column("api", sa.String(8), nullable=False),  # "v2" or "v1"
    sa.Column("job_type", sa.String(16), nullable=False),  # V2Ingest, V2Query, Classic
    sa.Column("operation", sa.String(16), nullable=False),
    sa.Column("object", sa.String(100), nullable=True),
    sa.Column("external_id_field", sa.String(100), nullable=True),
    sa.Column("query", sa.Text, nullable=True),
    sa.Column("state", sa.String(16), nullable=False, index=True),
    sa.Column("content_type", sa.String(16), nullable=False),
    sa.Column("column_delimiter", sa.String(16), nullable=False),
    sa.Column("line_ending", sa.String(8), nullable=False),
    sa.Column("api_version", sa.String(8), nullable=False),
    sa.Column("created_by", sa.String(18), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("modstamp", sa.DateTime, nullable=False),
    sa.Column("processed", sa.BigInteger, nullable=False, default=0),
    sa.Column("failed", sa.BigInteger, nullable=False, default=0),
    sa.Column("retries", sa.Integer, nullable=False, default=0),
    sa.Column("processing_ms", sa.BigInteger, nullable=False, default=0),
    sa.Column("error_message", sa.Text, nullable=True),
    sa.Column("read_offset", sa.BigInteger, nullable=False, default=0),
    sa.Column("success_bytes", sa.BigInteger, nullable=False, default=0),
    sa.Column("failed_bytes", sa.BigInteger, nullable=False, default=0),
    sa.Column("lease_owner", sa.String(64), nullable=True),
    sa.Column("lease_until", sa.DateTime, nullable=True),
)

bulk_batch = sa.Table(
    "sb_bulk_batch",
    metadata,
    sa.Column("id", sa.String(18), primary_key=True),
    sa.Column("job_id", sa.String(18), nullable=False, index=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("modstamp", sa.DateTime, nullable=False),
    sa.Column("processed", sa.BigInteger, nullable=False, default=0),
    sa.Column("failed", sa.BigInteger, nullable=False, default=0),
    sa.Column("state_message", sa.Text, nullable=True),
)

# Query locators (``nextRecordsUrl``): the query to re-run and when the cursor expires.
query_locator = sa.Table(
    "sb_query_locator",
    metadata,
    sa.Column("id", sa.String(18), primary_key=True),
    sa.Column("query", sa.Text, nullable=False),
    sa.Column("all_rows", sa.Boolean, nullable=False),
    sa.Column("batch_size", sa.Integer, nullable=False),
    sa.Column("user_id", sa.String(18), nullable=True),
    sa.Column("expires_at", sa.DateTime, nullable=False, index=True),
)

from collections.abc import Callable  # noqa: E402

from sqlalchemy.engine import Connection  # noqa: E402


def _v1_initial(conn: Connection) -> None:
    metadata.create_all(
        conn,
        tables=[
            meta,
            custom_object,
            custom_field,
            credential,
            app,
            token,
            event,
            api_usage,
            autonumber,
        ],
    )


def _v2_identity(conn: Connection) -> None:
    metadata.create_all(conn, tables=[auth_code, security_token, token_link])


def _v3_bulk(conn: Connection) -> None:
    metadata.create_all(conn, tables=[bulk_job, bulk_batch])


def _v4_query_locators(conn: Connection) -> None:
    metadata.create_all(conn, tables=[query_locator])


def _v5_app_usage(conn: Connection) -> None:
    metadata.create_all(conn, tables=[api_app_usage])


def _v6_delete_log(conn: Connection) -> None:
    metadata.create_all(conn, tables=[delete_log])


STEPS: list[tuple[int, Callable[[Connection], None]]] = [
    (1, _v1_initial),
    (2, _v2_identity),
    (3, _v3_bulk),
    (4, _v4_query_locators),
    (5, _v5_app_usage),
    (6, _v6_delete_log),
]


def build(conn: Connection, upto: int) -> None:
    """What the old ``migrate`` left after running steps 1..``upto``."""
    import datetime as dt

    migration.create(conn, checkfirst=True)
    for version, step in STEPS[:upto]:
        step(conn)
        conn.execute(
            migration.insert().values(
                version=version, applied_at=dt.datetime(2026, 1, version, 12, 0)
            )
        )
