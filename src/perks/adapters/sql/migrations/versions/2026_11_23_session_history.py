"""session events, returns of cart items, and idempotency keys

Revision ID: 2026_11_23_session_history
Revises: 2026_11_23_customer_sessions
Created: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from perks.adapters.sql.types import Id, UtcDateTime

revision = "2026_11_23_session_history"
down_revision = "2026_11_23_customer_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_events",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("application_id", Id, nullable=False),
        sa.Column("type", sa.String(255), nullable=False),
        sa.Column("created", UtcDateTime, nullable=False),
        sa.Column("session_integration_id", sa.String(1000), nullable=False),
        sa.Column("profile_integration_id", sa.String(1000), nullable=False),
        sa.Column("store_integration_id", sa.String(1000), nullable=True),
        sa.Column("attributes", sa.Text, nullable=False),
        sa.Column("effects", sa.Text, nullable=False),
        sa.Column("meta", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_session_events"),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name="fk_session_events_application_id_applications",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_session_events_session",
        "session_events",
        ["application_id", "session_integration_id"],
    )
    op.create_table(
        "session_returns",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("application_id", Id, nullable=False),
        sa.Column("session_id", Id, nullable=False),
        sa.Column("session_integration_id", sa.String(1000), nullable=False),
        sa.Column("profile_integration_id", sa.String(1000), nullable=False),
        sa.Column("event_id", Id, nullable=False),
        sa.Column("created", UtcDateTime, nullable=False),
        sa.Column("items", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_session_returns"),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name="fk_session_returns_application_id_applications",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["customer_sessions.id"],
            name="fk_session_returns_session_id_customer_sessions",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_session_returns_session_id", "session_returns", ["session_id"])
    op.create_table(
        "idempotency_keys",
        sa.Column("application_id", Id, nullable=False),
        sa.Column("operation", sa.String(100), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("created", UtcDateTime, nullable=False),
        sa.Column("expires", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("application_id", "operation", "key", name="pk_idempotency_keys"),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name="fk_idempotency_keys_application_id_applications",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_idempotency_keys_expires", "idempotency_keys", ["expires"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_expires", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_index("ix_session_returns_session_id", table_name="session_returns")
    op.drop_table("session_returns")
    op.drop_index("ix_session_events_session", table_name="session_events")
    op.drop_table("session_events")
