"""Campaigns and their rulesets in SQL.

The columns a query filters or sorts on are columns; the rest of a campaign, and a ruleset's
rules, are one JSON document each, written with exact numbers (a Talang ``0.1`` stays a
Decimal ``0.1``) and read back the same.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, delete, insert, or_, select, update
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.sql.elements import ColumnElement

from perks.adapters.sql.applications import limits_from_json, limits_to_json
from perks.adapters.sql.documents import dump, load
from perks.adapters.sql.paging import contains_pattern, fetch_page, inserted_id
from perks.adapters.sql.tables import campaigns, rulesets
from perks.domain.campaigns import (
    Campaign,
    CampaignFeature,
    CampaignSpec,
    CampaignState,
    CampaignType,
    CodeGeneratorSettings,
    FrontendState,
)
from perks.domain.pages import Page, PageRequest
from perks.domain.rulesets import Binding, Rule, Ruleset, RulesetSpec
from perks.services.ports import CampaignFilter

__all__ = ["SqlCampaignRepository", "SqlRulesetRepository"]


class SqlCampaignRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, application_id: int, spec: CampaignSpec, *, now: datetime) -> Campaign:
        values = {**_campaign_values(spec), "application_id": application_id}
        result = self._connection.execute(
            insert(campaigns).values({**values, "created": now, "updated": now})
        )
        return Campaign.from_spec(
            spec,
            id=inserted_id(result),
            application_id=application_id,
            created=now,
            updated=now,
        )

    def get(self, application_id: int, campaign_id: int) -> Campaign | None:
        row = (
            self._connection.execute(
                select(campaigns).where(
                    campaigns.c.application_id == application_id, campaigns.c.id == campaign_id
                )
            )
            .mappings()
            .first()
        )
        return None if row is None else _campaign(row)

    def list(
        self, application_id: int, page: PageRequest, filter: CampaignFilter, *, now: datetime
    ) -> Page[Campaign]:
        query: Select[Any] = select(campaigns).where(campaigns.c.application_id == application_id)
        query = _filtered(query, filter, now)
        return fetch_page(self._connection, campaigns, query, page, _campaign)

    def update(
        self, application_id: int, campaign_id: int, spec: CampaignSpec, *, now: datetime
    ) -> Campaign | None:
        result = self._connection.execute(
            update(campaigns)
            .where(campaigns.c.application_id == application_id, campaigns.c.id == campaign_id)
            .values({**_campaign_values(spec), "updated": now})
        )
        return None if result.rowcount == 0 else self.get(application_id, campaign_id)

    def delete(self, application_id: int, campaign_id: int) -> bool:
        result = self._connection.execute(
            delete(campaigns).where(
                campaigns.c.application_id == application_id, campaigns.c.id == campaign_id
            )
        )
        return result.rowcount > 0


def _filtered(query: Select[Any], filter: CampaignFilter, now: datetime) -> Select[Any]:
    if filter.state is not None:
        query = query.where(_state_condition(filter.state, now))
    matches: list[ColumnElement[bool]] = []
    if filter.name:
        matches.append(campaigns.c.name.ilike(contains_pattern(filter.name), escape="\\"))
    if filter.tags:
        needle = contains_pattern(filter.tags.lower().replace("\n", " "))
        matches.append(campaigns.c.tags_search.like(needle, escape="\\"))
    if matches:
        query = query.where(or_(*matches))
    if filter.created_before is not None:
        query = query.where(campaigns.c.created < filter.created_before)
    if filter.created_after is not None:
        query = query.where(campaigns.c.created > filter.created_after)
    return query


def _state_condition(state: str, now: datetime) -> ColumnElement[bool]:
    """A stored state, or a frontend state of enabled campaigns judged at ``now``."""
    enabled = campaigns.c.state == str(CampaignState.ENABLED)
    started = or_(campaigns.c.start_time.is_(None), campaigns.c.start_time <= now)
    ended = and_(campaigns.c.end_time.is_not(None), campaigns.c.end_time <= now)
    if state == FrontendState.RUNNING:
        return and_(enabled, started, ~ended)
    if state == FrontendState.SCHEDULED:
        return and_(enabled, ~started)
    if state == FrontendState.EXPIRED:
        return and_(enabled, started, ended)
    return campaigns.c.state == state


def _campaign_values(spec: CampaignSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "description": spec.description,
        "state": str(spec.state),
        "type": str(spec.type),
        "start_time": spec.start_time,
        "end_time": spec.end_time,
        "active_ruleset_id": spec.active_ruleset_id,
        "evaluation_group_id": spec.evaluation_group_id,
        "reevaluate_on_return": spec.reevaluate_on_return,
        "tags_search": "".join(f"\n{tag.lower()}" for tag in spec.tags) + "\n",
        "document": dump(
            {
                "attributes": dict(spec.attributes),
                "tags": list(spec.tags),
                "features": [str(feature) for feature in spec.features],
                "couponSettings": _settings_to_json(spec.coupon_settings),
                "referralSettings": _settings_to_json(spec.referral_settings),
                "limits": limits_to_json(spec.limits),
                "campaignGroups": list(spec.campaign_groups),
                "linkedStoreIds": list(spec.linked_store_ids),
                "couponAttributes": dict(spec.coupon_attributes),
            }
        ),
    }


def _campaign(row: RowMapping) -> Campaign:
    document = load(row["document"])
    spec = CampaignSpec(
        name=row["name"],
        description=row["description"],
        state=CampaignState(row["state"]),
        type=CampaignType(row["type"]),
        start_time=row["start_time"],
        end_time=row["end_time"],
        active_ruleset_id=row["active_ruleset_id"],
        evaluation_group_id=row["evaluation_group_id"],
        reevaluate_on_return=bool(row["reevaluate_on_return"]),
        attributes=document["attributes"],
        tags=tuple(document["tags"]),
        features=tuple(CampaignFeature(feature) for feature in document["features"]),
        coupon_settings=_settings_from_json(document["couponSettings"]),
        referral_settings=_settings_from_json(document["referralSettings"]),
        limits=limits_from_json(document["limits"]),
        campaign_groups=tuple(document["campaignGroups"]),
        linked_store_ids=tuple(document["linkedStoreIds"]),
        coupon_attributes=document["couponAttributes"],
    )
    return Campaign.from_spec(
        spec,
        id=int(row["id"]),
        application_id=int(row["application_id"]),
        created=row["created"],
        updated=row["updated"],
    )


def _settings_to_json(settings: CodeGeneratorSettings | None) -> dict[str, Any] | None:
    if settings is None:
        return None
    return {
        "validCharacters": list(settings.valid_characters),
        "couponPattern": settings.coupon_pattern,
    }


def _settings_from_json(value: dict[str, Any] | None) -> CodeGeneratorSettings | None:
    if value is None:
        return None
    return CodeGeneratorSettings(tuple(value["validCharacters"]), value["couponPattern"])


class SqlRulesetRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(
        self, campaign_id: int, spec: RulesetSpec, *, now: datetime, activated: bool
    ) -> Ruleset:
        activated_at = now if activated else None
        result = self._connection.execute(
            insert(rulesets).values(
                campaign_id=campaign_id,
                created=now,
                activated_at=activated_at,
                document=dump(_ruleset_to_json(spec)),
            )
        )
        return Ruleset.from_spec(
            spec,
            id=inserted_id(result),
            campaign_id=campaign_id,
            created=now,
            activated_at=activated_at,
        )

    def get(self, campaign_id: int, ruleset_id: int) -> Ruleset | None:
        row = (
            self._connection.execute(
                select(rulesets).where(
                    rulesets.c.campaign_id == campaign_id, rulesets.c.id == ruleset_id
                )
            )
            .mappings()
            .first()
        )
        return None if row is None else _ruleset(row)

    def list(self, campaign_id: int, page: PageRequest) -> Page[Ruleset]:
        query = select(rulesets).where(rulesets.c.campaign_id == campaign_id)
        return fetch_page(self._connection, rulesets, query, page, _ruleset)

    def mark_activated(self, campaign_id: int, ruleset_id: int, *, now: datetime) -> None:
        self._connection.execute(
            update(rulesets)
            .where(rulesets.c.campaign_id == campaign_id, rulesets.c.id == ruleset_id)
            .values(activated_at=now)
        )


def _ruleset(row: RowMapping) -> Ruleset:
    document = load(row["document"])
    spec = RulesetSpec(
        rules=tuple(_rule_from_json(rule) for rule in document["rules"]),
        bindings=tuple(_binding_from_json(b) for b in document["bindings"]),
        strikethrough_rules=tuple(_rule_from_json(r) for r in document["strikethroughRules"]),
        rb_version=document["rbVersion"],
        activate=bool(document["activate"]),
    )
    return Ruleset.from_spec(
        spec,
        id=int(row["id"]),
        campaign_id=int(row["campaign_id"]),
        created=row["created"],
        activated_at=row["activated_at"],
    )


def _ruleset_to_json(spec: RulesetSpec) -> dict[str, Any]:
    return {
        "rules": [_rule_to_json(rule) for rule in spec.rules],
        "bindings": [_binding_to_json(binding) for binding in spec.bindings],
        "strikethroughRules": [_rule_to_json(rule) for rule in spec.strikethrough_rules],
        "rbVersion": spec.rb_version,
        "activate": spec.activate,
    }


def _rule_to_json(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "parentId": rule.parent_id,
        "title": rule.title,
        "description": rule.description,
        "bindings": [_binding_to_json(binding) for binding in rule.bindings],
        "condition": rule.condition,
        "effects": rule.effects,
    }


def _rule_from_json(value: dict[str, Any]) -> Rule:
    return Rule(
        id=value["id"],
        parent_id=value["parentId"],
        title=value["title"],
        description=value["description"],
        bindings=tuple(_binding_from_json(binding) for binding in value["bindings"]),
        condition=value["condition"],
        effects=value["effects"],
    )


def _binding_to_json(binding: Binding) -> dict[str, Any]:
    return {
        "name": binding.name,
        "expression": binding.expression,
        "type": binding.type,
        "valueType": binding.value_type,
        "minValue": binding.min_value,
        "maxValue": binding.max_value,
        "attributeId": binding.attribute_id,
        "description": binding.description,
    }


def _binding_from_json(value: dict[str, Any]) -> Binding:
    return Binding(
        name=value["name"],
        expression=value["expression"],
        type=value["type"],
        value_type=value["valueType"],
        min_value=_decimal(value["minValue"]),
        max_value=_decimal(value["maxValue"]),
        attribute_id=value["attributeId"],
        description=value["description"],
    )


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))
