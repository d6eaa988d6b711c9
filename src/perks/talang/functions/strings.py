"""Strings: contains, notContains, startsWith, endsWith, ~ (regex), split, join, toString,
firstName, lastName, concat. The first argument is the subject: ["contains", s, "x"]."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from perks.talang._regex import Pattern, RegexError, compile_pattern
from perks.talang.errors import TalangLimitError, TalangRuntimeError, TalangTypeError
from perks.talang.kinds import Kind, kind_of, to_text
from perks.talang.registry import FunctionRegistry
from perks.talang.runtime import MAX_LIST_LENGTH, MAX_STRING_LENGTH, Context

__all__ = ["register"]

FAMILY = "strings"
_S = Kind.STRING
_PATTERN_CACHE_SIZE = 256


class _Patterns:
    """Compiled patterns, shared by all evaluations (patterns are immutable)."""

    def __init__(self) -> None:
        self._cache: OrderedDict[str, Pattern] = OrderedDict()

    def get(self, source: str) -> Pattern:
        pattern = self._cache.get(source)
        if pattern is None:
            try:
                pattern = compile_pattern(source)
            except RegexError as error:
                raise TalangRuntimeError(f"invalid pattern: {error}") from None
            self._cache[source] = pattern
            if len(self._cache) > _PATTERN_CACHE_SIZE:
                self._cache.popitem(last=False)
        return pattern

    def search(self, source: str, subject: str) -> bool:
        """Whether ``source`` matches in ``subject``: a bad pattern is a runtime error, a
        subject or an automaton beyond the regex limits a limit error."""
        pattern = self.get(source)
        try:
            return bool(pattern.search(subject))
        except RegexError as error:
            raise TalangLimitError(str(error)) from None


def _subject_test(
    registry: FunctionRegistry,
    name: str,
    test: Callable[[str, str], bool],
    doc: str,
    examples: tuple[tuple[object, object], ...],
) -> None:
    """A test of the subject (the first string) that every later string must pass."""

    @registry.function(
        name, (_S, _S, _S), Kind.BOOLEAN, variadic=True, family=FAMILY, doc=doc, examples=examples
    )
    def subject_test(_: Context, subject: str, *others: str) -> bool:
        if len(others) == 1:  # the usual call, without a generator
            return test(subject, others[0])
        return all(test(subject, other) for other in others)


def register(registry: FunctionRegistry) -> None:
    patterns = _Patterns()
    _subject_test(
        registry,
        "contains",
        lambda subject, part: part in subject,
        "True when the first string contains every later one (an empty string is in every string).",
        ((["contains", "Hello World", "World"], True), (["contains", "abc", "a", "x"], False)),
    )
    _subject_test(
        registry,
        "notContains",
        lambda subject, part: part not in subject,
        "True when the first string contains none of the later ones.",
        ((["notContains", "Hello", "x", "y"], True), (["notContains", "Hello", "x", "H"], False)),
    )
    _subject_test(
        registry,
        "startsWith",
        str.startswith,
        "True when the first string starts with every later one.",
        ((["startsWith", "SKU-123", "SKU-"], True), (["startsWith", "SKU-123", "123"], False)),
    )
    _subject_test(
        registry,
        "endsWith",
        str.endswith,
        "True when the first string ends with every later one.",
        ((["endsWith", "SKU-123", "123"], True),),
    )
    _subject_test(
        registry,
        "~",
        patterns.search,
        "True when the regular expression (first) matches somewhere in every later string. "
        "RE2 syntax: no backreferences or lookarounds; matching takes linear time.",
        ((["~", "^[A-Z]+-[0-9]+$", "SKU-123"], True), (["~", "^a", "ba"], False)),
    )

    @registry.function(
        "split",
        (_S, _S),
        Kind.LIST,
        family=FAMILY,
        doc="The parts of the first string between occurrences of the separator; an empty "
        "separator splits it into its characters (as Go's strings.Split).",
        examples=(
            (["split", "a,b,,c", ","], ["a", "b", "", "c"]),
            (["split", "héé", ""], ["h", "é", "é"]),
        ),
    )
    def split(_: Context, text: str, separator: str) -> list[str]:
        parts = len(text) if not separator else text.count(separator) + 1
        if parts > MAX_LIST_LENGTH:
            raise TalangLimitError(f"lists hold at most {MAX_LIST_LENGTH} items")
        return list(text) if not separator else text.split(separator)

    @registry.function(
        "join",
        (Kind.LIST, _S),
        _S,
        family=FAMILY,
        doc="The atoms of the list in their string forms, with the separator between them.",
        examples=((["join", ["list", "a", 1, True], "-"], "a-1-true"),),
    )
    def join(_: Context, items: list[object], separator: str) -> str:
        if any(kind_of(item) & Kind.COLLECTION for item in items):
            raise TalangTypeError("join takes a list of atoms")
        text = separator.join(to_text(item) for item in items)
        if len(text) > MAX_STRING_LENGTH:
            raise TalangLimitError(f"strings hold at most {MAX_STRING_LENGTH} characters")
        return text

    @registry.function(
        "concat",
        (_S,),
        _S,
        variadic=True,
        family=FAMILY,
        doc="The strings joined end to end (the same as + on strings).",
        examples=((["concat", "a", "b", "c"], "abc"),),
    )
    def concat(_: Context, *parts: str) -> str:
        if sum(len(part) for part in parts) > MAX_STRING_LENGTH:
            raise TalangLimitError(f"strings hold at most {MAX_STRING_LENGTH} characters")
        return "".join(parts)

    @registry.function(
        "toString",
        (Kind.DECIMAL | Kind.STRING | Kind.BOOLEAN | Kind.TIME,),
        _S,
        family=FAMILY,
        doc="The string form of an atom: numbers without trailing zeros, times in RFC 3339 UTC.",
        examples=(
            (["toString", 2.50], "2.5"),
            (["toString", True], "true"),
            (["toString", ["parseTime", "2026-01-02T03:04:05+01:00"]], "2026-01-02T02:04:05Z"),
        ),
    )
    def to_string(_: Context, value: object) -> str:
        return to_text(value)

    @registry.function(
        "firstName",
        (_S,),
        _S,
        family=FAMILY,
        doc='The first word of a name ("" for a blank one).',
        examples=((["firstName", "Ada  Lovelace"], "Ada"), (["firstName", ""], "")),
    )
    def first_name(_: Context, name: str) -> str:
        words = name.split()
        return words[0] if words else ""

    @registry.function(
        "lastName",
        (_S,),
        _S,
        family=FAMILY,
        doc='The last word of a name of two or more words, else "".',
        examples=((["lastName", "Ada King Lovelace"], "Lovelace"), (["lastName", "Ada"], "")),
    )
    def last_name(_: Context, name: str) -> str:
        words = name.split()
        return words[-1] if len(words) > 1 else ""
