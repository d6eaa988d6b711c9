"""Use cases of applications (createApplication, getApplications, ...)."""

from __future__ import annotations

from dataclasses import replace

from perks.domain.api_keys import IntegrationKey
from perks.domain.applications import Application, ApplicationSpec, validate_application_spec
from perks.domain.errors import NotFound
from perks.domain.pages import Page, PageRequest
from perks.services.key_cache import KeyCache
from perks.services.ports import Clock, UnitOfWorkFactory
from perks.services.principals import ManagementPrincipal

__all__ = ["APPLICATION_SORT_FIELDS", "ApplicationService"]

APPLICATION_SORT_FIELDS = ("id", "name", "created", "modified")


class ApplicationService:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, *, integration_cache: KeyCache[IntegrationKey]
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._integration_cache = integration_cache

    def create(self, principal: ManagementPrincipal, spec: ApplicationSpec) -> Application:
        principal.require_unrestricted("create applications")
        validate_application_spec(spec)
        with self._uow(write=True) as uow:
            application = uow.applications.add(spec, now=self._clock.now())
            uow.commit()
        return application

    def get(self, principal: ManagementPrincipal, application_id: int) -> Application:
        principal.require_application(application_id)
        with self._uow(write=False) as uow:
            application = uow.applications.get(application_id)
        if application is None:
            raise NotFound("application", application_id)
        return application

    def list(self, principal: ManagementPrincipal, page: PageRequest) -> Page[Application]:
        with self._uow(write=False) as uow:
            return uow.applications.list(page, only_ids=principal.allowed_application_ids)

    def update(
        self, principal: ManagementPrincipal, application_id: int, spec: ApplicationSpec
    ) -> Application:
        principal.require_application(application_id)
        validate_application_spec(spec)
        with self._uow(write=True) as uow:
            current = uow.applications.get(application_id)
            if current is None:
                raise NotFound("application", application_id)
            # UpdateApplication carries no HMAC key: the one set at creation stays.
            kept = replace(spec, key=current.key)
            application = uow.applications.update(application_id, kept, now=self._clock.now())
            assert application is not None, "the row was read in this transaction"
            uow.commit()
        return application

    def delete(self, principal: ManagementPrincipal, application_id: int) -> None:
        principal.require_application(application_id)
        with self._uow(write=True) as uow:
            if not uow.applications.delete(application_id):
                raise NotFound("application", application_id)
            uow.commit()
        # Its integration keys went with it.
        self._integration_cache.clear()
