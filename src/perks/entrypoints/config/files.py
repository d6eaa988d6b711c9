"""Reading and writing configuration files: YAML (several documents per file) or JSON (one
document or a list), numbers kept exact, every problem located by file and JSON pointer."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import msgspec
import yaml

from perks.entrypoints.config.documents import Document
from perks.entrypoints.http.wire import pointer_of

__all__ = [
    "SUFFIXES",
    "FileProblem",
    "Located",
    "dump_documents",
    "load_directory",
    "load_text",
    "to_plain",
]

SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True, slots=True)
class Located:
    """A document and where it was read: ``file`` and its index in that file."""

    document: Document
    file: str
    index: int

    @property
    def source(self) -> str:
        return f"{self.file}#{self.index}"


@dataclass(frozen=True, slots=True)
class FileProblem:
    """A problem found in a file: ``where`` is ``file#index`` plus a JSON pointer."""

    where: str
    details: str

    def __str__(self) -> str:
        return f"{self.where}: {self.details}"


class _ExactLoader(yaml.SafeLoader):
    """Safe YAML whose decimals are exact and whose timestamps stay strings (the schemas
    parse them, RFC 3339 only)."""


_ExactLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _exact_float(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")  # type: ignore[arg-type]
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise yaml.constructor.ConstructorError(
            None, None, f"{text!r} is not a finite number", node.start_mark
        )
    return number


_ExactLoader.add_constructor("tag:yaml.org,2002:float", _exact_float)


_UNWRAPPED = 1_000_000  # one line per value and per Talang expression: diffs stay readable


class _ExactDumper(yaml.SafeDumper):
    """Block style, keys in schema order, decimals written as plain numbers."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # lists indented under their key


class _Flow(list[Any]):
    """A Talang expression: written on one line, as rules are read."""


def _represent_flow(dumper: yaml.SafeDumper, value: _Flow) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


def _flow(expression: Any) -> Any:
    return _Flow(expression) if isinstance(expression, list) else expression


def _flow_rules(rules: list[dict[str, Any]]) -> None:
    for rule in rules:
        rule["condition"] = _flow(rule["condition"])
        rule["effects"] = [_flow(effect) for effect in rule["effects"]]
        _flow_bindings(rule.get("bindings", []))


def _flow_bindings(bindings: list[dict[str, Any]]) -> None:
    for binding in bindings:
        binding["expression"] = _flow(binding["expression"])


def _readable(plain: Any) -> Any:
    """Mark a campaign's Talang expressions to be written in flow style."""
    ruleset = plain.get("ruleset") if isinstance(plain, dict) else None
    if ruleset:
        _flow_bindings(ruleset.get("bindings", []))
        _flow_rules(ruleset.get("rules", []))
        _flow_rules(ruleset.get("strikethroughRules", []))
    return plain


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format(value, "f")
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


_ExactDumper.add_representer(Decimal, _represent_decimal)
_ExactDumper.add_representer(_Flow, _represent_flow)


def load_directory(root: Path) -> tuple[list[Located], list[FileProblem]]:
    """Every document of every ``.yaml``/``.yml``/``.json`` file under ``root``, in path order;
    a file that does not parse, or a document that does not fit its kind, is a problem."""
    if not root.exists():
        return [], [FileProblem(str(root), "no such file or directory")]
    paths = [root] if root.is_file() else sorted(_config_files(root))
    located: list[Located] = []
    problems: list[FileProblem] = []
    for path in paths:
        name = str(path.relative_to(root)) if root.is_dir() else path.name
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError) as error:
            problems.append(FileProblem(name, f"cannot be read: {error}"))
            continue
        found, bad = load_text(text, name, json=path.suffix == ".json")
        located += found
        problems += bad
    return located, problems


def _config_files(root: Path) -> Iterator[Path]:
    """Configuration files under ``root``, leaving out hidden files and folders (``.git``,
    ``.github``...)."""
    for path in root.rglob("*"):
        hidden = any(part.startswith(".") for part in path.relative_to(root).parts)
        if path.is_file() and path.suffix in SUFFIXES and not hidden:
            yield path


def load_text(text: str, name: str, *, json: bool) -> tuple[list[Located], list[FileProblem]]:
    try:
        raw = _raw_json(text) if json else _raw_yaml(text)
    except (yaml.YAMLError, msgspec.DecodeError) as error:
        return [], [FileProblem(name, f"cannot be read: {error}")]
    located: list[Located] = []
    problems: list[FileProblem] = []
    for index, data in enumerate(raw):
        if data is None and not json:
            continue  # an empty YAML document (a leading ---, or only comments)
        try:
            document = msgspec.convert(data, Document)
        except msgspec.ValidationError as error:
            pointer, details = pointer_of(str(error))
            problems.append(FileProblem(f"{name}#{index}{pointer}", details))
            continue
        located.append(Located(document, name, index))
    return located, problems


def _raw_yaml(text: str) -> list[Any]:
    return list(yaml.load_all(text, Loader=_ExactLoader))


_JSON = msgspec.json.Decoder(float_hook=Decimal)


def _raw_json(text: str) -> list[Any]:
    data = _JSON.decode(text)
    return data if isinstance(data, list) else [data]


def to_plain(document: msgspec.Struct) -> Any:
    """The document as plain data, defaults left out, numbers exact."""
    return msgspec.to_builtins(document, builtin_types=(Decimal,))


def dump_documents(documents: Sequence[msgspec.Struct]) -> str:
    """YAML text of ``documents``, separated by ``---``; stable for the same documents."""
    return yaml.dump_all(
        [_readable(to_plain(document)) for document in documents],
        Dumper=_ExactDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=_UNWRAPPED,
        explicit_start=len(documents) > 1,
    )


def plain_lines(value: Mapping[str, Any] | Sequence[Any]) -> list[str]:
    """``value`` as YAML lines, for showing differences."""
    text = yaml.dump(value, Dumper=_ExactDumper, sort_keys=False, allow_unicode=True, width=100)
    return text.splitlines()
