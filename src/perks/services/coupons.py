"""Use cases of coupons (createCoupons, getCouponsWithoutTotalCount, updateCoupon, deleteCoupon)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from perks.domain.coupon_codes import (
    CodeCreation,
    generate_codes,
    parse_code_request,
)
from perks.domain.coupons import Coupon, CouponProperties, validate_coupon_properties
from perks.domain.errors import NotFound
from perks.domain.pages import PageRequest
from perks.services.lookups import require_application, require_campaign
from perks.services.ports import Clock, CouponFilter, NewCoupon, UnitOfWorkFactory
from perks.services.principals import ManagementPrincipal

__all__ = ["COUPON_SORT_FIELDS", "CouponService", "CreatedCoupons", "NewCoupons"]

COUPON_SORT_FIELDS = ("id", "created", "value", "expiry_date", "start_date", "usage_counter")


@dataclass(frozen=True, slots=True)
class NewCoupons:
    """``NewCoupons``: how many codes, how they look, and what each coupon allows."""

    number_of_coupons: int
    properties: CouponProperties
    coupon_pattern: str | None = None
    valid_characters: Sequence[str] | None = None
    unique_prefix: str = ""


@dataclass(frozen=True, slots=True)
class CreatedCoupons:
    batch_id: str
    count: int


class CouponService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def create(
        self,
        principal: ManagementPrincipal,
        application_id: int,
        campaign_id: int,
        request: NewCoupons,
    ) -> CreatedCoupons:
        """Generate the codes in chunks, each checked against the stored codes in one query;
        all of them or none are stored (one transaction)."""
        principal.require_application(application_id)
        validate_coupon_properties(request.properties, many=request.number_of_coupons > 1)
        with self._uow(write=True) as uow:
            sensitivity = require_application(uow, application_id).case_sensitivity
            campaign = require_campaign(uow, application_id, campaign_id)
            settings = campaign.coupon_settings
            code_request = parse_code_request(
                coupon_pattern=request.coupon_pattern
                or (settings.coupon_pattern if settings else None),
                valid_characters=request.valid_characters
                or (settings.valid_characters if settings else None),
                number_of_coupons=request.number_of_coupons,
                creation=CodeCreation.SYNC,
                unique_prefix=request.unique_prefix,
                case_sensitivity=sensitivity,
            )
            batch_id = secrets.token_hex(8)
            now = self._clock.now()
            codes = generate_codes(code_request.settings, code_request.count)
            for generated in codes:
                chunk = generated
                while clashes := uow.coupons.existing(application_id, chunk):
                    kept = [code for code in chunk if code not in clashes]
                    uow.coupons.add_many(
                        application_id,
                        campaign_id,
                        [NewCoupon(code, code) for code in kept],
                        request.properties,
                        batch_id=batch_id,
                        now=now,
                    )
                    chunk = codes.send(clashes)
                uow.coupons.add_many(
                    application_id,
                    campaign_id,
                    [NewCoupon(code, code) for code in chunk],
                    request.properties,
                    batch_id=batch_id,
                    now=now,
                )
            uow.commit()
        return CreatedCoupons(batch_id=batch_id, count=code_request.count)

    def list(
        self,
        principal: ManagementPrincipal,
        application_id: int,
        campaign_id: int,
        page: PageRequest,
        filter: CouponFilter,
    ) -> tuple[list[Coupon], bool]:
        principal.require_application(application_id)
        with self._uow(write=False) as uow:
            require_campaign(uow, application_id, campaign_id)
            return uow.coupons.list(campaign_id, page, filter, now=self._clock.now())

    def update(
        self,
        principal: ManagementPrincipal,
        application_id: int,
        campaign_id: int,
        coupon_id: int,
        properties: CouponProperties,
    ) -> Coupon:
        principal.require_application(application_id)
        validate_coupon_properties(properties, many=False)
        with self._uow(write=True) as uow:
            require_campaign(uow, application_id, campaign_id)
            updated = uow.coupons.update(campaign_id, coupon_id, properties)
            if updated is None:
                raise NotFound("coupon", coupon_id)
            uow.commit()
        return updated

    def get(
        self,
        principal: ManagementPrincipal,
        application_id: int,
        campaign_id: int,
        coupon_id: int,
    ) -> Coupon:
        principal.require_application(application_id)
        with self._uow(write=False) as uow:
            require_campaign(uow, application_id, campaign_id)
            coupon = uow.coupons.get(campaign_id, coupon_id)
        if coupon is None:
            raise NotFound("coupon", coupon_id)
        return coupon

    def delete(
        self,
        principal: ManagementPrincipal,
        application_id: int,
        campaign_id: int,
        coupon_id: int,
    ) -> None:
        principal.require_application(application_id)
        with self._uow(write=True) as uow:
            require_campaign(uow, application_id, campaign_id)
            if not uow.coupons.delete(campaign_id, coupon_id):
                raise NotFound("coupon", coupon_id)
            uow.commit()
