"""foundation: applications, integration and management keys, attributes, additional costs

Revision ID: 2026_11_23_foundation
Revises:
Created: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from perks.adapters.sql.types import Id, Json, UtcDateTime

revision = "2026_11_23_foundation"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("created", UtcDateTime, nullable=False),
        sa.Column("modified", UtcDateTime, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("case_sensitivity", sa.String(32), nullable=False),
        sa.Column("attributes", Json, nullable=False),
        sa.Column("limits", Json, nullable=False),
        sa.Column("default_discount_scope", sa.String(32), nullable=False),
        sa.Column("enable_cascading_discounts", sa.Boolean, nullable=False),
        sa.Column("enable_flattened_cart_items", sa.Boolean, nullable=False),
        sa.Column("attributes_settings", Json, nullable=False),
        sa.Column("sandbox", sa.Boolean, nullable=False),
        sa.Column("enable_partial_discounts", sa.Boolean, nullable=False),
        sa.Column("default_discount_additional_cost_per_item_scope", sa.String(32), nullable=False),
        sa.Column("default_evaluation_group_id", Id, nullable=True),
        sa.Column("default_cart_item_filter_id", Id, nullable=True),
        sa.Column("enable_campaign_state_management", sa.Boolean, nullable=False),
        sa.Column("hmac_key", sa.String(16), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_applications"),
    )
    op.create_table(
        "integration_keys",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("application_id", Id, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("expires", UtcDateTime, nullable=False),
        sa.Column("created", UtcDateTime, nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("type", sa.String(16), nullable=True),
        sa.Column("time_offset", Id, nullable=True),
        sa.Column("revoked", UtcDateTime, nullable=True),
        sa.Column("last_used", UtcDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_integration_keys"),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name="fk_integration_keys_application_id_applications",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("digest", name="uq_integration_keys_digest"),
    )
    op.create_index("ix_integration_keys_application_id", "integration_keys", ["application_id"])
    op.create_table(
        "management_keys",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("expiry_date", UtcDateTime, nullable=False),
        sa.Column("created", UtcDateTime, nullable=False),
        sa.Column("allowed_application_ids", Json, nullable=True),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("last_used", UtcDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_management_keys"),
        sa.UniqueConstraint("digest", name="uq_management_keys_digest"),
    )
    op.create_table(
        "attributes",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("created", UtcDateTime, nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("suggestions", Json, nullable=False),
        sa.Column("editable", sa.Boolean, nullable=False),
        sa.Column("has_allowed_list", sa.Boolean, nullable=False),
        sa.Column("restricted_by_suggestions", sa.Boolean, nullable=False),
        sa.Column("subscribed_applications_ids", Json, nullable=True),
        sa.Column("subscribed_catalogs_ids", Json, nullable=True),
        sa.Column("allowed_subscriptions", Json, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_attributes"),
        sa.UniqueConstraint(
            "entity", "event_type", "name", name="uq_attributes_entity_event_type_name"
        ),
    )
    op.create_index("ix_attributes_entity", "attributes", ["entity"])
    op.create_table(
        "additional_costs",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("created", UtcDateTime, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("subscribed_applications_ids", Json, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_additional_costs"),
        sa.UniqueConstraint("name", name="uq_additional_costs_name"),
    )


def downgrade() -> None:
    op.drop_table("additional_costs")
    op.drop_index("ix_attributes_entity", table_name="attributes")
    op.drop_table("attributes")
    op.drop_table("management_keys")
    op.drop_index("ix_integration_keys_application_id", table_name="integration_keys")
    op.drop_table("integration_keys")
    op.drop_table("applications")
