"""session contexts (Emporix), OAuth clients and access tokens

Revision ID: 2026_11_23_session_contexts
Revises: 2026_11_23_config_revision
Created: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from perks.adapters.sql.types import Id, UtcDateTime

revision = "2026_11_23_session_contexts"
down_revision = "2026_11_23_config_revision"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_contexts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(16), nullable=False),
        sa.Column("session_id", sa.String(255), nullable=False),
        sa.Column("customer_id", sa.String(255), nullable=True),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("modified_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_session_contexts"),
        sa.UniqueConstraint("tenant", "session_id", name="uq_session_contexts_tenant_session_id"),
    )
    op.create_index("ix_session_contexts_modified_at", "session_contexts", ["modified_at"])
    op.create_table(
        "oauth_clients",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("tenant", sa.String(16), nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("secret_digest", sa.String(64), nullable=False),
        sa.Column("created", UtcDateTime, nullable=False),
        sa.Column("revoked", UtcDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_oauth_clients"),
        sa.UniqueConstraint("client_id", name="uq_oauth_clients_client_id"),
    )
    op.create_table(
        "access_tokens",
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("tenant", sa.String(16), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("session_id", sa.String(255), nullable=True),
        sa.Column("customer_id", sa.String(255), nullable=True),
        sa.Column("expires", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("digest", name="pk_access_tokens"),
    )
    op.create_index("ix_access_tokens_client_id", "access_tokens", ["client_id"])
    op.create_index("ix_access_tokens_expires", "access_tokens", ["expires"])


def downgrade() -> None:
    op.drop_index("ix_access_tokens_expires", table_name="access_tokens")
    op.drop_index("ix_access_tokens_client_id", table_name="access_tokens")
    op.drop_table("access_tokens")
    op.drop_table("oauth_clients")
    op.drop_index("ix_session_contexts_modified_at", table_name="session_contexts")
    op.drop_table("session_contexts")
