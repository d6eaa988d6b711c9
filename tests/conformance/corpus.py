"""Loading the Talang conformance corpus (tests/conformance/talang/*.json).

A corpus file:

    {
      "bindings": {...},                      # optional: the default bindings of its cases
      "cases": [
        {"name": "...", "expr": [...], "expect": <value>},
        {"name": "...", "expr": [...], "bindings": {...}, "error": "TalangRuntimeError",
         "path": "/2"},                       # optional: the failing call's JSON pointer
        {"name": "...", "expr": [...], "diagnostics": ["/1", "/2/1"]}
      ]
    }

JSON numbers are Decimals; ``{"$time": "2026-01-01T00:00:00Z"}`` is a time, in bindings and in
expected values alike. A case expects a value, an error kind (the class name), or exactly the
paths of ``check``'s diagnostics (an empty list: the expression checks).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).parent / "talang"
BASE_BINDINGS: dict[str, Any] = {
    "Now": {"$time": "2026-01-01T12:00:00Z"},
    "Session": {
        "Total": 120,
        "Attributes": {"Channel": "web"},
        "CartItems": [
            {"Sku": "A", "Price": 5, "Quantity": 2, "Category": "kitchen"},
            {"Sku": "B", "Price": 25, "Quantity": 1, "Category": "shoes"},
        ],
    },
}


@dataclass(frozen=True)
class Case:
    file: str
    name: str
    expr: object
    bindings: dict[str, object]
    expect: object = None
    error: str | None = None
    diagnostics: list[str] | None = None
    path: str | None = None

    @property
    def id(self) -> str:
        return f"{self.file}:{self.name}"


def revive(value: Any) -> Any:
    """JSON → Talang values: ``{"$time": ...}`` becomes an aware datetime."""
    if isinstance(value, dict):
        if set(value) == {"$time"}:
            moment = datetime.fromisoformat(value["$time"].replace("Z", "+00:00"))
            assert moment.tzinfo is not None, value
            return moment
        return {key: revive(item) for key, item in value.items()}
    if isinstance(value, list):
        return [revive(item) for item in value]
    return value


def load_cases() -> list[Case]:
    cases: list[Case] = []
    for path in sorted(CORPUS.glob("*.json")):
        document = json.loads(
            path.read_text(encoding="utf-8"), parse_float=Decimal, parse_int=Decimal
        )
        defaults = document.get("bindings", BASE_BINDINGS)
        for raw in document["cases"]:
            outcomes = {"expect", "error", "diagnostics"} & set(raw)
            assert len(outcomes) == 1, f"{path.name}:{raw.get('name')}: one outcome per case"
            cases.append(
                Case(
                    file=path.stem,
                    name=raw["name"],
                    expr=raw["expr"],
                    bindings=revive(raw.get("bindings", defaults)),
                    expect=revive(raw.get("expect")),
                    error=raw.get("error"),
                    diagnostics=raw.get("diagnostics"),
                    path=raw.get("path"),
                )
            )
    return cases


def base_bindings() -> dict[str, object]:
    revived: dict[str, object] = revive(json.loads(json.dumps(BASE_BINDINGS), parse_int=Decimal))
    return revived
