"""The Management API (``ManagementKey-v1``): Talon.One's schemas and paths."""

from __future__ import annotations

from typing import Any

from perks.entrypoints.http.management import (
    additional_costs,
    api_keys,
    applications,
    attributes,
    campaigns,
    coupon_files,
    coupon_jobs,
    coupons,
    custom_effects,
    evaluation_groups,
    oauth_clients,
    rulesets,
    stores,
)
from perks.entrypoints.http.routes import Operation

__all__ = ["OPERATIONS"]

OPERATIONS: list[Operation[Any, Any]] = [
    *applications.OPERATIONS,
    *api_keys.OPERATIONS,
    *attributes.OPERATIONS,
    *additional_costs.OPERATIONS,
    *campaigns.OPERATIONS,
    *rulesets.OPERATIONS,
    *coupons.OPERATIONS,
    *coupon_files.OPERATIONS,
    *coupon_jobs.OPERATIONS,
    *evaluation_groups.OPERATIONS,
    *custom_effects.OPERATIONS,
    *stores.OPERATIONS,
    *oauth_clients.OPERATIONS,
]
