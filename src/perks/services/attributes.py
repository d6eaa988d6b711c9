"""Use cases of custom attributes (createAttribute, getAttributes, ...)."""

from __future__ import annotations

from perks.domain.attributes import (
    Attribute,
    AttributeSpec,
    validate_attribute_change,
    validate_attribute_spec,
)
from perks.domain.errors import Conflict, NotFound
from perks.domain.pages import Page, PageRequest
from perks.services.ports import AttributeFilter, Clock, UnitOfWorkFactory

__all__ = ["ATTRIBUTE_SORT_FIELDS", "AttributeService"]

ATTRIBUTE_SORT_FIELDS = ("id", "name", "title", "entity", "type", "created")


class AttributeService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def create(self, spec: AttributeSpec) -> Attribute:
        validate_attribute_spec(spec)
        with self._uow(write=True) as uow:
            if uow.attributes.find(spec.entity, spec.name, event_type=spec.event_type):
                raise Conflict(
                    f"a {spec.entity} attribute named {spec.name!r} already exists",
                    pointer="/name",
                )
            attribute = uow.attributes.add(spec, now=self._clock.now())
            uow.commit()
        return attribute

    def get(self, attribute_id: int) -> Attribute:
        with self._uow(write=False) as uow:
            attribute = uow.attributes.get(attribute_id)
        if attribute is None:
            raise NotFound("attribute", attribute_id)
        return attribute

    def list(self, page: PageRequest, filter: AttributeFilter) -> Page[Attribute]:
        with self._uow(write=False) as uow:
            return uow.attributes.list(page, filter)

    def update(self, attribute_id: int, spec: AttributeSpec) -> Attribute:
        validate_attribute_spec(spec)
        with self._uow(write=True) as uow:
            current = uow.attributes.get(attribute_id)
            if current is None:
                raise NotFound("attribute", attribute_id)
            validate_attribute_change(current, spec)
            updated = uow.attributes.update(attribute_id, spec)
            if updated is None:  # pragma: no cover - the row was read in this transaction
                raise NotFound("attribute", attribute_id)
            uow.commit()
        return updated
