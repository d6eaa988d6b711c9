"""Use cases of coupons (createCoupons, getCouponsWithoutTotalCount, updateCoupon, deleteCoupon,
importCoupons, exportCoupons)."""

from __future__ import annotations

import itertools
import json
import secrets
from collections.abc import Collection, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TypeVar

from perks.domain.applications import ACCOUNT_ID
from perks.domain.coupon_codes import (
    CHUNK_SIZE,
    MAX_CODE_LENGTH,
    MIN_CODE_LENGTH,
    CodeCreation,
    DateFormat,
    ImportedCoupon,
    export_coupons_csv,
    generate_codes,
    normalized_code,
    parse_code_request,
    parse_coupon_import,
)
from perks.domain.coupons import (
    Coupon,
    CouponBatchChanges,
    CouponProperties,
    validate_coupon_properties,
)
from perks.domain.errors import Conflict, InvalidInput, NotFound, Problem
from perks.domain.limits import LimitConfig
from perks.domain.pages import MAX_PAGE_SIZE, PageRequest, SortKey
from perks.services.lookups import require_application, require_campaign
from perks.services.ports import (
    CampaignFilter,
    Clock,
    CouponFilter,
    NewCoupon,
    UnitOfWork,
    UnitOfWorkFactory,
)
from perks.services.principals import ManagementPrincipal

__all__ = [
    "COUPON_SORT_FIELDS",
    "CodeSpaceFull",
    "CodeTarget",
    "CouponService",
    "CreatedCoupons",
    "ImportedCoupons",
    "NamedCoupon",
    "NewCoupons",
    "named_coupon_problems",
    "store_chunk",
]

COUPON_SORT_FIELDS = ("id", "created", "value", "expiry_date", "start_date", "usage_counter")
_BY_ID = SortKey("id")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class NewCoupons:
    """``NewCoupons``: how many codes, how they look, and what each coupon allows."""

    number_of_coupons: int
    properties: CouponProperties
    coupon_pattern: str | None = None
    valid_characters: Sequence[str] | None = None
    unique_prefix: str = ""


@dataclass(frozen=True, slots=True)
class NamedCoupon:
    """A coupon whose code is given, not generated (campaigns as code)."""

    value: str
    properties: CouponProperties


@dataclass(frozen=True, slots=True)
class CreatedCoupons:
    batch_id: str
    count: int


@dataclass(frozen=True, slots=True)
class ImportedCoupons:
    """What importCoupons stored: ``amount`` coupons, all in batch ``batch_id``."""

    batch_id: str
    amount: int
    created: datetime


@dataclass(frozen=True, slots=True)
class CodeTarget:
    """Where generated codes go, and what every coupon of the batch allows."""

    application_id: int
    campaign_id: int
    properties: CouponProperties
    batch_id: str
    now: datetime


class CodeSpaceFull(Conflict):
    """The pattern has no unused code left; ``stored`` codes of the chunk were stored."""

    def __init__(self, details: str, *, stored: int) -> None:
        super().__init__(details, pointer="/numberOfCoupons")
        self.stored = stored


