"""Planning campaigns: their own fields, their ruleset and their coupons."""

from __future__ import annotations

from typing import Any

import msgspec

from perks.domain.applications import CaseSensitivity
from perks.domain.campaigns import validate_campaign
from perks.domain.coupon_codes import normalized_code
from perks.domain.coupons import Coupon
from perks.domain.rulesets import check_ruleset
from perks.domain.vocabulary import RULE_SCHEMA
from perks.entrypoints.config import steps
from perks.entrypoints.config.differences import differences, preview
from perks.entrypoints.config.documents import (
    CampaignDocument,
    Document,
)
from perks.entrypoints.config.files import Located, to_plain
from perks.entrypoints.config.planning import Planning, unique
from perks.entrypoints.config.state import (
    CampaignState,
    all_coupons,
    campaign_document,
    coupon_document,
    ruleset_document,
)
from perks.entrypoints.config.steps import Action, Step
from perks.services.coupons import NamedCoupon, named_coupon_problems
from perks.services.principals import OPERATOR

__all__ = ["CampaignPlanning"]


class CampaignPlanning(Planning):
    def _campaigns(self, application: str) -> None:
        if application not in self.plan.ids.applications and (
            application not in self.desired.applications
        ):
            return  # reported with the applications
        state = self.stored.get(application)
        stored, ambiguous = unique(state.campaigns if state else [], lambda c: c.campaign.name)
        registry = self._registry(application)
        sensitivity = self._case_sensitivity(application)
        for (app, name), item in sorted(self.desired.campaigns.items()):
            if app != application:
                continue
            assert isinstance(item.document, CampaignDocument)
            if name in ambiguous:
                self.problem(item.source, f"several stored campaigns of {app!r} are named {name!r}")
                continue
            self._campaign(item, item.document, stored.get(name), registry, sensitivity)

    def _campaign(
        self,
        item: Located,
        document: CampaignDocument,
        current: CampaignState | None,
        registry: Any,
        sensitivity: CaseSensitivity,
    ) -> None:
        application = document.application
        known_stores = {store for (app, store) in self.plan.ids.stores if app == application}
        for index, store in enumerate(document.linked_stores):
            if store not in known_stores:
                self.problem(
                    f"{item.source}/linkedStores/{index}",
                    f"store {store!r} is not a store of {application!r}",
                )
        spec = steps.campaign_spec(document, dict.fromkeys(document.linked_stores, 0))
        ok = self._valid(item.source, lambda: validate_campaign(spec, case_sensitivity=sensitivity))
        if document.ruleset is not None:
            ruleset = steps.ruleset_spec(document.ruleset)
            problems = check_ruleset(ruleset, registry, RULE_SCHEMA)
            for problem in problems:
                self.problem(f"{item.source}/ruleset{problem.location}", problem.details)
            ok = ok and not problems
        ok = self._coupons_valid(item, document, sensitivity) and ok
        if not ok:
            return
        subject = f"campaign {document.name!r} of {application!r}"
        bare = _without_children(document)
        if current is None:
            create = steps.CreateCampaign(bare)
            self.add(Step(Action.CREATE, subject, create, (), item.source))
        else:
            store_names = {
                number: store
                for (app, store), number in self.plan.ids.stores.items()
                if app == application
            }
            before = _without_children(campaign_document(current, application, store_names))
            details = differences(to_plain(before), to_plain(bare))
            if details:
                run = steps.UpdateCampaign(bare)
                self.add(Step(Action.CHANGE, subject, run, details, item.source))
        self._ruleset(item, document, current)
        self._coupons(item, document, current, sensitivity)

    def _ruleset(
        self, item: Located, document: CampaignDocument, current: CampaignState | None
    ) -> None:
        wanted = document.ruleset
        if wanted is None:
            return
        existing = None
        if current is not None and current.ruleset is not None:
            existing = ruleset_document(current.ruleset)
        if existing is not None and to_plain(existing) == to_plain(wanted):
            return
        subject = f"ruleset of campaign {document.name!r} of {document.application!r}"
        action = Action.CREATE if existing is None else Action.CHANGE
        details = (
            (f"{len(wanted.rules)} rule(s), activated",)
            if existing is None
            else ("a new revision, activated", *differences(to_plain(existing), to_plain(wanted)))
        )
        run = steps.ActivateRuleset(document.application, document.name, wanted)
        self.add(Step(action, subject, run, details, item.source))

    def _coupons_valid(
        self, item: Located, document: CampaignDocument, sensitivity: CaseSensitivity
    ) -> bool:
        ok = True
        seen: dict[str, int] = {}
        for index, coupon in enumerate(document.coupons):
            where = f"{item.source}/coupons/{index}"
            code = normalized_code(coupon.value, sensitivity)
            if code in seen:
                self.problem(f"{where}/value", f"the code is also at /coupons/{seen[code]}")
                ok = False
            seen[code] = index
            named = NamedCoupon(coupon.value, steps.coupon_properties(coupon))
            for problem in named_coupon_problems(named):
                self.problem(f"{where}{problem.location}", problem.details)
                ok = False
        return ok

    def _coupons(
        self,
        item: Located,
        document: CampaignDocument,
        current: CampaignState | None,
        sensitivity: CaseSensitivity,
    ) -> None:
        app, name = document.application, document.name
        wanted = {normalized_code(c.value, sensitivity): c for c in document.coupons}
        stored = {
            normalized_code(c.value, sensitivity): c
            for c in self._stored_coupons(current, [c.value for c in document.coupons])
        }
        new = tuple(c for code, c in wanted.items() if code not in stored)
        if new:
            subject = f"{len(new)} coupon(s) of campaign {name!r} of {app!r}"
            codes = preview(c.value for c in new)
            run: steps.Run = steps.CreateCoupons(app, name, new)
            self.add(Step(Action.CREATE, subject, run, (codes,), item.source))
        for code, coupon in wanted.items():
            if code not in stored:
                continue
            before = coupon_document(stored[code])
            before.value = coupon.value
            details = differences(to_plain(before), to_plain(coupon))
            if details:
                subject = f"coupon {coupon.value!r} of campaign {name!r} of {app!r}"
                run = steps.UpdateCoupon(app, name, stored[code].id, coupon)
                self.add(Step(Action.CHANGE, subject, run, details, item.source))
        if not self.prune:
            self._kept_coupons(document, current, found=len(stored))
            return
        gone = [c for code, c in stored.items() if code not in wanted]
        if gone:
            subject = f"{len(gone)} coupon(s) of campaign {name!r} of {app!r}"
            run = steps.DeleteCoupons(app, name, tuple(c.id for c in gone))
            details = (preview(c.value for c in gone),)
            self.add(Step(Action.DELETE, subject, run, details, item.source))

    def _stored_coupons(self, current: CampaignState | None, codes: list[str]) -> list[Coupon]:
        """What the plan compares: all the campaign's coupons when pruning, else only those
        with the files' codes (one indexed query, however many coupons the campaign has)."""
        if current is None:
            return []
        if current.coupons is not None:
            return current.coupons
        campaign = current.campaign
        if self.prune:
            return list(all_coupons(self.services, campaign))
        if not codes:
            return []
        found = self.services.coupons.find_codes(
            OPERATOR, campaign.application_id, campaign.id, codes
        )
        return list(found)

    def _kept_coupons(
        self, document: CampaignDocument, current: CampaignState | None, *, found: int
    ) -> None:
        if current is None:
            return
        campaign = current.campaign
        total = self.services.coupons.count(OPERATOR, campaign.application_id, campaign.id)
        if total > found:
            self.plan.kept.append(
                f"{total - found} coupon(s) of campaign {document.name!r} of "
                f"{document.application!r}"
            )


def _without_children(document: CampaignDocument) -> CampaignDocument:
    """The campaign's own fields: its ruleset and coupons are planned on their own."""
    plain = to_plain(document)
    plain.pop("ruleset", None)
    plain.pop("coupons", None)
    plain["linkedStores"] = sorted(plain.get("linkedStores", []))
    bare = msgspec.convert(plain, Document)
    assert isinstance(bare, CampaignDocument)
    return bare
