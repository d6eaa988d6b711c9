"""Use cases of stores (createStore, listStores) and the campaigns linked to them."""

from __future__ import annotations

from perks.domain.errors import Conflict
from perks.domain.pages import Page, PageRequest
from perks.domain.stores import Store, StoreSpec, validate_store
from perks.services.lookups import require_application, require_campaign
from perks.services.ports import CampaignFilter, Clock, StoreFilter, UnitOfWorkFactory
from perks.services.principals import ManagementPrincipal

__all__ = ["STORE_SORT_FIELDS", "StoreService"]

STORE_SORT_FIELDS = ("id", "name", "integration_id", "created")
_ALL = CampaignFilter()


class StoreService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def create(self, principal: ManagementPrincipal, application_id: int, spec: StoreSpec) -> Store:
        principal.require_application(application_id)
        validate_store(spec)
        with self._uow(write=True) as uow:
            require_application(uow, application_id)
            if uow.stores.find_by_integration_id(application_id, spec.integration_id):
                raise Conflict(
                    f"a store with integration ID {spec.integration_id!r} exists",
                    pointer="/integrationId",
                )
            store = uow.stores.add(application_id, spec, now=self._clock.now())
            uow.commit()
        return store

    def list(
        self,
        principal: ManagementPrincipal,
        application_id: int,
        page: PageRequest,
        filter: StoreFilter,
        *,
        campaign_id: int | None = None,
    ) -> tuple[Page[Store], dict[int, list[int]]]:
        """A page of stores, and for each the campaigns linked to it."""
        principal.require_application(application_id)
        with self._uow(write=False) as uow:
            require_application(uow, application_id)
            if campaign_id is not None:
                campaign = require_campaign(uow, application_id, campaign_id)
                filter = StoreFilter(
                    name=filter.name,
                    integration_id=filter.integration_id,
                    query=filter.query,
                    ids=frozenset(campaign.linked_store_ids),
                )
            found = uow.stores.list(application_id, page, filter)
            linked: dict[int, list[int]] = {store.id: [] for store in found.items}
            campaigns = uow.campaigns.list(
                application_id, PageRequest(page_size=1_000_000), _ALL, now=self._clock.now()
            )
            for campaign in campaigns.items:
                for store_id in campaign.linked_store_ids:
                    if store_id in linked:
                        linked[store_id].append(campaign.id)
        return found, linked
