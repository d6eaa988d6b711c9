"""OAuth clients and access tokens in SQL (secrets and token values only as digests)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection, RowMapping

from perks.adapters.sql.documents import dump, load
from perks.adapters.sql.paging import inserted_id
from perks.adapters.sql.prepared import Prepared
from perks.adapters.sql.tables import access_tokens, oauth_clients
from perks.domain.oauth import AccessToken, OAuthClient, TokenKind
from perks.domain.pages import Page, PageRequest

__all__ = ["SqlAccessTokenRepository", "SqlOAuthClientRepository"]

_CLIENT = oauth_clients.c
_TOKEN = access_tokens.c
# Every session-context request authenticates its token.
_TOKEN_BY_DIGEST = Prepared(select(access_tokens).where(_TOKEN.digest == bindparam("digest")))


class SqlOAuthClientRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, client: OAuthClient, secret_digest: str) -> OAuthClient:
        result = self._connection.execute(
            insert(oauth_clients).values(
                client_id=client.client_id,
                name=client.name,
                tenant=client.tenant,
                scopes=dump(sorted(client.scopes)),
                secret_digest=secret_digest,
                created=client.created,
                revoked=client.revoked,
            )
        )
        return replace(client, id=inserted_id(result))

    def get(self, client_id: str) -> tuple[OAuthClient, str] | None:
        row = (
            self._connection.execute(select(oauth_clients).where(_CLIENT.client_id == client_id))
            .mappings()
            .first()
        )
        return None if row is None else (_client(row), row["secret_digest"])

    def list(self, page: PageRequest) -> Page[OAuthClient]:
        total = self._connection.execute(select(func.count()).select_from(oauth_clients))
        rows = self._connection.execute(
            select(oauth_clients).order_by(_CLIENT.id).limit(page.page_size).offset(page.skip)
        ).mappings()
        return Page([_client(row) for row in rows], int(total.scalar_one()))

    def revoke(self, client_id: str, *, now: datetime) -> OAuthClient | None:
        self._connection.execute(
            update(oauth_clients)
            .where(_CLIENT.client_id == client_id, _CLIENT.revoked.is_(None))
            .values(revoked=now)
        )
        found = self.get(client_id)
        return None if found is None else found[0]


class SqlAccessTokenRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, token_digest: str, token: AccessToken) -> None:
        self._connection.execute(
            insert(access_tokens).values(
                digest=token_digest,
                kind=str(token.kind),
                tenant=token.tenant,
                client_id=token.client_id,
                scopes=dump(sorted(token.scopes)),
                session_id=token.session_id,
                customer_id=token.customer_id,
                expires=token.expires,
            )
        )

    def get(self, token_digest: str) -> AccessToken | None:
        row = _TOKEN_BY_DIGEST.first(self._connection, {"digest": token_digest})
        return None if row is None else _token(row)

    def delete_for_client(self, client_id: str) -> int:
        result = self._connection.execute(
            delete(access_tokens).where(_TOKEN.client_id == client_id)
        )
        return int(result.rowcount)

    def delete_expired(self, now: datetime, *, limit: int) -> int:
        oldest = select(_TOKEN.digest).where(_TOKEN.expires <= now).limit(limit)
        result = self._connection.execute(
            delete(access_tokens).where(_TOKEN.digest.in_(oldest.scalar_subquery()))
        )
        return int(result.rowcount)


def _client(row: Mapping[str, Any] | RowMapping) -> OAuthClient:
    return OAuthClient(
        id=int(row["id"]),
        client_id=row["client_id"],
        name=row["name"],
        tenant=row["tenant"],
        scopes=frozenset(load(row["scopes"])),
        created=row["created"],
        revoked=row["revoked"],
    )


def _token(row: Mapping[str, Any]) -> AccessToken:
    return AccessToken(
        kind=TokenKind(row["kind"]),
        tenant=row["tenant"],
        client_id=row["client_id"],
        scopes=frozenset(load(row["scopes"])),
        expires=row["expires"],
        session_id=row["session_id"],
        customer_id=row["customer_id"],
    )
