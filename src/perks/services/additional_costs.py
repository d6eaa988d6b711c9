"""Use cases of additional costs (createAdditionalCost, getAdditionalCosts, ...)."""

from __future__ import annotations

from perks.domain.additional_costs import AdditionalCost, AdditionalCostSpec
from perks.domain.errors import Conflict, NotFound
from perks.domain.pages import Page, PageRequest
from perks.services.ports import Clock, UnitOfWorkFactory

__all__ = ["ADDITIONAL_COST_SORT_FIELDS", "AdditionalCostService"]

ADDITIONAL_COST_SORT_FIELDS = ("id", "name", "title", "created")


class AdditionalCostService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def create(self, spec: AdditionalCostSpec) -> AdditionalCost:
        with self._uow(write=True) as uow:
            if uow.additional_costs.find_by_name(spec.name) is not None:
                raise _duplicate(spec.name)
            cost = uow.additional_costs.add(spec, now=self._clock.now())
            uow.commit()
        return cost

    def get(self, additional_cost_id: int) -> AdditionalCost:
        with self._uow(write=False) as uow:
            cost = uow.additional_costs.get(additional_cost_id)
        if cost is None:
            raise NotFound("additional cost", additional_cost_id)
        return cost

    def list(self, page: PageRequest) -> Page[AdditionalCost]:
        with self._uow(write=False) as uow:
            return uow.additional_costs.list(page)

    def update(self, additional_cost_id: int, spec: AdditionalCostSpec) -> AdditionalCost:
        with self._uow(write=True) as uow:
            same_name = uow.additional_costs.find_by_name(spec.name)
            if same_name is not None and same_name.id != additional_cost_id:
                raise _duplicate(spec.name)
            cost = uow.additional_costs.update(additional_cost_id, spec)
            if cost is None:
                raise NotFound("additional cost", additional_cost_id)
            uow.commit()
        return cost


def _duplicate(name: str) -> Conflict:
    return Conflict(f"an additional cost named {name!r} already exists", pointer="/name")
