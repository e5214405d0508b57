"""Identity's tables: password credentials, connected apps, tokens, authorization codes,
security tokens, and which refresh token an access token came from."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...store.migrations import Chain, Step

metadata = sa.MetaData()

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

# Step 2: authorization codes of the web server flow, users'
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


def _v1_credentials(conn: Connection) -> None:
    metadata.create_all(conn, tables=[credential, app, token])


def _v2_oauth(conn: Connection) -> None:
    metadata.create_all(conn, tables=[auth_code, security_token, token_link])


# ``legacy``: the pre-chain migration that created the same tables (see store.migrations).
CHAIN = Chain(
    "identity",
    [Step(1, _v1_credentials, legacy=1), Step(2, _v2_oauth, legacy=2)],
)

__all__ = [
    "CHAIN",
    "app",
    "auth_code",
    "credential",
    "metadata",
    "security_token",
    "token",
    "token_link",
]
