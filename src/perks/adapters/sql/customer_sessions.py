"""Customer sessions in SQL: the columns to find and filter them by, and the session itself, its
last effects and its committed effects as JSON documents with exact numbers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from perks.adapters.sql.documents import dump, load
from perks.adapters.sql.paging import inserted_id
from perks.adapters.sql.prepared import Prepared
from perks.adapters.sql.tables import customer_sessions
from perks.domain.budgets import CounterChange, CounterKey
from perks.domain.customer_sessions import (
    CartItem,
    CustomerSession,
    SessionState,
    StoredSession,
)
from perks.domain.effects import Effect
from perks.domain.errors import Conflict

__all__ = ["SqlCustomerSessionRepository", "effect_document", "effect_from_document"]


# Every session update runs them.
_SELECT = select(customer_sessions).where(
    customer_sessions.c.application_id == bindparam("application_id"),
    customer_sessions.c.integration_id == bindparam("integration_id"),
)
_GET = Prepared(_SELECT)
_GET_LOCKED = Prepared(_SELECT.with_for_update())
_SAVE = Prepared(
    update(customer_sessions)
    .where(customer_sessions.c.id == bindparam("session_id"))
    .values(
        {
            column: bindparam(column)
            for column in (
                "profile_integration_id",
                "state",
                "updated",
                "first_session",
                "document",
                "effects",
                "committed",
            )
        }
    )
)


class SqlCustomerSessionRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(
        self,
        application_id: int,
        integration_id: str,
        *,
        lock: bool = False,
        effects: bool = True,
    ) -> StoredSession | None:
        """The session; with ``lock``, its row is held until the transaction ends (PostgreSQL;
        SQLite's writers are serial already)."""
        locked = lock and self._connection.dialect.name == "postgresql"
        parameters = {"application_id": application_id, "integration_id": integration_id}
        row = (_GET_LOCKED if locked else _GET).first(self._connection, parameters)
        return None if row is None else _stored(row, effects=effects)

    def add(self, stored: StoredSession) -> StoredSession:
        """A new session; ``Conflict`` when another transaction created it meanwhile (the
        transaction stays usable: the insert runs in a savepoint)."""
        try:
            with self._connection.begin_nested():
                result = self._connection.execute(
                    insert(customer_sessions).values(**_values(stored))
                )
        except IntegrityError:
            raise Conflict("the customer session was created meanwhile") from None
        return replace(stored, id=inserted_id(result))

    def save(self, stored: StoredSession) -> None:
        values = _values(stored)
        del values["application_id"], values["integration_id"], values["created"]
        _SAVE.execute(self._connection, {"session_id": stored.id, **values})

    def count_for_profile(self, application_id: int, profile_integration_id: str) -> int:
        """How many sessions the profile has (``firstSession`` is whether there is none)."""
        query = select(func.count()).where(
            customer_sessions.c.application_id == application_id,
            customer_sessions.c.profile_integration_id == profile_integration_id,
        )
        return int(self._connection.execute(query).scalar_one())


def _values(stored: StoredSession) -> dict[str, Any]:
    session = stored.session
    assert session.created is not None, "a stored session has been created"
    assert session.updated is not None, "a stored session has been updated"
    return {
        "application_id": stored.application_id,
        "integration_id": session.integration_id,
        "profile_integration_id": session.profile_id,
        "state": str(session.state),
        "created": session.created,
        "updated": session.updated,
        "first_session": stored.first_session,
        "document": dump(_document(session)),
        "effects": dump([effect_document(e) for e in stored.effects]),
        "committed": dump(
            {
                "effects": [effect_document(e) for e in stored.committed],
                "changes": [_change_document(c) for c in stored.committed_changes],
                "coupons": list(stored.redeemed_coupons),
                "total": stored.committed_total,
            }
        ),
    }


def _document(session: CustomerSession) -> dict[str, Any]:
    return {
        "storeIntegrationId": session.store_integration_id,
        "couponCodes": list(session.coupon_codes),
        "referralCode": session.referral_code,
        "loyaltyCards": list(session.loyalty_cards),
        "cartItems": [_item_document(item) for item in session.cart_items],
        "additionalCosts": dict(session.additional_costs),
        "identifiers": list(session.identifiers),
        "attributes": dict(session.attributes),
        "updateCount": session.update_count,
    }


def _item_document(item: CartItem) -> dict[str, Any]:
    return {
        "sku": item.sku,
        "quantity": item.quantity,
        "name": item.name,
        "price": item.price,
        "category": item.category,
        "product": None if item.product is None else dict(item.product),
        "weight": item.weight,
        "height": item.height,
        "width": item.width,
        "length": item.length,
        "attributes": dict(item.attributes),
        "additionalCosts": dict(item.additional_costs),
        "returnedQuantity": item.returned_quantity,
        "position": item.position,
    }


def _number(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _item(document: dict[str, Any]) -> CartItem:
    return CartItem(
        sku=document["sku"],
        quantity=int(document["quantity"]),
        name=document["name"],
        price=_number(document["price"]),
        category=document["category"],
        product=document["product"],
        weight=_number(document["weight"]),
        height=_number(document["height"]),
        width=_number(document["width"]),
        length=_number(document["length"]),
        attributes=document["attributes"],
        additional_costs={k: Decimal(v) for k, v in document["additionalCosts"].items()},
        returned_quantity=int(document["returnedQuantity"]),
        position=int(document["position"]),
    )


def effect_document(effect: Effect) -> dict[str, Any]:
    return {
        "campaignId": effect.campaign_id,
        "rulesetId": effect.ruleset_id,
        "ruleIndex": effect.rule_index,
        "ruleName": effect.rule_name,
        "effectType": effect.effect_type,
        "props": dict(effect.props),
        "triggeredByCoupon": effect.triggered_by_coupon,
        "conditionIndex": effect.condition_index,
        "evaluationGroupID": effect.evaluation_group_id,
        "evaluationGroupMode": effect.evaluation_group_mode,
    }


def effect_from_document(document: dict[str, Any]) -> Effect:
    return Effect(
        campaign_id=int(document["campaignId"]),
        ruleset_id=int(document["rulesetId"]),
        rule_index=int(document["ruleIndex"]),
        rule_name=document["ruleName"],
        effect_type=document["effectType"],
        props=document["props"],
        triggered_by_coupon=document["triggeredByCoupon"],
        condition_index=document["conditionIndex"],
        evaluation_group_id=document["evaluationGroupID"],
        evaluation_group_mode=document["evaluationGroupMode"],
    )


def _stored(row: Mapping[str, Any], *, effects: bool = True) -> StoredSession:
    document = load(row["document"])
    created: datetime = row["created"]
    session = CustomerSession(
        integration_id=row["integration_id"],
        profile_id=row["profile_integration_id"],
        store_integration_id=document["storeIntegrationId"],
        coupon_codes=tuple(document["couponCodes"]),
        referral_code=document["referralCode"],
        loyalty_cards=tuple(document["loyaltyCards"]),
        state=SessionState(row["state"]),
        cart_items=tuple(_item(item) for item in document["cartItems"]),
        additional_costs={k: Decimal(v) for k, v in document["additionalCosts"].items()},
        identifiers=tuple(document["identifiers"]),
        attributes=document["attributes"],
        update_count=int(document["updateCount"]),
        created=created,
        updated=row["updated"],
    )
    committed = load(row["committed"])
    return StoredSession(
        id=int(row["id"]),
        application_id=int(row["application_id"]),
        session=session,
        first_session=bool(row["first_session"]),
        effects=tuple(effect_from_document(e) for e in load(row["effects"])) if effects else (),
        committed=tuple(effect_from_document(e) for e in committed["effects"]),
        committed_changes=tuple(_change(c) for c in committed["changes"]),
        redeemed_coupons=tuple(int(i) for i in committed["coupons"]),
        committed_total=Decimal(committed["total"]),
    )


def _change_document(change: CounterChange) -> dict[str, Any]:
    key = change.key
    return {
        "campaignId": key.campaign_id,
        "action": key.action,
        "subjects": [list(pair) for pair in key.subjects],
        "bucket": key.bucket,
        "delta": change.delta,
    }


def _change(document: dict[str, Any]) -> CounterChange:
    key = CounterKey(
        int(document["campaignId"]),
        document["action"],
        tuple((entity, value) for entity, value in document["subjects"]),
        document["bucket"],
    )
    return CounterChange(key, Decimal(document["delta"]))
