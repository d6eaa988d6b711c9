"""``perks export``: the files that describe one application, as ``perks apply`` reads them."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import msgspec

from perks.bootstrap import Services
from perks.entrypoints.config.files import dump_documents
from perks.entrypoints.config.state import (
    additional_cost_document,
    application_document,
    attribute_document,
    campaign_document,
    campaign_set_document,
    custom_effect_document,
    read_account,
    read_application,
)
from perks.services.principals import OPERATOR

__all__ = ["export"]

_UNSAFE = re.compile(r"[^a-z0-9]+")


def export(services: Services, application_id: int) -> dict[str, str]:
    """File paths (relative, ``/``-separated) and their YAML text: ``application.yaml``, the
    account-wide definitions the application sees, its evaluation tree, and one file per
    campaign under ``campaigns/``."""
    application = services.applications.get(OPERATOR, application_id)
    account = read_account(services)
    names = account.names()
    state = read_application(services, application)
    sees = _subscribed(application_id)
    files: dict[str, str] = {
        "application.yaml": dump_documents([application_document(application)])
    }
    _add(
        files,
        "attributes.yaml",
        [
            attribute_document(a, names)
            for a in sorted(account.attributes, key=lambda a: (str(a.entity), a.name))
            if sees(a.subscribed_applications_ids)
        ],
    )
    _add(
        files,
        "additional-costs.yaml",
        [
            additional_cost_document(c, names)
            for c in sorted(account.additional_costs, key=lambda c: c.name)
            if sees(c.subscribed_applications_ids)
        ],
    )
    _add(
        files,
        "custom-effects.yaml",
        [
            custom_effect_document(e, names)
            for e in sorted(account.custom_effects, key=lambda e: e.definition.name)
            if application_id in e.application_ids
        ],
    )
    campaigns = {c.campaign.id: c.campaign.name for c in state.campaigns}
    tree = campaign_set_document(application.name, state.tree, campaigns)
    files["evaluation-tree.yaml"] = dump_documents([tree])
    stores = {store.id: store.integration_id for store in state.stores}
    taken: set[str] = set()
    for campaign in sorted(state.campaigns, key=lambda c: c.campaign.id):
        path = f"campaigns/{_slug(campaign.campaign.name, taken)}.yaml"
        files[path] = dump_documents([campaign_document(campaign, application.name, stores)])
    return files


def _subscribed(application_id: int) -> Callable[[Sequence[int] | None], bool]:
    """Whether a definition subscribed to these applications (None: all) is the one's."""

    def sees(ids: Sequence[int] | None) -> bool:
        return ids is None or application_id in ids

    return sees


def _add(files: dict[str, str], path: str, documents: Sequence[msgspec.Struct]) -> None:
    if documents:
        files[path] = dump_documents(documents)


def _slug(name: str, taken: set[str]) -> str:
    base = _UNSAFE.sub("-", name.lower()).strip("-")[:60] or "campaign"
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    taken.add(slug)
    return slug
