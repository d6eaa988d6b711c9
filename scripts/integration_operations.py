"""List the Integration API operations of a Talon.One OpenAPI document.

Maintainer tool for ``docs/compatibility.md``; neither the package nor the tests
import it. An operation belongs to the Integration API when its ``tags`` contain
``integration`` (Management API operations are tagged ``management``). The
``api_key_v1`` security is not a usable criterion on its own: the spec's global
security lists ``api_key_v1`` beside the management schemes, so every operation
without its own ``security`` (all Management API operations, and
``bestPriorPrice``) inherits it.

Usage::

    python scripts/integration_operations.py ../shared/reference/talon-openapi.yaml

prints one tab-separated line per operation (operationId, method, path,
deprecated), sorted by path then method, under a header line.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import yaml  # type: ignore[import-untyped]

INTEGRATION_TAG = "integration"
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})


class Operation(NamedTuple):
    """One Integration API operation as the ledger names it."""

    operation_id: str
    method: str
    path: str
    deprecated: bool


class _SpecLoader(yaml.SafeLoader):  # type: ignore[misc]
    """SafeLoader that also reads the spec's ``tag:yaml.org,2002:value`` scalars."""


def _construct_value(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(loader.construct_scalar(node))


_SpecLoader.add_constructor("tag:yaml.org,2002:value", _construct_value)


def load_spec(path: Path) -> Mapping[str, Any]:
    """Parse the OpenAPI document at ``path``."""
    with path.open(encoding="utf-8") as stream:
        spec = yaml.load(stream, Loader=_SpecLoader)
    if not isinstance(spec, Mapping):
        raise TypeError(f"{path}: not an OpenAPI document (no top-level mapping)")
    return spec


def integration_operations(spec: Mapping[str, Any]) -> Iterator[Operation]:
    """Yield the operations tagged ``integration``, sorted by path then method."""
    found = []
    for path, path_item in spec.get("paths", {}).items():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            if INTEGRATION_TAG not in operation.get("tags", []):
                continue
            found.append(
                Operation(
                    operation_id=operation["operationId"],
                    method=method.upper(),
                    path=path,
                    deprecated=bool(operation.get("deprecated", False)),
                )
            )
    yield from sorted(found, key=lambda op: (op.path, op.method))


def main(argv: list[str]) -> int:
    """Print the Integration API operations of the spec named by ``argv[1]``."""
    if len(argv) != 2:
        print(f"usage: {argv[0]} SPEC.yaml", file=sys.stderr)
        return 2
    spec = load_spec(Path(argv[1]))
    print("operationId\tmethod\tpath\tdeprecated")
    for op in integration_operations(spec):
        print(f"{op.operation_id}\t{op.method}\t{op.path}\t{str(op.deprecated).lower()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
