"""Applications in SQL."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection, RowMapping

from perks.adapters.sql.paging import fetch_page, inserted_id
from perks.adapters.sql.tables import applications
from perks.domain.applications import (
    AdditionalCostPerItemScope,
    Application,
    ApplicationSpec,
    AttributesMandatory,
    AttributesSettings,
    CaseSensitivity,
    DiscountScope,
)
from perks.domain.limits import LimitConfig, LimitEntity, LimitPeriod
from perks.domain.pages import Page, PageRequest

__all__ = ["SqlApplicationRepository", "limits_from_json", "limits_to_json"]


# Built once: constructing a statement costs several times what SQLite takes to run it.
_GET = select(applications).where(applications.c.id == bindparam("id"))


class SqlApplicationRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, spec: ApplicationSpec, *, now: datetime) -> Application:
        values = {**_spec_values(spec), "created": now, "modified": now}
        result = self._connection.execute(insert(applications).values(values))
        new_id = inserted_id(result)
        return Application.from_spec(spec, id=new_id, created=now, modified=now)

    def get(self, application_id: int) -> Application | None:
        row = self._connection.execute(_GET, {"id": application_id}).mappings().first()
        return None if row is None else _to_domain(row)

    def list(
        self, page: PageRequest, *, only_ids: Collection[int] | None = None
    ) -> Page[Application]:
        query = select(applications)
        if only_ids is not None:
            query = query.where(applications.c.id.in_(list(only_ids)))
        return fetch_page(self._connection, applications, query, page, _to_domain)

    def update(
        self, application_id: int, spec: ApplicationSpec, *, now: datetime
    ) -> Application | None:
        result = self._connection.execute(
            update(applications)
            .where(applications.c.id == application_id)
            .values({**_spec_values(spec), "modified": now})
        )
        if result.rowcount == 0:
            return None
        return self.get(application_id)

    def delete(self, application_id: int) -> bool:
        result = self._connection.execute(
            delete(applications).where(applications.c.id == application_id)
        )
        return result.rowcount > 0


def limits_to_json(limits: tuple[LimitConfig, ...]) -> list[dict[str, Any]]:
    return [
        {
            "action": limit.action,
            "limit": str(limit.limit),
            "entities": [str(entity) for entity in limit.entities],
            "period": None if limit.period is None else str(limit.period),
        }
        for limit in limits
    ]


def limits_from_json(value: list[dict[str, Any]]) -> tuple[LimitConfig, ...]:
    return tuple(
        LimitConfig(
            action=item["action"],
            limit=Decimal(item["limit"]),
            entities=tuple(LimitEntity(entity) for entity in item["entities"]),
            period=None if item["period"] is None else LimitPeriod(item["period"]),
        )
        for item in value
    )


def _spec_values(spec: ApplicationSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "description": spec.description,
        "timezone": spec.timezone,
        "currency": spec.currency,
        "case_sensitivity": str(spec.case_sensitivity),
        "attributes": spec.attributes,
        "limits": limits_to_json(spec.limits),
        "default_discount_scope": str(spec.default_discount_scope),
        "enable_cascading_discounts": spec.enable_cascading_discounts,
        "enable_flattened_cart_items": spec.enable_flattened_cart_items,
        "attributes_settings": {
            "mandatory": {
                "campaigns": list(spec.attributes_settings.mandatory.campaigns),
                "coupons": list(spec.attributes_settings.mandatory.coupons),
            }
        },
        "sandbox": spec.sandbox,
        "enable_partial_discounts": spec.enable_partial_discounts,
        "default_discount_additional_cost_per_item_scope": str(
            spec.default_discount_additional_cost_per_item_scope
        ),
        "default_evaluation_group_id": spec.default_evaluation_group_id,
        "default_cart_item_filter_id": spec.default_cart_item_filter_id,
        "enable_campaign_state_management": spec.enable_campaign_state_management,
        "hmac_key": spec.key,
    }


def _to_domain(row: RowMapping) -> Application:
    return Application(
        id=int(row["id"]),
        created=row["created"],
        modified=row["modified"],
        name=row["name"],
        description=row["description"],
        timezone=row["timezone"],
        currency=row["currency"],
        case_sensitivity=CaseSensitivity(row["case_sensitivity"]),
        attributes=row["attributes"],
        limits=limits_from_json(row["limits"]),
        default_discount_scope=DiscountScope(row["default_discount_scope"]),
        enable_cascading_discounts=row["enable_cascading_discounts"],
        enable_flattened_cart_items=row["enable_flattened_cart_items"],
        attributes_settings=_attributes_settings(row["attributes_settings"]),
        sandbox=row["sandbox"],
        enable_partial_discounts=row["enable_partial_discounts"],
        default_discount_additional_cost_per_item_scope=AdditionalCostPerItemScope(
            row["default_discount_additional_cost_per_item_scope"]
        ),
        default_evaluation_group_id=row["default_evaluation_group_id"],
        default_cart_item_filter_id=row["default_cart_item_filter_id"],
        enable_campaign_state_management=row["enable_campaign_state_management"],
        key=row["hmac_key"],
    )


def _attributes_settings(value: dict[str, Any]) -> AttributesSettings:
    mandatory = value.get("mandatory") or {}
    return AttributesSettings(
        AttributesMandatory(
            campaigns=tuple(mandatory.get("campaigns", ())),
            coupons=tuple(mandatory.get("coupons", ())),
        )
    )
