"""configuration revision: one number that every change of what evaluations read moves

Revision ID: 2026_11_23_config_revision
Revises: 2026_11_23_session_history
Created: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_11_23_config_revision"
down_revision = "2026_11_23_session_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "configuration_revision",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("revision", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_configuration_revision"),
    )
    op.bulk_insert(table, [{"id": 1, "revision": 0}])


def downgrade() -> None:
    op.drop_table("configuration_revision")
