"""coupon creation jobs

Revision ID: 2026_11_23_coupon_jobs
Revises: 2026_11_23_stores
Created: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from perks.adapters.sql.types import Id, Json, UtcDateTime

revision = "2026_11_23_coupon_jobs"
down_revision = "2026_11_23_stores"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coupon_creation_jobs",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("application_id", Id, nullable=False),
        sa.Column("campaign_id", Id, nullable=False),
        sa.Column("batch_id", sa.String(64), nullable=False),
        sa.Column("created", UtcDateTime, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("number_of_coupons", sa.Integer, nullable=False),
        sa.Column("created_amount", sa.Integer, nullable=False),
        sa.Column("fail_count", sa.Integer, nullable=False),
        sa.Column("errors", Json, nullable=False),
        sa.Column("request", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_coupon_creation_jobs"),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name="fk_coupon_creation_jobs_application_id_applications",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name="fk_coupon_creation_jobs_campaign_id_campaigns",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("batch_id", name="uq_coupon_creation_jobs_batch_id"),
    )


def downgrade() -> None:
    op.drop_table("coupon_creation_jobs")
