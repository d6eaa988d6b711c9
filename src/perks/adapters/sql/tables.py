"""The schema, as SQLAlchemy Core tables. Alembic migrations create exactly this."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from perks.adapters.sql.types import Id, Json, UtcDateTime

__all__ = [
    "CONFIGURATION_TABLES",
    "access_tokens",
    "additional_costs",
    "applications",
    "attributes",
    "budget_counters",
    "campaigns",
    "configuration_revision",
    "coupon_creation_jobs",
    "coupons",
    "custom_effects",
    "customer_profiles",
    "customer_sessions",
    "evaluation_groups",
    "idempotency_keys",
    "integration_keys",
    "management_keys",
    "metadata",
    "oauth_clients",
    "rulesets",
    "session_contexts",
    "session_events",
    "session_returns",
    "stores",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

applications = Table(
    "applications",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("created", UtcDateTime, nullable=False),
    Column("modified", UtcDateTime, nullable=False),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("timezone", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("case_sensitivity", String(32), nullable=False),
    Column("attributes", Json, nullable=False),
    Column("limits", Json, nullable=False),
    Column("default_discount_scope", String(32), nullable=False),
    Column("enable_cascading_discounts", Boolean, nullable=False),
    Column("enable_flattened_cart_items", Boolean, nullable=False),
    Column("attributes_settings", Json, nullable=False),
    Column("sandbox", Boolean, nullable=False),
    Column("enable_partial_discounts", Boolean, nullable=False),
    Column("default_discount_additional_cost_per_item_scope", String(32), nullable=False),
    Column("default_evaluation_group_id", Id, nullable=True),
    Column("default_cart_item_filter_id", Id, nullable=True),
    Column("enable_campaign_state_management", Boolean, nullable=False),
    Column("hmac_key", String(16), nullable=True),
)

integration_keys = Table(
    "integration_keys",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "application_id",
        Id,
        ForeignKey("applications.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("title", String(200), nullable=False),
    Column("digest", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),
    Column("expires", UtcDateTime, nullable=False),
    Column("created", UtcDateTime, nullable=False),
    Column("platform", String(32), nullable=False),
    Column("type", String(16), nullable=True),
    Column("time_offset", Id, nullable=True),
    Column("revoked", UtcDateTime, nullable=True),
    Column("last_used", UtcDateTime, nullable=True),
)

management_keys = Table(
    "management_keys",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("digest", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),
    Column("expiry_date", UtcDateTime, nullable=False),
    Column("created", UtcDateTime, nullable=False),
    Column("allowed_application_ids", Json, nullable=True),
    Column("disabled", Boolean, nullable=False),
    Column("last_used", UtcDateTime, nullable=True),
)

attributes = Table(
    "attributes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("created", UtcDateTime, nullable=False),
    Column("entity", String(32), nullable=False),
    # '' rather than NULL for non-event attributes, so the unique key holds on every database.
    Column("event_type", String(200), nullable=False),
    Column("name", String(200), nullable=False),
    Column("title", String(200), nullable=False),
    Column("type", String(32), nullable=False),
    Column("description", Text, nullable=False),
    Column("suggestions", Json, nullable=False),
    Column("editable", Boolean, nullable=False),
    Column("has_allowed_list", Boolean, nullable=False),
    Column("restricted_by_suggestions", Boolean, nullable=False),
    Column("subscribed_applications_ids", Json, nullable=True),
    Column("subscribed_catalogs_ids", Json, nullable=True),
    Column("allowed_subscriptions", Json, nullable=True),
    UniqueConstraint("entity", "event_type", "name", name="uq_attributes_entity_event_type_name"),
)

additional_costs = Table(
    "additional_costs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("created", UtcDateTime, nullable=False),
    Column("name", String(200), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("type", String(16), nullable=False),
    Column("subscribed_applications_ids", Json, nullable=True),
)

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "application_id",
        Id,
        ForeignKey("applications.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("created", UtcDateTime, nullable=False),
    Column("updated", UtcDateTime, nullable=False),
    Column("name", String(1000), nullable=False),
    Column("description", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("type", String(16), nullable=False),
    Column("start_time", UtcDateTime, nullable=True),
    Column("end_time", UtcDateTime, nullable=True),
    Column("active_ruleset_id", Id, nullable=True),
    Column("evaluation_group_id", Id, nullable=True),
    # The campaign's place among the members (groups and campaigns) of its evaluation group.
    Column("evaluation_position", Integer, nullable=True),
    Column("reevaluate_on_return", Boolean, nullable=False),
    # The tags lower-cased, each between newlines: "matches a tag" is one LIKE on every database.
    Column("tags_search", Text, nullable=False),
    # Everything else of NewCampaign, as JSON text with exact numbers.
    Column("document", Text, nullable=False),
)

rulesets = Table(
    "rulesets",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "campaign_id",
        Id,
        ForeignKey("campaigns.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("created", UtcDateTime, nullable=False),
    Column("activated_at", UtcDateTime, nullable=True),
    # The rules and bindings as sent (Talang expressions keep their exact numbers).
    Column("document", Text, nullable=False),
)

coupons = Table(
    "coupons",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "application_id",
        Id,
        ForeignKey("applications.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column(
        "campaign_id",
        Id,
        ForeignKey("campaigns.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("created", UtcDateTime, nullable=False),
    Column("value", String(100), nullable=False),
    # The code as the application's case sensitivity compares it: unique per application.
    Column("normalized_value", String(100), nullable=False),
    Column("usage_limit", Integer, nullable=False),
    Column("discount_limit", String(40), nullable=True),
    Column("reservation_limit", Integer, nullable=True),
    Column("start_date", UtcDateTime, nullable=True),
    Column("expiry_date", UtcDateTime, nullable=True),
    Column("limits", Json, nullable=False),
    Column("attributes", Text, nullable=False),
    Column("recipient_integration_id", String(1000), nullable=True),
    Column("is_reservation_mandatory", Boolean, nullable=False),
    Column("implicitly_reserved", Boolean, nullable=False),
    Column("usage_counter", Integer, nullable=False),
    Column("discount_counter", String(40), nullable=False),
    Column("reservation_counter", Integer, nullable=False),
    Column("batch_id", String(64), nullable=True, index=True),
    Column("referral_id", Id, nullable=True),
    UniqueConstraint(
        "application_id", "normalized_value", name="uq_coupons_application_id_normalized_value"
    ),
)

evaluation_groups = Table(
    "evaluation_groups",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "application_id",
        Id,
        ForeignKey("applications.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("parent_id", Id, nullable=True),  # None: the application's base group
    Column("name", String(255), nullable=False),
    Column("description", Text, nullable=False),
    Column("evaluation_mode", String(32), nullable=False),
    Column("evaluation_scope", String(16), nullable=False),
    Column("locked", Boolean, nullable=False),
    Column("position", Integer, nullable=False),
)

custom_effects = Table(
    "custom_effects",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("created", UtcDateTime, nullable=False),
    Column("modified", UtcDateTime, nullable=False),
    Column("name", String(255), nullable=False),
    # The name lower-cased: names are unique regardless of case (rules call them so).
    Column("name_key", String(255), nullable=False, unique=True),
    Column("title", String(255), nullable=False),
    Column("description", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("is_per_item", Boolean, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("params", Json, nullable=False),
    Column("application_ids", Json, nullable=False),
)

stores = Table(
    "stores",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "application_id",
        Id,
        ForeignKey("applications.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("created", UtcDateTime, nullable=False),
    Column("updated", UtcDateTime, nullable=False),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("integration_id", String(1000), nullable=False),
    Column("attributes", Json, nullable=False),
    UniqueConstraint(
        "application_id", "integration_id", name="uq_stores_application_id_integration_id"
    ),
)

coupon_creation_jobs = Table(
    "coupon_creation_jobs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "application_id",
        Id,
        ForeignKey("applications.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column(
        "campaign_id",
        Id,
        ForeignKey("campaigns.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("batch_id", String(64), nullable=False, unique=True),
    Column("created", UtcDateTime, nullable=False),
    Column("status", String(32), nullable=False),
    Column("number_of_coupons", Integer, nullable=False),
    Column("created_amount", Integer, nullable=False),
    Column("fail_count", Integer, nullable=False),
    Column("errors", Json, nullable=False),
    # The code settings and coupon properties of the request, as JSON with exact numbers.
    Column("request", Text, nullable=False),
    # Who generates the codes, until when: a job whose lease ran out is resumed by another.
    Column("lease_owner", String(64)),
    Column("lease_until", UtcDateTime),
)
Index("ix_coupon_creation_jobs_status", coupon_creation_jobs.c.status)

# One counter of a campaign's limit: its action, for some subjects (canonical JSON of the
# (entity, value) pairs), in one period bucket. The value is an exact decimal in text.
budget_counters = Table(
    "budget_counters",
    metadata,
    Column(
        "campaign_id",
        Id,
        ForeignKey("campaigns.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("action", String(100), primary_key=True),
    Column("subjects", String(2000), primary_key=True),
    Column("bucket", String(16), primary_key=True),
    Column("value", String(64), nullable=False),
)

Index("ix_attributes_entity", attributes.c.entity)

customer_profiles = Table(
    "customer_profiles",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "application_id",
        Id,
        ForeignKey("applications.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("integration_id", String(1000), nullable=False),
    Column("created", UtcDateTime, nullable=False),
    Column("attributes", Text, nullable=False),  # JSON with exact numbers
    Column("closed_sessions", Integer, nullable=False),
    Column("total_sales", String(64), nullable=False),  # an exact decimal
    Column("last_activity", UtcDateTime),
    UniqueConstraint(
        "application_id",
        "integration_id",
        name="uq_customer_profiles_application_id_integration_id",
    ),
)

customer_sessions = Table(
    "customer_sessions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "application_id",
        Id,
        ForeignKey("applications.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("integration_id", String(1000), nullable=False),
    Column("profile_integration_id", String(1000), nullable=False),
    Column("state", String(32), nullable=False),
    Column("created", UtcDateTime, nullable=False),
    Column("updated", UtcDateTime, nullable=False),
    Column("first_session", Boolean, nullable=False),
    # The cart and the rest of CustomerSessionV2, and the effects of its last evaluation and of
    # its close: JSON documents with exact numbers.
    Column("document", Text, nullable=False),
    Column("effects", Text, nullable=False),
    Column("committed", Text, nullable=False),
    UniqueConstraint(
        "application_id",
        "integration_id",
        name="uq_customer_sessions_application_id_integration_id",
    ),
)
Index(
    "ix_customer_sessions_profile",
    customer_sessions.c.application_id,
    customer_sessions.c.profile_integration_id,
)

# What happened to a session: its built-in events, with the effects and meta they produced.
session_events = Table(
    "session_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "application_id",
        Id,
        ForeignKey("applications.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("type", String(255), nullable=False),
    Column("created", UtcDateTime, nullable=False),
    Column("session_integration_id", String(1000), nullable=False),
    Column("profile_integration_id", String(1000), nullable=False),
    Column("store_integration_id", String(1000), nullable=True),
    Column("attributes", Text, nullable=False),
    Column("effects", Text, nullable=False),
    Column("meta", Text, nullable=False),
)
Index(
    "ix_session_events_session",
    session_events.c.application_id,
    session_events.c.session_integration_id,
)

# Returns of a closed session's cart items (``Return``), oldest first.
session_returns = Table(
    "session_returns",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "application_id",
        Id,
        ForeignKey("applications.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column(
        "session_id",
        Id,
        ForeignKey("customer_sessions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("session_integration_id", String(1000), nullable=False),
    Column("profile_integration_id", String(1000), nullable=False),
    Column("event_id", Id, nullable=False),
    Column("created", UtcDateTime, nullable=False),
    Column("items", Text, nullable=False),
)
Index("ix_session_returns_session_id", session_returns.c.session_id)

# The stored answers of requests sent with an ``Idempotency-Key`` (kept 24 hours).
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column(
        "application_id",
        Id,
        ForeignKey("applications.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("operation", String(100), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("response", Text, nullable=False),
    Column("created", UtcDateTime, nullable=False),
    Column("expires", UtcDateTime, nullable=False),
)
Index("ix_idempotency_keys_expires", idempotency_keys.c.expires)

# Emporix's session contexts: one row per (tenant, session id); the fields besides the ids,
# the customer and the metadata are one JSON document.
session_contexts = Table(
    "session_contexts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant", String(16), nullable=False),
    Column("session_id", String(255), nullable=False),
    Column("customer_id", String(255), nullable=True),
    Column("document", Text, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("modified_at", UtcDateTime, nullable=False),
    UniqueConstraint("tenant", "session_id", name="uq_session_contexts_tenant_session_id"),
)
Index("ix_session_contexts_modified_at", session_contexts.c.modified_at)  # the expiry sweep

oauth_clients = Table(
    "oauth_clients",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("client_id", String(64), nullable=False, unique=True),
    Column("name", String(255), nullable=False),
    Column("tenant", String(16), nullable=False),
    Column("scopes", Text, nullable=False),  # a JSON list
    Column("secret_digest", String(64), nullable=False),
    Column("created", UtcDateTime, nullable=False),
    Column("revoked", UtcDateTime, nullable=True),
)

# Access tokens by the SHA-256 digest of their value (the value is shown once).
access_tokens = Table(
    "access_tokens",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("tenant", String(16), nullable=False),
    Column("client_id", String(64), nullable=False),
    Column("scopes", Text, nullable=False),  # a JSON list
    Column("session_id", String(255), nullable=True),
    Column("customer_id", String(255), nullable=True),
    Column("expires", UtcDateTime, nullable=False),
)
Index("ix_access_tokens_client_id", access_tokens.c.client_id)
Index("ix_access_tokens_expires", access_tokens.c.expires)

# One number moved by every committed change of what evaluations read (campaigns, rulesets,
# groups, stores, attributes, additional costs, custom effects, applications): processes keep
# what they built from those tables until it moves.
configuration_revision = Table(
    "configuration_revision",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("revision", BigInteger, nullable=False),
)
CONFIGURATION_TABLES = frozenset(
    {
        "applications",
        "attributes",
        "additional_costs",
        "campaigns",
        "rulesets",
        "evaluation_groups",
        "custom_effects",
        "stores",
    }
)
