"""Reads that every use case under an application starts with: 404 when the parent is absent."""

from __future__ import annotations

from perks.domain.applications import Application
from perks.domain.campaigns import Campaign
from perks.domain.errors import NotFound
from perks.services.ports import UnitOfWork

__all__ = ["require_application", "require_campaign"]


def require_application(uow: UnitOfWork, application_id: int) -> Application:
    application = uow.applications.get(application_id)
    if application is None:
        raise NotFound("application", application_id)
    return application


def require_campaign(uow: UnitOfWork, application_id: int, campaign_id: int) -> Campaign:
    require_application(uow, application_id)
    campaign = uow.campaigns.get(application_id, campaign_id)
    if campaign is None:
        raise NotFound("campaign", campaign_id)
    return campaign
