"""Typed settings, read once from the environment (prefix ``PERKS_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_DATABASE_URL", "Settings"]

DEFAULT_DATABASE_URL = "sqlite:///perks.db"


class Settings(BaseSettings):
    """Everything perks reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="PERKS_", frozen=True, extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    bootstrap_management_key: str | None = Field(default=None, min_length=16)
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0)
    # How long a PostgreSQL write waits for a row another request holds (a session being
    # updated) before it gives up with Talon.One's 409 "too many requests".
    lock_timeout_ms: int = Field(default=5000, ge=0)
    database_pool_size: int = Field(default=8, ge=1)
    log_level: str = "info"
    # lastUsed is written at most once per this many seconds per key, so that
    # authentication does not add a write to every request.
    key_last_used_resolution_seconds: int = Field(default=60, ge=0)
    # How long a process trusts a key it has looked up; revocation elsewhere takes this long.
    key_cache_seconds: int = Field(default=5, ge=0, le=300)
    # Serves PUT /bench/ceiling/customer_sessions/{id}, updateCustomerSessionV2 without its
    # service call, for `make bench` (never in the OpenAPI document; never in production).
    bench_ceiling: bool = False
    # Emporix's session contexts: an anonymous one nobody wrote for this long reads as absent
    # (Emporix: one hour); a logged-in customer's does not expire.
    session_context_idle_seconds: int = Field(default=3600, ge=1)
    # Lifetimes of service tokens (POST /oauth/token; Emporix: 14,399 s) and of the
    # storefront's anonymous and customer tokens.
    oauth_token_seconds: int = Field(default=14400, ge=1)
    storefront_token_seconds: int = Field(default=3600, ge=1)
