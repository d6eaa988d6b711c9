"""Rulesets: createRuleset (ours), getRulesets, getRuleset.

A ruleset is checked against the rule vocabulary when it is created; one that does not check
is refused with a 400 listing every problem at its JSON pointer (``/rules/2/condition/1``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec

from perks.domain.rulesets import Binding as DomainBinding
from perks.domain.rulesets import Rule as DomainRule
from perks.domain.rulesets import Ruleset as DomainRuleset
from perks.domain.rulesets import RulesetSpec
from perks.entrypoints.http.entities import USER_ID
from perks.entrypoints.http.management.paging import ListQuery, page_request
from perks.entrypoints.http.routes import Auth, Call, NoQuery, Operation, Reply
from perks.entrypoints.http.wire import WireStruct
from perks.services.campaigns import RULESET_SORT_FIELDS

__all__ = ["OPERATIONS", "Binding", "Rule", "binding_from_wire", "rule_from_wire", "rule_to_wire"]


class Binding(WireStruct, omit_defaults=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
    expression: Any
    type: str | None = None
    value_type: str | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    attribute_id: int | None = None
    description: str | None = None


class Rule(WireStruct, omit_defaults=True):
    title: str
    condition: Annotated[list[Any], msgspec.Meta(min_length=1)]
    effects: list[Any]
    id: str | None = None
    parent_id: str | None = None
    description: str | None = None
    bindings: list[Binding] = []


class NewRuleset(WireStruct):
    rules: list[Rule]
    bindings: list[Binding]
    strikethrough_rules: list[Rule] = []
    rb_version: str | None = None
    activate: bool = False


class Ruleset(WireStruct):
    id: int
    created: datetime
    user_id: int
    campaign_id: int
    rules: list[Rule]
    bindings: list[Binding]
    strikethrough_rules: list[Rule]
    rb_version: str | None
    activate: bool
    activated_at: datetime | None


class RulesetList(WireStruct):
    """``inline_response_200_10``."""

    total_result_size: int
    data: list[Ruleset]


def binding_from_wire(wire: Binding) -> DomainBinding:
    return msgspec.convert(wire, DomainBinding, from_attributes=True)


def rule_from_wire(wire: Rule) -> DomainRule:
    return DomainRule(
        title=wire.title,
        condition=wire.condition,
        effects=wire.effects,
        description=wire.description or "",
        bindings=tuple(binding_from_wire(binding) for binding in wire.bindings),
        id=wire.id,
        parent_id=wire.parent_id,
    )


def _spec(body: NewRuleset) -> RulesetSpec:
    return RulesetSpec(
        rules=tuple(rule_from_wire(rule) for rule in body.rules),
        bindings=tuple(binding_from_wire(binding) for binding in body.bindings),
        strikethrough_rules=tuple(rule_from_wire(rule) for rule in body.strikethrough_rules),
        rb_version=body.rb_version,
        activate=body.activate,
    )


def rule_to_wire(rule: DomainRule) -> Rule:
    return Rule(
        title=rule.title,
        condition=list(rule.condition),  # type: ignore[call-overload]
        effects=list(rule.effects),  # type: ignore[call-overload]
        id=rule.id,
        parent_id=rule.parent_id,
        description=rule.description,
        bindings=[msgspec.convert(b, Binding, from_attributes=True) for b in rule.bindings],
    )


def _wire(ruleset: DomainRuleset) -> Ruleset:
    assert ruleset.created is not None
    return Ruleset(
        id=ruleset.id,
        created=ruleset.created,
        user_id=USER_ID,
        campaign_id=ruleset.campaign_id,
        rules=[rule_to_wire(rule) for rule in ruleset.rules],
        bindings=[msgspec.convert(b, Binding, from_attributes=True) for b in ruleset.bindings],
        strikethrough_rules=[rule_to_wire(rule) for rule in ruleset.strikethrough_rules],
        rb_version=ruleset.rb_version,
        activate=ruleset.activated_at is not None,
        activated_at=ruleset.activated_at,
    )


def create_ruleset(call: Call[NewRuleset, NoQuery]) -> Reply:
    ruleset = call.services.rulesets.create(
        call.management, call.path["applicationId"], call.path["campaignId"], _spec(call.body)
    )
    return Reply(201, _wire(ruleset))


def get_rulesets(call: Call[None, ListQuery]) -> Reply:
    page = call.services.rulesets.list(
        call.management,
        call.path["applicationId"],
        call.path["campaignId"],
        page_request(call.query, sortable=RULESET_SORT_FIELDS),
    )
    data = [_wire(ruleset) for ruleset in page.items]
    return Reply(200, RulesetList(total_result_size=page.total, data=data))


def get_ruleset(call: Call[None, NoQuery]) -> Reply:
    ruleset = call.services.rulesets.get(
        call.management,
        call.path["applicationId"],
        call.path["campaignId"],
        call.path["rulesetId"],
    )
    return Reply(200, _wire(ruleset))


_RULESETS = "/v1/applications/{applicationId}/campaigns/{campaignId}/rulesets"

OPERATIONS: list[Operation[Any, Any]] = [
    Operation(
        method="POST",
        path=_RULESETS,
        operation_id="createRuleset",
        summary="Create ruleset (perks): checked, compiled, optionally activated",
        handler=create_ruleset,
        auth=Auth.MANAGEMENT,
        tag="management",
        body=NewRuleset,
        responses={201: Ruleset, 404: None},
    ),
    Operation(
        method="GET",
        path=_RULESETS,
        operation_id="getRulesets",
        summary="List campaign rulesets",
        handler=get_rulesets,
        auth=Auth.MANAGEMENT,
        tag="management",
        query=ListQuery,
        responses={200: RulesetList, 404: None},
    ),
    Operation(
        method="GET",
        path=f"{_RULESETS}/{{rulesetId}}",
        operation_id="getRuleset",
        summary="Get ruleset",
        handler=get_ruleset,
        auth=Auth.MANAGEMENT,
        tag="management",
        responses={200: Ruleset, 404: None},
    ),
]
