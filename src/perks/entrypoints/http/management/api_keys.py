"""Integration keys of an application: create (shown once), list, revoke. perks' own paths."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from perks.domain.api_keys import IntegrationKey, IntegrationKeyPlatform, IntegrationKeyType
from perks.entrypoints.http.management.applications import ACCOUNT_ID
from perks.entrypoints.http.management.paging import ListQuery, page_request
from perks.entrypoints.http.routes import Auth, Call, NoQuery, Operation, Reply
from perks.entrypoints.http.wire import AwareDateTime, WireStruct
from perks.services.api_keys import API_KEY_SORT_FIELDS, IntegrationKeyRequest

__all__ = ["OPERATIONS"]


class CreateApplicationAPIKey(WireStruct):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    expires: AwareDateTime
    platform: IntegrationKeyPlatform = IntegrationKeyPlatform.NONE
    type: IntegrationKeyType | None = None
    time_offset: int | None = None


def _talon_name(name: str) -> str:
    """Talon.One spells these two ``accountID`` and ``applicationID`` on API keys."""
    special = {"account_id": "accountID", "application_id": "applicationID"}
    head, *rest = name.split("_")
    return special.get(name, head + "".join(part.title() for part in rest))


class ApplicationAPIKey(WireStruct, rename=_talon_name):
    """An integration key as listed: never the key itself, only its first characters."""

    id: int
    title: str
    expires: datetime
    created: datetime
    platform: IntegrationKeyPlatform
    application_id: int
    prefix: str
    revoked: bool
    type: IntegrationKeyType | None = None
    time_offset: int | None = None
    last_used: datetime | None = None
    created_by: int = 0
    account_id: int = ACCOUNT_ID


class NewApplicationAPIKey(ApplicationAPIKey, rename=_talon_name):
    """The created key, with ``key``: the only time it is shown."""

    key: str = ""


class ApplicationAPIKeyList(WireStruct):
    total_result_size: int
    data: list[ApplicationAPIKey]


def _listed(key: IntegrationKey) -> ApplicationAPIKey:
    return ApplicationAPIKey(
        id=key.id,
        title=key.title,
        expires=key.expires,
        created=key.created,
        platform=key.platform,
        application_id=key.application_id,
        prefix=key.prefix,
        revoked=key.revoked is not None,
        type=key.type,
        time_offset=key.time_offset,
        last_used=key.last_used,
    )


def create_api_key(call: Call[CreateApplicationAPIKey, NoQuery]) -> Reply:
    request = msgspec.convert(call.body, IntegrationKeyRequest, from_attributes=True)
    created = call.services.api_keys.create_integration_key(
        call.path["applicationId"], request, call.management
    )
    listed = msgspec.structs.asdict(_listed(created.key))
    return Reply(201, NewApplicationAPIKey(**listed, key=created.secret))


def get_api_keys(call: Call[None, ListQuery]) -> Reply:
    page = call.services.api_keys.list_integration_keys(
        call.path["applicationId"],
        page_request(call.query, sortable=API_KEY_SORT_FIELDS),
        call.management,
    )
    data = [_listed(key) for key in page.items]
    return Reply(200, ApplicationAPIKeyList(total_result_size=page.total, data=data))


def revoke_api_key(call: Call[None, NoQuery]) -> Reply:
    call.services.api_keys.revoke_integration_key(
        call.path["applicationId"], call.path["apiKeyId"], call.management
    )
    return Reply(204)


OPERATIONS: list[Operation[Any, Any]] = [
    Operation(
        method="POST",
        path="/v1/applications/{applicationId}/api_keys",
        operation_id="createApplicationApiKey",
        summary="Create an integration key",
        description="The key is in the response once; perks keeps only its digest.",
        handler=create_api_key,
        auth=Auth.MANAGEMENT,
        tag="management",
        body=CreateApplicationAPIKey,
        responses={201: NewApplicationAPIKey},
    ),
    Operation(
        method="GET",
        path="/v1/applications/{applicationId}/api_keys",
        operation_id="getApplicationApiKeys",
        summary="List integration keys",
        handler=get_api_keys,
        auth=Auth.MANAGEMENT,
        tag="management",
        query=ListQuery,
        responses={200: ApplicationAPIKeyList},
    ),
    Operation(
        method="DELETE",
        path="/v1/applications/{applicationId}/api_keys/{apiKeyId}",
        operation_id="revokeApplicationApiKey",
        summary="Revoke an integration key",
        handler=revoke_api_key,
        auth=Auth.MANAGEMENT,
        tag="management",
        responses={204: None},
    ),
]