def store_chunk(
    uow: UnitOfWork,
    target: CodeTarget,
    chunk: list[str],
    codes: Generator[list[str], Collection[str] | None, None],
) -> int:
    """Store a generated chunk: codes that already exist in the application are sent back to
    the generator, and its replacements checked in turn (one query per round)."""
    stored = 0
    while True:
        clashes = uow.coupons.existing(target.application_id, chunk)
        kept = [code for code in chunk if code not in clashes]
        uow.coupons.add_many(
            target.application_id,
            target.campaign_id,
            [NewCoupon(code, code) for code in kept],
            target.properties,
            batch_id=target.batch_id,
            now=target.now,
        )
        stored += len(kept)
        if not clashes:
            return stored
        try:
            chunk = codes.send(clashes)
        except Conflict as full:
            raise CodeSpaceFull(full.details, stored=stored) from None


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
            target = CodeTarget(application_id, campaign_id, request.properties, batch_id, now)
            for chunk in codes:
                store_chunk(uow, target, chunk, codes)
            uow.commit()
        return CreatedCoupons(batch_id=batch_id, count=code_request.count)

    def create_named(
        self,
        principal: ManagementPrincipal,
        application_id: int,
        campaign_id: int,
        coupons: Sequence[NamedCoupon],
    ) -> CreatedCoupons:
        """Store coupons with the codes given, all in one new batch, or none: a code that is
        repeated, or already in the application under its case sensitivity, is refused at
        ``/{index}/value``."""
        principal.require_application(application_id)
        problems: list[Problem] = []
        for index, coupon in enumerate(coupons):
            problems += named_coupon_problems(coupon, f"/{index}")
        if problems:
            raise InvalidInput(problems)
        batch_id = secrets.token_hex(8)
        with self._uow(write=True) as uow:
            sensitivity = require_application(uow, application_id).case_sensitivity
            require_campaign(uow, application_id, campaign_id)
            # Stored in the normalized form, as importCoupons stores them.
            normalized = [normalized_code(c.value, sensitivity) for c in coupons]
            codes = [NewCoupon(value, value) for value in normalized]
            stored = uow.coupons.existing(application_id, [code.normalized_value for code in codes])
            seen: set[str] = set()
            for index, code in enumerate(codes):
                if code.normalized_value in stored or code.normalized_value in seen:
                    problems.append(
                        Problem(
                            "invalid value",
                            f"the code {coupons[index].value!r} already exists in the application",
                            f"/{index}/value",
                        )
                    )
                seen.add(code.normalized_value)
            if problems:
                raise InvalidInput(problems)
            now = self._clock.now()
            for code, coupon in zip(codes, coupons, strict=True):
                uow.coupons.add_many(
                    application_id,
                    campaign_id,
                    [code],
                    coupon.properties,
                    batch_id=batch_id,
                    now=now,
                )
            uow.commit()
        return CreatedCoupons(batch_id=batch_id, count=len(coupons))

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

    def find_codes(
        self,
        principal: ManagementPrincipal,
        application_id: int,
        campaign_id: int,
        codes: Collection[str],
    ) -> Sequence[Coupon]:
        """The campaign's coupons with these codes (under the application's case
        sensitivity), in one indexed query per 500 codes whatever the campaign's size."""
        principal.require_application(application_id)
        with self._uow(write=False) as uow:
            sensitivity = require_application(uow, application_id).case_sensitivity
            require_campaign(uow, application_id, campaign_id)
            normalized = {normalized_code(code, sensitivity) for code in codes}
            return uow.coupons.by_codes(campaign_id, normalized)

    def count(self, principal: ManagementPrincipal, application_id: int, campaign_id: int) -> int:
        principal.require_application(application_id)
        with self._uow(write=False) as uow:
            require_campaign(uow, application_id, campaign_id)
            return uow.coupons.count(campaign_id)

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

    def update_batch(
        self,
        principal: ManagementPrincipal,
        application_id: int,
        campaign_id: int,
        batch_id: str | None,
        changes: CouponBatchChanges,
    ) -> int:
        """``updateCouponBatch``: every coupon of the campaign, or of one batch of it."""
        principal.require_application(application_id)
        validate_coupon_properties(
            CouponProperties(
                usage_limit=changes.usage_limit or 0,
                discount_limit=changes.discount_limit,
                reservation_limit=changes.reservation_limit,
                start_date=changes.start_date,
                expiry_date=changes.expiry_date,
            ),
            many=True,
        )
        with self._uow(write=True) as uow:
            require_campaign(uow, application_id, campaign_id)
            count = uow.coupons.update_many(campaign_id, batch_id, changes)
            uow.commit()
        return count

    def delete_matching(
        self,
        principal: ManagementPrincipal,
        application_id: int,
        campaign_id: int,
        filter: CouponFilter,
    ) -> int:
        """``deleteCoupons``: the campaign's coupons that match the filters."""
        principal.require_application(application_id)
        with self._uow(write=True) as uow:
            require_campaign(uow, application_id, campaign_id)
            count = uow.coupons.delete_many(campaign_id, filter, now=self._clock.now())
            uow.commit()
        return count

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

    def import_coupons(
        self,
        principal: ManagementPrincipal,
        application_id: int,
        campaign_id: int,
        text: str,
        *,
        skip_duplicates: bool,
    ) -> ImportedCoupons:
        """importCoupons: every row valid and new, or nothing stored (one transaction); the
        problems name the file's lines. With ``skip_duplicates``, codes repeated in the file or
        already stored in the application are left out instead."""
        principal.require_application(application_id)
        with self._uow(write=False) as uow:
            sensitivity = require_application(uow, application_id).case_sensitivity
            require_campaign(uow, application_id, campaign_id)
        # Parsed outside the write transaction, which would hold the write lock meanwhile.
        coupons = parse_coupon_import(
            text, case_sensitivity=sensitivity, skip_duplicates=skip_duplicates
        )
        batch_id = secrets.token_hex(8)
        with self._uow(write=True) as uow:
            if require_application(uow, application_id).case_sensitivity is not sensitivity:
                raise InvalidInput.at(
                    "", "the application's case sensitivity changed meanwhile; retry"
                )
            require_campaign(uow, application_id, campaign_id)
            now = self._clock.now()
            amount = 0
            problems: list[Problem] = []
            for chunk in _batched(coupons, CHUNK_SIZE):
                stored = uow.coupons.existing(application_id, [c.value for c in chunk])
                kept = [coupon for coupon in chunk if coupon.value not in stored]
                if not skip_duplicates:
                    problems += _stored_problems(chunk, stored)
                if problems:
                    continue  # nothing will be kept; only the problems are gathered
                for properties, run in itertools.groupby(kept, key=_properties_key):
                    codes = [NewCoupon(coupon.value, coupon.value) for coupon in run]
                    uow.coupons.add_many(
                        application_id,
                        campaign_id,
                        codes,
                        properties.properties,
                        batch_id=batch_id,
                        now=now,
                    )
                    amount += len(codes)
            if problems:
                raise InvalidInput(problems)
            uow.commit()
        return ImportedCoupons(batch_id=batch_id, amount=amount, created=now)

    def export_coupons(
        self,
        principal: ManagementPrincipal,
        application_id: int,
        filter: CouponFilter,
        *,
        campaign_id: int | None,
        date_format: DateFormat,
        values_only: bool,
        sort: SortKey = _BY_ID,
    ) -> Iterator[str]:
        """exportCoupons: chunks of CSV text, one page of coupons each. The application and
        campaign are checked now; the pages are read lazily, each in its own short read, so
        that a slow download holds no transaction open."""
        principal.require_application(application_id)
        with self._uow(write=False) as uow:
            require_application(uow, application_id)
            if campaign_id is not None:
                require_campaign(uow, application_id, campaign_id)
                campaign_ids = [campaign_id]
            else:
                campaign_ids = _campaign_ids(uow, application_id, now=self._clock.now())
        rows = (
            _export_row(application_id, coupon)
            for campaign in campaign_ids
            for coupon in self._coupons(campaign, filter, sort)
        )
        lines = export_coupons_csv(rows, values_only=values_only, date_format=date_format)
        return ("".join(chunk) for chunk in _batched(lines, MAX_PAGE_SIZE))

    def _coupons(self, campaign_id: int, filter: CouponFilter, sort: SortKey) -> Iterator[Coupon]:
        skip = 0
        while True:
            page = PageRequest(page_size=MAX_PAGE_SIZE, skip=skip, sort=sort)
            with self._uow(write=False) as uow:
                now = self._clock.now()
                coupons, has_more = uow.coupons.list(campaign_id, page, filter, now=now)
            yield from coupons
            if not has_more:
                return
            skip += len(coupons)


