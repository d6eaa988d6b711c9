"""coupon creation jobs: a lease, so that a job cut off by a restart is resumed by one process

Revision ID: 2026_11_23_coupon_job_leases
Revises: 2026_11_23_coupon_jobs
Created: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from perks.adapters.sql.types import UtcDateTime

revision = "2026_11_23_coupon_job_leases"
down_revision = "2026_11_23_coupon_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("coupon_creation_jobs") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(64), nullable=True))
        batch.add_column(sa.Column("lease_until", UtcDateTime, nullable=True))
        batch.create_index("ix_coupon_creation_jobs_status", ["status"])


def downgrade() -> None:
    with op.batch_alter_table("coupon_creation_jobs") as batch:
        batch.drop_index("ix_coupon_creation_jobs_status")
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
