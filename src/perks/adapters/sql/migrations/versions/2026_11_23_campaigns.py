"""campaigns and rulesets

Revision ID: 2026_11_23_campaigns
Revises: 2026_11_23_foundation
Created: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from perks.adapters.sql.types import Id, UtcDateTime

revision = "2026_11_23_campaigns"
down_revision = "2026_11_23_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("application_id", Id, nullable=False),
        sa.Column("created", UtcDateTime, nullable=False),
        sa.Column("updated", UtcDateTime, nullable=False),
        sa.Column("name", sa.String(1000), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("start_time", UtcDateTime, nullable=True),
        sa.Column("end_time", UtcDateTime, nullable=True),
        sa.Column("active_ruleset_id", Id, nullable=True),
        sa.Column("evaluation_group_id", Id, nullable=True),
        sa.Column("reevaluate_on_return", sa.Boolean, nullable=False),
        sa.Column("tags_search", sa.Text, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_campaigns"),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name="fk_campaigns_application_id_applications",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_campaigns_application_id", "campaigns", ["application_id"])
    op.create_table(
        "rulesets",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("campaign_id", Id, nullable=False),
        sa.Column("created", UtcDateTime, nullable=False),
        sa.Column("activated_at", UtcDateTime, nullable=True),
        sa.Column("document", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rulesets"),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name="fk_rulesets_campaign_id_campaigns",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_rulesets_campaign_id", "rulesets", ["campaign_id"])


def downgrade() -> None:
    op.drop_index("ix_rulesets_campaign_id", table_name="rulesets")
    op.drop_table("rulesets")
    op.drop_index("ix_campaigns_application_id", table_name="campaigns")
    op.drop_table("campaigns")
