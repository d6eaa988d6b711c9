"""Coupons in SQL: bulk inserts of generated codes, a uniqueness check per chunk, lists without
a total count (a campaign may hold millions of codes: a page reads one row more instead)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Select,
    String,
    and_,
    any_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from perks.adapters.sql.applications import limits_from_json, limits_to_json
from perks.adapters.sql.documents import dump, load
from perks.adapters.sql.paging import contains_pattern
from perks.adapters.sql.prepared import Prepared, Row
from perks.adapters.sql.tables import coupons
from perks.domain.coupons import Coupon, CouponBatchChanges, CouponProperties
from perks.domain.errors import Conflict
from perks.domain.pages import PageRequest
from perks.services.ports import CouponFilter, NewCoupon

__all__ = ["SqlCouponRepository"]


def _by_codes(query: Select[Any], scope: ColumnElement[Any]) -> Prepared:
    """``query``'s coupons under one application or campaign (``:scope``) whose normalized
    code is one of ``:values``, in one parameter whatever their number (every session update
    runs one): a JSON array on SQLite, an array on PostgreSQL. (psycopg prepares repeated
    statements, and PostgreSQL's generic plan for `IN ($2, ..., $501)` filtered every coupon
    of the application instead of probing the index: 1M codes at ~200 codes/s.)"""
    under = scope == bindparam("scope")
    code = coupons.c.normalized_value
    listed = func.json_each(bindparam("values")).table_valued("value")
    return Prepared(
        query.where(under, code.in_(select(listed.c.value))),
        postgresql=query.where(under, code == any_(bindparam("values", type_=ARRAY(String)))),
    )


_CODES_IN_APPLICATION = _by_codes(select(coupons.c.normalized_value), coupons.c.application_id)
_COUPONS_IN_CAMPAIGN = _by_codes(select(coupons), coupons.c.campaign_id)
_COUPONS_IN_APPLICATION = _by_codes(select(coupons), coupons.c.application_id)


class SqlCouponRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add_many(
        self,
        application_id: int,
        campaign_id: int,
        codes: Sequence[NewCoupon],
        properties: CouponProperties,
        *,
        batch_id: str | None,
        now: datetime,
    ) -> None:
        if not codes:
            return
        shared = {
            **_property_values(properties),
            "application_id": application_id,
            "campaign_id": campaign_id,
            "created": now,
            "batch_id": batch_id,
            "usage_counter": 0,
            "discount_counter": "0",
            "reservation_counter": 0,
        }
        rows = [
            {**shared, "value": code.value, "normalized_value": code.normalized_value}
            for code in codes
        ]
        try:
            self._connection.execute(insert(coupons), rows)
        except IntegrityError:
            # Another transaction stored one of these codes after our check (PostgreSQL; on
            # SQLite writers queue): nothing of this batch is kept.
            raise Conflict(
                "coupon codes collided with codes created at the same time; retry",
                pointer="/numberOfCoupons",
            ) from None

    def existing(self, application_id: int, normalized_values: Collection[str]) -> set[str]:
        rows = self._matching_codes(_CODES_IN_APPLICATION, application_id, normalized_values)
        return {row["normalized_value"] for row in rows}

    def by_codes(self, campaign_id: int, normalized_values: Collection[str]) -> list[Coupon]:
        rows = self._matching_codes(_COUPONS_IN_CAMPAIGN, campaign_id, normalized_values)
        return [_coupon(row) for row in rows]

    def in_application(
        self, application_id: int, normalized_values: Collection[str]
    ) -> dict[str, Coupon]:
        rows = self._matching_codes(_COUPONS_IN_APPLICATION, application_id, normalized_values)
        return {row["normalized_value"]: _coupon(row) for row in rows}

    def count(self, campaign_id: int) -> int:
        query = (
            select(func.count()).select_from(coupons).where(coupons.c.campaign_id == campaign_id)
        )
        return int(self._connection.execute(query).scalar_one())

    def _matching_codes(self, query: Prepared, scope: int, values: Collection[str]) -> list[Row]:
        """Rows of ``query`` under ``scope`` whose normalized code is one of ``values``."""
        wanted = list(values)
        if self._connection.dialect.name != "postgresql":
            return query.all(self._connection, {"scope": scope, "values": dump(wanted)})
        return query.all(self._connection, {"scope": scope, "values": wanted})

    def get(self, campaign_id: int, coupon_id: int) -> Coupon | None:
        row = (
            self._connection.execute(
                select(coupons).where(
                    coupons.c.campaign_id == campaign_id, coupons.c.id == coupon_id
                )
            )
            .mappings()
            .first()
        )
        return None if row is None else _coupon(row)

    def list(
        self, campaign_id: int, page: PageRequest, filter: CouponFilter, *, now: datetime
    ) -> tuple[list[Coupon], bool]:
        query: Select[Any] = select(coupons).where(coupons.c.campaign_id == campaign_id)
        query = query.where(*_conditions(filter, now))
        column = coupons.c[page.sort.field]
        order = column.desc() if page.sort.descending else column.asc()
        tiebreak = coupons.c.id.desc() if page.sort.descending else coupons.c.id.asc()
        rows = (
            self._connection.execute(
                query.order_by(order, tiebreak).limit(page.page_size + 1).offset(page.skip)
            )
            .mappings()
            .all()
        )
        return [_coupon(row) for row in rows[: page.page_size]], len(rows) > page.page_size

    def update(
        self, campaign_id: int, coupon_id: int, properties: CouponProperties
    ) -> Coupon | None:
        result = self._connection.execute(
            update(coupons)
            .where(coupons.c.campaign_id == campaign_id, coupons.c.id == coupon_id)
            .values(_property_values(properties))
        )
        return None if result.rowcount == 0 else self.get(campaign_id, coupon_id)

    def redeem(self, coupon_id: int) -> bool:
        """One more use of the coupon, unless that passes its usage limit (0: unlimited)."""
        result = self._connection.execute(
            update(coupons)
            .where(
                coupons.c.id == coupon_id,
                or_(coupons.c.usage_limit == 0, coupons.c.usage_counter < coupons.c.usage_limit),
            )
            .values(usage_counter=coupons.c.usage_counter + 1)
        )
        return result.rowcount == 1

    def unredeem(self, coupon_id: int) -> None:
        """Give one use back (a cancelled or reopened session's redemption)."""
        self._connection.execute(
            update(coupons)
            .where(coupons.c.id == coupon_id, coupons.c.usage_counter > 0)
            .values(usage_counter=coupons.c.usage_counter - 1)
        )

    def add_discount(self, coupon_id: int, amount: Decimal) -> bool:
        """Move ``discountCounter`` by ``amount`` within ``discountLimit``: the row is read
        locked (``FOR UPDATE`` on PostgreSQL; SQLite's writers are serial), checked, written."""
        query = select(coupons.c.discount_counter, coupons.c.discount_limit).where(
            coupons.c.id == coupon_id
        )
        if self._connection.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self._connection.execute(query).first()
        if row is None:  # deleted meanwhile: nothing to spend, nothing to give back to
            return amount <= 0
        counter = max(Decimal(0), Decimal(row.discount_counter) + amount)
        limit = None if row.discount_limit is None else Decimal(row.discount_limit)
        if amount > 0 and limit is not None and counter > limit:
            return False
        self._connection.execute(
            update(coupons).where(coupons.c.id == coupon_id).values(discount_counter=str(counter))
        )
        return True

    def update_many(
        self, campaign_id: int, batch_id: str | None, changes: CouponBatchChanges
    ) -> int:
        values = _changed_values(changes)
        if not values:
            return 0
        query = update(coupons).where(coupons.c.campaign_id == campaign_id)
        if batch_id is not None:
            query = query.where(coupons.c.batch_id == batch_id)
        return self._connection.execute(query.values(values)).rowcount

    def delete_many(self, campaign_id: int, filter: CouponFilter, *, now: datetime) -> int:
        result = self._connection.execute(
            delete(coupons).where(coupons.c.campaign_id == campaign_id, *_conditions(filter, now))
        )
        return result.rowcount

    def delete(self, campaign_id: int, coupon_id: int) -> bool:
        result = self._connection.execute(
            delete(coupons).where(coupons.c.campaign_id == campaign_id, coupons.c.id == coupon_id)
        )
        return result.rowcount > 0


def _conditions(filter: CouponFilter, now: datetime) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filter.value:
        pattern = _escaped(filter.value) if filter.exact_match else contains_pattern(filter.value)
        conditions.append(coupons.c.value.ilike(pattern, escape="\\"))
    for column, equal_to in (
        (coupons.c.recipient_integration_id, filter.recipient_integration_id),
        (coupons.c.batch_id, filter.batch_id),
        (coupons.c.referral_id, filter.referral_id),
    ):
        if equal_to is not None:
            conditions.append(column == equal_to)
    for column, after, before in (
        (coupons.c.created, filter.created_after, filter.created_before),
        (coupons.c.start_date, filter.starts_after, filter.starts_before),
        (coupons.c.expiry_date, filter.expires_after, filter.expires_before),
    ):
        if after is not None:
            conditions.append(column > after)
        if before is not None:
            conditions.append(column < before)
    if filter.after_id is not None:
        conditions.append(coupons.c.id > filter.after_id)
    if filter.usable is not None:
        usable = _usable(now)
        conditions.append(usable if filter.usable else ~usable)
    if filter.valid is not None:
        conditions.append(_validity(filter.valid, now))
    return conditions


def _validity(valid: str, now: datetime) -> ColumnElement[bool]:
    started = or_(coupons.c.start_date.is_(None), coupons.c.start_date <= now)
    ended = and_(coupons.c.expiry_date.is_not(None), coupons.c.expiry_date <= now)
    if valid == "expired":
        return ended
    if valid == "validFuture":
        return ~started
    return and_(started, ~ended)


def _usable(now: datetime) -> ColumnElement[bool]:
    return and_(
        or_(coupons.c.start_date.is_(None), coupons.c.start_date <= now),
        or_(coupons.c.expiry_date.is_(None), coupons.c.expiry_date > now),
        or_(coupons.c.usage_limit == 0, coupons.c.usage_counter < coupons.c.usage_limit),
    )


def _escaped(text: str) -> str:
    """``text`` as a LIKE pattern that matches it literally (and only it)."""
    return contains_pattern(text)[1:-1]


def _changed_values(changes: CouponBatchChanges) -> dict[str, Any]:
    """The columns an ``UpdateCouponBatch`` sets (only the fields it carries)."""
    values: dict[str, Any] = {}
    for name, value in changes.changed().items():
        if name == "discount_limit":
            values[name] = str(value)
        elif name == "attributes":
            values[name] = dump(value)
        else:
            values[name] = value
    return values


def _property_values(properties: CouponProperties) -> dict[str, Any]:
    limit = properties.discount_limit
    return {
        "usage_limit": properties.usage_limit,
        "discount_limit": None if limit is None else str(limit),
        "reservation_limit": properties.reservation_limit,
        "start_date": properties.start_date,
        "expiry_date": properties.expiry_date,
        "limits": limits_to_json(properties.limits),
        "attributes": dump(dict(properties.attributes)),
        "recipient_integration_id": properties.recipient_integration_id,
        "is_reservation_mandatory": properties.is_reservation_mandatory,
        "implicitly_reserved": properties.implicitly_reserved,
    }


def _coupon(row: Mapping[str, Any] | RowMapping) -> Coupon:
    limit = row["discount_limit"]
    attributes: dict[str, object] = load(row["attributes"])
    return Coupon(
        id=int(row["id"]),
        created=row["created"],
        campaign_id=int(row["campaign_id"]),
        value=row["value"],
        usage_limit=int(row["usage_limit"]),
        discount_limit=None if limit is None else Decimal(limit),
        reservation_limit=row["reservation_limit"],
        start_date=row["start_date"],
        expiry_date=row["expiry_date"],
        limits=limits_from_json(row["limits"]),
        attributes=attributes,
        recipient_integration_id=row["recipient_integration_id"],
        is_reservation_mandatory=bool(row["is_reservation_mandatory"]),
        implicitly_reserved=bool(row["implicitly_reserved"]),
        usage_counter=int(row["usage_counter"]),
        discount_counter=Decimal(row["discount_counter"]),
        reservation_counter=int(row["reservation_counter"]),
        batch_id=row["batch_id"],
        referral_id=row["referral_id"],
    )
