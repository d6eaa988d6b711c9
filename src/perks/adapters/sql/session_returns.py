"""Returns of cart items in SQL: one row per return, its items as JSON."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, RowMapping

from perks.adapters.sql.documents import dump, load
from perks.adapters.sql.paging import inserted_id
from perks.adapters.sql.tables import session_returns
from perks.domain.returns import CartReturn, ReturnedCartItem

__all__ = ["SqlSessionReturnRepository"]


class SqlSessionReturnRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, cart_return: CartReturn) -> CartReturn:
        items = [
            {"position": item.position, "quantity": item.quantity, "sku": item.sku}
            for item in cart_return.returned_cart_items
        ]
        result = self._connection.execute(
            insert(session_returns).values(
                application_id=cart_return.application_id,
                session_id=cart_return.session_id,
                session_integration_id=cart_return.session_integration_id,
                profile_integration_id=cart_return.profile_integration_id,
                event_id=cart_return.event_id,
                created=cart_return.created,
                items=dump(items),
            )
        )
        return replace(cart_return, id=inserted_id(result))

    def for_session(self, session_id: int) -> list[CartReturn]:
        query = (
            select(session_returns)
            .where(session_returns.c.session_id == session_id)
            .order_by(session_returns.c.id)
        )
        return [_return(row) for row in self._connection.execute(query).mappings()]


def _return(row: RowMapping) -> CartReturn:
    return CartReturn(
        application_id=int(row["application_id"]),
        session_id=int(row["session_id"]),
        session_integration_id=row["session_integration_id"],
        profile_integration_id=row["profile_integration_id"],
        created=row["created"],
        returned_cart_items=tuple(
            ReturnedCartItem(int(item["position"]), int(item["quantity"]), item["sku"])
            for item in load(row["items"])
        ),
        event_id=int(row["event_id"]),
        id=int(row["id"]),
    )
