"""OAuth clients of the session-context face (paths of ours): createOAuthClient,
getOAuthClients, revokeOAuthClient. A client's secret is answered once, at creation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from perks.domain.oauth import OAuthClient as DomainOAuthClient
from perks.entrypoints.http.management.paging import ListQuery, page_request
from perks.entrypoints.http.routes import Auth, Call, NoQuery, Operation, Reply
from perks.entrypoints.http.wire import WireStruct
from perks.services.oauth import NewClient

__all__ = ["OPERATIONS"]


class NewOAuthClient(WireStruct):
    tenant: str
    scopes: Annotated[list[str], msgspec.Meta(min_length=1)]
    name: Annotated[str, msgspec.Meta(max_length=255)] = ""


class OAuthClient(WireStruct, omit_defaults=True):
    id: int
    client_id: str
    name: str
    tenant: str
    scopes: list[str]
    created: datetime
    revoked: datetime | None = None


class CreatedOAuthClient(WireStruct):
    """The client, with its secret: shown this once."""

    id: int
    client_id: str
    client_secret: str
    name: str
    tenant: str
    scopes: list[str]
    created: datetime


class OAuthClientList(WireStruct):
    total_result_size: int
    data: list[OAuthClient]


def _wire(client: DomainOAuthClient) -> OAuthClient:
    return OAuthClient(
        id=client.id,
        client_id=client.client_id,
        name=client.name,
        tenant=client.tenant,
        scopes=sorted(client.scopes),
        created=client.created,
        revoked=client.revoked,
    )


def create_oauth_client(call: Call[NewOAuthClient, NoQuery]) -> Reply:
    new = NewClient(call.body.tenant, frozenset(call.body.scopes), call.body.name)
    created = call.services.oauth.create_client(call.management, new)
    client = created.client
    return Reply(
        201,
        CreatedOAuthClient(
            id=client.id,
            client_id=client.client_id,
            client_secret=created.secret,
            name=client.name,
            tenant=client.tenant,
            scopes=sorted(client.scopes),
            created=client.created,
        ),
    )


def get_oauth_clients(call: Call[None, ListQuery]) -> Reply:
    page = call.services.oauth.list_clients(
        call.management, page_request(call.query, sortable=("id",))
    )
    data = [_wire(client) for client in page.items]
    return Reply(200, OAuthClientList(total_result_size=page.total, data=data))


def revoke_oauth_client(call: Call[None, NoQuery]) -> Reply:
    call.services.oauth.revoke_client(call.management, call.text["clientId"])
    return Reply(204)


_CLIENTS = "/v1/oauth_clients"

OPERATIONS: list[Operation[Any, Any]] = [
    Operation(
        method="POST",
        path=_CLIENTS,
        operation_id="createOAuthClient",
        summary="Create an OAuth client of the session-context face (perks)",
        handler=create_oauth_client,
        auth=Auth.MANAGEMENT,
        tag="management",
        body=NewOAuthClient,
        responses={201: CreatedOAuthClient, 400: None, 403: None},
    ),
    Operation(
        method="GET",
        path=_CLIENTS,
        operation_id="getOAuthClients",
        summary="List the OAuth clients (perks)",
        handler=get_oauth_clients,
        auth=Auth.MANAGEMENT,
        tag="management",
        query=ListQuery,
        responses={200: OAuthClientList, 403: None},
    ),
    Operation(
        method="DELETE",
        path=f"{_CLIENTS}/{{clientId}}",
        operation_id="revokeOAuthClient",
        summary="Revoke an OAuth client and the tokens issued through it (perks)",
        handler=revoke_oauth_client,
        auth=Auth.MANAGEMENT,
        tag="management",
        responses={204: None, 404: None, 403: None},
        text_path=frozenset({"clientId"}),
    ),
]
