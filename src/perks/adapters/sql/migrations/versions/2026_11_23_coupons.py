"""coupons

Revision ID: 2026_11_23_coupons
Revises: 2026_11_23_campaigns
Created: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from perks.adapters.sql.types import Id, Json, UtcDateTime

revision = "2026_11_23_coupons"
down_revision = "2026_11_23_campaigns"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coupons",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("application_id", Id, nullable=False),
        sa.Column("campaign_id", Id, nullable=False),
        sa.Column("created", UtcDateTime, nullable=False),
        sa.Column("value", sa.String(100), nullable=False),
        sa.Column("normalized_value", sa.String(100), nullable=False),
        sa.Column("usage_limit", sa.Integer, nullable=False),
        sa.Column("discount_limit", sa.String(40), nullable=True),
        sa.Column("reservation_limit", sa.Integer, nullable=True),
        sa.Column("start_date", UtcDateTime, nullable=True),
        sa.Column("expiry_date", UtcDateTime, nullable=True),
        sa.Column("limits", Json, nullable=False),
        sa.Column("attributes", sa.Text, nullable=False),
        sa.Column("recipient_integration_id", sa.String(1000), nullable=True),
        sa.Column("is_reservation_mandatory", sa.Boolean, nullable=False),
        sa.Column("implicitly_reserved", sa.Boolean, nullable=False),
        sa.Column("usage_counter", sa.Integer, nullable=False),
        sa.Column("discount_counter", sa.String(40), nullable=False),
        sa.Column("reservation_counter", sa.Integer, nullable=False),
        sa.Column("batch_id", sa.String(64), nullable=True),
        sa.Column("referral_id", Id, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_coupons"),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name="fk_coupons_application_id_applications",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name="fk_coupons_campaign_id_campaigns",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "application_id",
            "normalized_value",
            name="uq_coupons_application_id_normalized_value",
        ),
    )
    op.create_index("ix_coupons_campaign_id", "coupons", ["campaign_id"])
    op.create_index("ix_coupons_batch_id", "coupons", ["batch_id"])


def downgrade() -> None:
    op.drop_index("ix_coupons_batch_id", table_name="coupons")
    op.drop_index("ix_coupons_campaign_id", table_name="coupons")
    op.drop_table("coupons")
