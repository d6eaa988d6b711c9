"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

import msgspec

from perks.entrypoints.http.routes import Auth, Call, NoQuery, Operation, Reply

__all__ = ["OPERATIONS"]


class Status(msgspec.Struct):
    status: str


def health(_: Call[None, NoQuery]) -> Reply:
    return Reply(200, Status("ok"))


def ready(call: Call[None, NoQuery]) -> Reply:
    call.services.readiness.check()
    return Reply(200, Status("ready"))


OPERATIONS: list[Operation[Any, Any]] = [
    Operation(
        method="GET",
        path="/health",
        operation_id="health",
        summary="The process is alive",
        handler=health,
        auth=Auth.NONE,
        tag="system",
        responses={200: Status},
        blocking=False,
    ),
    Operation(
        method="GET",
        path="/ready",
        operation_id="ready",
        summary="The database answers",
        handler=ready,
        auth=Auth.NONE,
        tag="system",
        responses={200: Status, 503: None},
    ),
]
