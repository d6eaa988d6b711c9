"""custom effects

Revision ID: 2026_11_23_custom_effects
Revises: 2026_11_23_evaluation_groups
Created: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from perks.adapters.sql.types import Id, Json, UtcDateTime

revision = "2026_11_23_custom_effects"
down_revision = "2026_11_23_evaluation_groups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "custom_effects",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("created", UtcDateTime, nullable=False),
        sa.Column("modified", UtcDateTime, nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("name_key", sa.String(255), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("is_per_item", sa.Boolean, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("params", Json, nullable=False),
        sa.Column("application_ids", Json, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_custom_effects"),
        sa.UniqueConstraint("name_key", name="uq_custom_effects_name_key"),
    )


def downgrade() -> None:
    op.drop_table("custom_effects")