def _campaign_ids(uow: UnitOfWork, application_id: int, *, now: datetime) -> list[int]:
    ids: list[int] = []
    while True:
        page = PageRequest(page_size=MAX_PAGE_SIZE, skip=len(ids))
        campaigns = uow.campaigns.list(application_id, page, CampaignFilter(), now=now)
        ids += [campaign.id for campaign in campaigns.items]
        if len(campaigns.items) < MAX_PAGE_SIZE:
            return ids


def _batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``itertools.batched`` (Python 3.12)."""
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


@dataclass(frozen=True, slots=True)
class _PropertiesKey:
    """Groups imported rows that share their properties, so they are inserted together."""

    key: tuple[object, ...]
    properties: CouponProperties = field(compare=False)


def _properties_key(coupon: ImportedCoupon) -> _PropertiesKey:
    properties = CouponProperties(
        usage_limit=coupon.usage_limit,
        discount_limit=coupon.discount_limit,
        start_date=coupon.start_date,
        expiry_date=coupon.expiry_date,
        attributes=coupon.attributes,
        recipient_integration_id=coupon.recipient_integration_id,
    )
    attributes = json.dumps(coupon.attributes, sort_keys=True, default=str)
    key = (
        coupon.usage_limit,
        coupon.discount_limit,
        coupon.start_date,
        coupon.expiry_date,
        coupon.recipient_integration_id,
        attributes,
    )
    return _PropertiesKey(key, properties)


def named_coupon_problems(coupon: NamedCoupon, pointer: str = "") -> list[Problem]:
    problems: list[Problem] = []
    if not MIN_CODE_LENGTH <= len(coupon.value) <= MAX_CODE_LENGTH:
        problems.append(
            Problem(
                "invalid value",
                f"a code has {MIN_CODE_LENGTH} to {MAX_CODE_LENGTH} characters",
                f"{pointer}/value",
            )
        )
    try:
        validate_coupon_properties(coupon.properties, many=False)
    except InvalidInput as error:
        problems += [replace(p, location=pointer + p.location) for p in error.problems]
    return problems


def _stored_problems(chunk: Sequence[ImportedCoupon], stored: set[str]) -> list[Problem]:
    return [
        Problem(
            "invalid row",
            f"the code {coupon.value!r} already exists in the application",
            str(coupon.line),
            kind="line",
        )
        for coupon in chunk
        if coupon.value in stored
    ]


def _export_row(application_id: int, coupon: Coupon) -> Mapping[str, object]:
    """The exportCoupons columns of a coupon (importid is not kept)."""
    return {
        "accountid": ACCOUNT_ID,
        "applicationid": application_id,
        "attributes": coupon.attributes,
        "batchid": coupon.batch_id,
        "campaignid": coupon.campaign_id,
        "counter": coupon.usage_counter,
        "created": coupon.created,
        "deleted": False,
        "discount_counter": coupon.discount_counter,
        "discount_limitval": coupon.discount_limit,
        "expirydate": coupon.expiry_date,
        "id": coupon.id,
        "is_reservation_mandatory": coupon.is_reservation_mandatory,
        "limits": [_limit(limit) for limit in coupon.limits],
        "limitval": coupon.usage_limit,
        "recipientintegrationid": coupon.recipient_integration_id,
        "referralid": coupon.referral_id,
        "reservation": coupon.implicitly_reserved,
        "reservation_counter": coupon.reservation_counter,
        "reservation_limitval": coupon.reservation_limit,
        "startdate": coupon.start_date,
        "value": coupon.value,
    }


def _limit(limit: LimitConfig) -> Mapping[str, object]:
    """A limit as ``LimitConfig`` reads in JSON."""
    written: dict[str, object] = {
        "action": limit.action,
        "limit": limit.limit,
        "entities": list(limit.entities),
    }
    if limit.period is not None:
        written["period"] = limit.period
    return written
