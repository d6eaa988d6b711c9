"""stores

Revision ID: 2026_11_23_stores
Revises: 2026_11_23_custom_effects
Created: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from perks.adapters.sql.types import Id, Json, UtcDateTime

revision = "2026_11_23_stores"
down_revision = "2026_11_23_custom_effects"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stores",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("application_id", Id, nullable=False),
        sa.Column("created", UtcDateTime, nullable=False),
        sa.Column("updated", UtcDateTime, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("integration_id", sa.String(1000), nullable=False),
        sa.Column("attributes", Json, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_stores"),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name="fk_stores_application_id_applications",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "application_id", "integration_id", name="uq_stores_application_id_integration_id"
        ),
    )


def downgrade() -> None:
    op.drop_table("stores")
