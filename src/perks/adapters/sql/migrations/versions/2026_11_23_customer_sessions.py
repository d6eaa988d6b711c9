"""customer profiles and customer sessions

Revision ID: 2026_11_23_customer_sessions
Revises: 2026_11_23_budget_counters
Created: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from perks.adapters.sql.types import Id, UtcDateTime

revision = "2026_11_23_customer_sessions"
down_revision = "2026_11_23_budget_counters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_profiles",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("application_id", Id, nullable=False),
        sa.Column("integration_id", sa.String(1000), nullable=False),
        sa.Column("created", UtcDateTime, nullable=False),
        sa.Column("attributes", sa.Text, nullable=False),
        sa.Column("closed_sessions", sa.Integer, nullable=False),
        sa.Column("total_sales", sa.String(64), nullable=False),
        sa.Column("last_activity", UtcDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_customer_profiles"),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name="fk_customer_profiles_application_id_applications",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "application_id",
            "integration_id",
            name="uq_customer_profiles_application_id_integration_id",
        ),
    )
    op.create_table(
        "customer_sessions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("application_id", Id, nullable=False),
        sa.Column("integration_id", sa.String(1000), nullable=False),
        sa.Column("profile_integration_id", sa.String(1000), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("created", UtcDateTime, nullable=False),
        sa.Column("updated", UtcDateTime, nullable=False),
        sa.Column("first_session", sa.Boolean, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("effects", sa.Text, nullable=False),
        sa.Column("committed", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_customer_sessions"),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name="fk_customer_sessions_application_id_applications",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "application_id",
            "integration_id",
            name="uq_customer_sessions_application_id_integration_id",
        ),
    )
    op.create_index(
        "ix_customer_sessions_profile",
        "customer_sessions",
        ["application_id", "profile_integration_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_customer_sessions_profile", table_name="customer_sessions")
    op.drop_table("customer_sessions")
    op.drop_table("customer_profiles")
