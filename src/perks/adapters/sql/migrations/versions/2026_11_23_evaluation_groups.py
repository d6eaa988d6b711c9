"""campaign evaluation groups

Revision ID: 2026_11_23_evaluation_groups
Revises: 2026_11_23_coupons
Created: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from perks.adapters.sql.types import Id

revision = "2026_11_23_evaluation_groups"
down_revision = "2026_11_23_coupons"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evaluation_groups",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("application_id", Id, nullable=False),
        sa.Column("parent_id", Id, nullable=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("evaluation_mode", sa.String(32), nullable=False),
        sa.Column("evaluation_scope", sa.String(16), nullable=False),
        sa.Column("locked", sa.Boolean, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_evaluation_groups"),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name="fk_evaluation_groups_application_id_applications",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_evaluation_groups_application_id", "evaluation_groups", ["application_id"])
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("evaluation_position", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("evaluation_position")
    op.drop_index("ix_evaluation_groups_application_id", table_name="evaluation_groups")
    op.drop_table("evaluation_groups")
