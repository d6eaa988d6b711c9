"""budget counters: one row per campaign, action, subjects and period bucket

Revision ID: 2026_11_23_budget_counters
Revises: 2026_11_23_coupon_job_leases
Created: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from perks.adapters.sql.types import Id

revision = "2026_11_23_budget_counters"
down_revision = "2026_11_23_coupon_job_leases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "budget_counters",
        sa.Column("campaign_id", Id, nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("subjects", sa.String(2000), nullable=False),
        sa.Column("bucket", sa.String(16), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint(
            "campaign_id", "action", "subjects", "bucket", name="pk_budget_counters"
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name="fk_budget_counters_campaign_id_campaigns",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("budget_counters")
