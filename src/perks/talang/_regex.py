r"""Linear-time regular-expression search for Talang's ``~`` function, in RE2 syntax.

Rules are written by tenants, so a pattern must never be able to hang the process the
way ``(a+)+$`` hangs a backtracking engine. Talon.One evaluates ``~`` with Go's
``regexp`` package (RE2 syntax, ``regexp/syntax`` with its Perl flags), so this module
follows that package's syntax and semantics, on RE2's design:

1. **Parse** the pattern with a parser of our own that follows Go's ``regexp/syntax``
   rule by rule (so what it accepts, and what it rejects, are Go's):

   - literals; escaped punctuation (``\.``, ``\_``); ``\a \f \n \r \t \v``; octal
     ``\0``, ``\012``, ``\12`` (a lone ``\1``..``\9`` is a backreference: rejected);
     hex ``\x41`` and ``\x{10FFFF}``; ``\Q...\E`` literal text (to the end if no ``\E``);
   - ``.`` (not ``\n`` unless ``(?s)``); classes ``[...]`` / ``[^...]`` (a negated class
     matches ``\n``); ``]`` first in a class and ``-`` first or last are literal;
     POSIX classes ``[[:alpha:]]`` / ``[[:^alpha:]]`` (ASCII);
   - Perl classes ``\d \w \s \D \W \S``, ASCII as in RE2: ``\d = [0-9]``,
     ``\w = [0-9A-Za-z_]``, ``\s = [\t\n\f\r ]``;
   - Unicode classes ``\pL \PL \p{Lu} \P{Lu} \p{^Lu} \p{Any}``: the general categories
     Go knows (``C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po
     Ps S Sc Sk Sm So Z Zl Zp Zs``, via :func:`unicodedata.category`). Unicode *scripts*
     (``\p{Greek}``) are rejected;
   - anchors: ``^`` and ``\A`` (start of text), ``$`` and ``\z`` (end of text: ``$`` does
     not match before a final newline), and with ``(?m)`` ``^``/``$`` at line starts and
     ends (after / before ``\n``); ``\b`` and ``\B`` (ASCII word boundary);
   - groups ``(...)``, ``(?:...)``, ``(?P<name>...)``, ``(?<name>...)``; flags
     ``(?flags)`` (to the end of the enclosing group, anywhere in a pattern) and
     ``(?flags:...)``, with ``i`` (case folding, by Unicode simple case folding), ``m``,
     ``s``, ``U`` (ungreedy: no effect on a yes/no search) and ``-`` to clear;
   - ``| * + ? {n} {n,} {n,m}`` and their lazy forms (``*?`` etc., the same for a yes/no
     search); a ``{`` that does not start a valid count (``a{,2}``, ``a{x}``, ``a{01}``)
     is a literal. Counts are at most 1000, also multiplied through nested counted
     repeats (``(a{100}){20}`` is rejected, as in Go); stacked repeats (``a**``, and
     so the possessive ``a++``) are rejected.

   Everything else is a :class:`RegexError`: backreferences, lookaround, conditionals,
   atomic groups, comments ``(?#...)``, ``\Z``, ``\C``, unknown escapes (``\u``, ``\e``...),
   flags other than ``imsU``, unbalanced parentheses or brackets.
2. **Translate** the parse tree into a Thompson NFA: character nodes (each tests one
   character against a predicate: ranges, categories, case folding, negation),
   epsilon splits, zero-width assertions and one match node. Counted repeats are
   unrolled (the NFA is capped at ``_MAX_NFA_STATES`` nodes).
3. **Match** by running the NFA as a DFA built lazily (subset construction on demand).
   A DFA state is the set of NFA nodes waiting for the next character, plus the facts
   the assertions need about the position (at the start? previous char a word char? a
   newline?). Transitions are cached per state keyed by character; on a miss the
   character is reduced to its signature (which atoms it satisfies, whether it is a word
   char or a newline), so all characters alike to the pattern share one subset
   computation.

Guarantees: ``search`` reads each character of the subject once; the work per
character is a dict lookup, or on a cache miss one epsilon closure, which is bounded
by the NFA size. Nothing ever backtracks, so time is ``O(len(text) * len(NFA))`` at
worst. The cache is bounded too: when it would exceed ``MAX_DFA_STATES`` states (or
``_MAX_DFA_WORK`` units of construction work) it is flushed and the search retried
once from empty; a search that overflows a fresh cache raises :class:`RegexError`.
So a result never depends on earlier searches, and a hostile pattern fails fast.

Known differences from Go: Unicode data is Python's (:mod:`unicodedata`), not Go's;
case folding uses orbits derived from Python's case mappings (``str.casefold``, else
``str.lower``), which agree with Unicode simple case folding for practically all
characters; patterns whose NFA exceeds ``_MAX_NFA_STATES`` are rejected where Go
would accept them; Go 1.25's additions to ``\p`` (``\p{Letter}``, ``\p{Cn}``,
``\p{LC}``, loose name matching) are not accepted. Only the standard library is used.
"""

from __future__ import annotations

import threading
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Final, TypeAlias

__all__ = [
    "MAX_DFA_STATES",
    "MAX_PATTERN_LENGTH",
    "MAX_SUBJECT_LENGTH",
    "Pattern",
    "RegexError",
    "compile_pattern",
]

MAX_PATTERN_LENGTH: Final = 1000
MAX_SUBJECT_LENGTH: Final = 100_000
MAX_DFA_STATES: Final = 10_000
_MAX_REPEAT: Final = 1000
_MAX_NFA_STATES: Final = 20_000
# NFA nodes visited by closures plus transitions cached: bounds a cache's time and memory.
_MAX_DFA_WORK: Final = 2_000_000
_MAX_RUNE: Final = 0x10FFFF


class RegexError(ValueError):
    """The pattern is invalid or unsupported, or a subject or automaton is too large."""


class _CacheFull(Exception):
    """The lazy DFA outgrew its budget; the search is retried on a fresh cache."""


# ---------------------------------------------------------------------------------------
# Characters: an atom is a one-character test, described by a hashable value.

_Ranges: TypeAlias = tuple[tuple[int, int], ...]  # sorted, disjoint, inclusive
# A part of a class: (negated, ranges, general categories). A negated part is folded
# before it is negated, as Go does for ``\W`` or ``\P{L}`` under ``(?i)``.
_Part: TypeAlias = tuple[bool, _Ranges, frozenset[str]]
# An atom: (negated, case-folded, parts); it matches when some part does (then negated).
_Atom: TypeAlias = tuple[bool, bool, tuple[_Part, ...]]

_DIGIT: Final[_Ranges] = ((0x30, 0x39),)
_WORD: Final[_Ranges] = ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A))
_SPACE: Final[_Ranges] = ((0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20))
_PERL: Final[dict[str, _Ranges]] = {"d": _DIGIT, "s": _SPACE, "w": _WORD}
_POSIX: Final[dict[str, _Ranges]] = {
    "alnum": ((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)),
    "alpha": ((0x41, 0x5A), (0x61, 0x7A)),
    "ascii": ((0x00, 0x7F),),
    "blank": ((0x09, 0x09), (0x20, 0x20)),
    "cntrl": ((0x00, 0x1F), (0x7F, 0x7F)),
    "digit": _DIGIT,
    "graph": ((0x21, 0x7E),),
    "lower": ((0x61, 0x7A),),
    "print": ((0x20, 0x7E),),
    "punct": ((0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)),
    "space": ((0x09, 0x0D), (0x20, 0x20)),
    "upper": ((0x41, 0x5A),),
    "word": _WORD,
    "xdigit": ((0x30, 0x39), (0x41, 0x46), (0x61, 0x66)),
}
# Go's unicode.Categories: a one-letter category is the union of its two-letter ones
# (Go's C has no Cn: unassigned code points are in no category).
_GENERAL: Final[dict[str, frozenset[str]]] = {
    "C": frozenset({"Cc", "Cf", "Co", "Cs"}),
    "L": frozenset({"Ll", "Lm", "Lo", "Lt", "Lu"}),
    "M": frozenset({"Mc", "Me", "Mn"}),
    "N": frozenset({"Nd", "Nl", "No"}),
    "P": frozenset({"Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps"}),
    "S": frozenset({"Sc", "Sk", "Sm", "So"}),
    "Z": frozenset({"Zl", "Zp", "Zs"}),
}
_CATEGORY: Final = {
    name: frozenset({name}) for names in _GENERAL.values() for name in names
} | _GENERAL
_HEX: Final = frozenset("0123456789abcdefABCDEF")
_OCTAL: Final = frozenset("01234567")
_C_ESCAPES: Final = {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}
_WORD_CHARS: Final = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
_PCRE_FLAGS: Final = frozenset("xnJXaLu")


def _fold_key(char: str) -> str:
    """The character a case-insensitive match compares: its simple case folding."""
    folded = char.casefold()
    if len(folded) == 1:
        return folded
    lower = char.lower()  # full folding would give several characters (ß → ss)
    return lower if len(lower) == 1 else char


@cache
def _orbits() -> dict[str, tuple[str, ...]]:
    """Each cased character's case-folding orbit (``k``: ``k K K``), built once."""
    groups: dict[str, set[str]] = {}
    for code in range(0x1F000):  # no code point above this changes case
        char = chr(code)
        key = _fold_key(char)
        if key != char:
            groups.setdefault(key, {key}).add(char)
    return {char: tuple(sorted(group)) for group in groups.values() for char in group}


def _orbit(char: str) -> tuple[str, ...]:
    return _orbits().get(char) or (char,)


def _in_ranges(ranges: _Ranges, code: int) -> bool:
    index = bisect_right(ranges, (code, _MAX_RUNE + 1)) - 1
    return index >= 0 and ranges[index][1] >= code


def _normalize(ranges: list[tuple[int, int]]) -> _Ranges:
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return tuple(merged)


def _atom_test(atom: _Atom) -> Callable[[str], bool]:
    """The predicate of an atom, for one character."""
    negated, fold, parts = atom

    def test(char: str) -> bool:
        chars = _orbit(char) if fold else (char,)
        for part_negated, ranges, categories in parts:
            inside = any(
                _in_ranges(ranges, ord(c)) or (categories and unicodedata.category(c) in categories)
                for c in chars
            )
            if inside != part_negated:
                return not negated
        return negated

    return test


def _literal(code: int, fold: bool) -> _Atom:
    fold = fold and len(_orbit(chr(code))) > 1  # uncased: share the plain atom
    return (False, fold, ((False, ((code, code),), frozenset()),))


_ANY_BUT_NEWLINE: Final[_Atom] = (True, False, ((False, ((10, 10),), frozenset()),))
_ANY: Final[_Atom] = (False, False, ((False, ((0, _MAX_RUNE),), frozenset()),))

# ---------------------------------------------------------------------------------------
# The parse tree.


@dataclass(frozen=True, slots=True)
class _Char:
    atom: _Atom


@dataclass(frozen=True, slots=True)
class _Assert:
    bit: int


@dataclass(frozen=True, slots=True)
class _Concat:
    items: tuple[_Node, ...]


@dataclass(frozen=True, slots=True)
class _Alt:
    items: tuple[_Node, ...]


@dataclass(frozen=True, slots=True)
class _Repeat:
    low: int
    high: int | None  # None: unbounded
    counted: bool  # written with {}: Go's nested-count check applies
    body: _Node


_Node: TypeAlias = _Char | _Assert | _Concat | _Alt | _Repeat

# Zero-width assertions, as bits of a context mask; an assertion node needs its bit.
_BEGIN_TEXT, _END_TEXT, _BEGIN_LINE, _END_LINE, _BOUNDARY, _NON_BOUNDARY = (
    1 << i for i in range(6)
)
_WORD_ASSERTIONS: Final = _BOUNDARY | _NON_BOUNDARY
_LINE_ASSERTIONS: Final = _BEGIN_LINE | _END_LINE

# Parser flags.
_FOLD, _MULTI_LINE, _DOT_NL = 1, 2, 4
_FLAG_BITS: Final = {"i": _FOLD, "m": _MULTI_LINE, "s": _DOT_NL, "U": 0}


def _sequence(items: list[_Node]) -> _Node:
    return items[0] if len(items) == 1 else _Concat(tuple(items))


def _alternation(branches: list[_Node]) -> _Node:
    return branches[0] if len(branches) == 1 else _Alt(tuple(branches))


def _repeat_is_valid(node: _Node, budget: int) -> bool:
    """Go's check: nested counted repeats multiply to at most 1000 copies."""
    if isinstance(node, _Repeat):
        if node.counted:
            count = node.low if node.high is None else node.high
            if node.high == 0:
                return True
            if count > budget:
                return False
            if count > 0:
                budget //= count
        return _repeat_is_valid(node.body, budget)
    if isinstance(node, _Concat | _Alt):
        return all(_repeat_is_valid(item, budget) for item in node.items)
    return True


class _Parser:
    """Go's ``regexp/syntax`` parser with the Perl flags, for one pattern."""

    def __init__(self, pattern: str) -> None:
        self.text = pattern
        self.flags = 0
        # Enclosing groups: the flags to restore, and their branches and items so far.
        self.groups: list[tuple[int, list[_Node], list[_Node]]] = []
        self.branches: list[_Node] = []  # of the innermost open group (or the pattern)
        self.items: list[_Node] = []  # of its current branch

    def parse(self) -> _Node:
        text, end = self.text, len(self.text)
        last_repeat = -1  # where the previous token started, if it was a repeat
        i = 0
        while i < end:
            char = text[i]
            if char in "*+?" or (char == "{" and self.count(i) is not None):
                i, last_repeat = self.repeat(i, last_repeat), i
                continue
            last_repeat = -1
            if char == "(":
                i = self.open_group(i)
            elif char == "|":
                self.branches.append(_sequence(self.items))
                self.items = []
                i += 1
            elif char == ")":
                if not self.groups:
                    raise RegexError(f"unexpected ): `{text}`")
                node = _alternation([*self.branches, _sequence(self.items)])
                self.flags, self.branches, self.items = self.groups.pop()
                self.items.append(node)
                i += 1
            elif char == "[":
                atom, i = self.char_class(i)
                self.items.append(_Char(atom))
            elif char == "\\":
                i = self.escape(i)
            else:
                self.items.append(self.simple(char))
                i += 1
        if self.groups:
            raise RegexError(f"missing closing ): `{text}`")
        return _alternation([*self.branches, _sequence(self.items)])

    def simple(self, char: str) -> _Node:
        """The node of a one-character token: an anchor, a dot or a literal."""
        multi_line = self.flags & _MULTI_LINE
        if char == "^":
            return _Assert(_BEGIN_LINE if multi_line else _BEGIN_TEXT)
        if char == "$":
            return _Assert(_END_LINE if multi_line else _END_TEXT)
        if char == ".":
            return _Char(_ANY if self.flags & _DOT_NL else _ANY_BUT_NEWLINE)
        return _Char(_literal(ord(char), bool(self.flags & _FOLD)))

    def open_group(self, i: int) -> int:
        flags, end = self.flags, i + 1
        if self.text.startswith("(?", i):
            end, opens, flags = self.perl_group(i)
            if not opens:  # (?flags): to the end of the enclosing group
                self.flags = flags
                return end
        self.groups.append((self.flags, self.branches, self.items))
        self.branches, self.items, self.flags = [], [], flags
        return end

    def count(self, i: int) -> tuple[int, int | None, int] | None:
        """``{n}``, ``{n,}`` or ``{n,m}`` at ``i``: (min, max, end); None: a literal ``{``."""
        text = self.text
        low, j = self.integer(i + 1)
        if low is None or j >= len(text):
            return None
        high: int | None = low
        if text[j] == ",":
            j += 1
            if j < len(text) and text[j] == "}":
                high = None
            else:
                high, j = self.integer(j)
                if high is None:
                    return None
        if j >= len(text) or text[j] != "}":
            return None
        return low, high, j + 1

    def integer(self, i: int) -> tuple[int | None, int]:
        text, j = self.text, i
        while j < len(text) and "0" <= text[j] <= "9":
            j += 1
        if j == i or (j - i > 1 and text[i] == "0"):  # no digits, or a leading zero
            return None, i
        return int(text[i:j]), j

    def repeat(self, i: int, last_repeat: int) -> int:
        text, items = self.text, self.items
        if text[i] == "{":
            counted = self.count(i)
            assert counted is not None
            low, high, j = counted
            if low > _MAX_REPEAT or (high is not None and (high > _MAX_REPEAT or high < low)):
                raise RegexError(
                    f"invalid repeat count: `{text[i:j]}` (counts are 0 to {_MAX_REPEAT}, "
                    "min before max)"
                )
        else:
            low, high = {"*": (0, None), "+": (1, None), "?": (0, 1)}[text[i]]
            j = i + 1
        if j < len(text) and text[j] == "?":  # lazy: the same for a yes/no search
            j += 1
        if last_repeat >= 0:
            hint = " (possessive quantifiers are not supported)" if text[i] == "+" else ""
            raise RegexError(f"invalid nested repetition operator: `{text[last_repeat:j]}`{hint}")
        if not items:
            raise RegexError(f"missing argument to repetition operator: `{text[i:j]}`")
        node = _Repeat(low, high, text[i] == "{", items.pop())
        nested = node.counted and max(low, high or 0) > 1  # Go checks only these
        if nested and not _repeat_is_valid(node, _MAX_REPEAT):
            raise RegexError(
                f"invalid repeat count: `{text[i:j]}` (nested counted repeats multiply to "
                f"more than {_MAX_REPEAT})"
            )
        items.append(node)
        return j

    def perl_group(self, i: int) -> tuple[int, bool, int]:
        """``(?`` at ``i``: (end, whether it opens a group, the flags from here on)."""
        text = self.text
        rest = text[i + 2 :]
        for prefix, what in (
            ("=", "lookahead (?=...) is not supported"),
            ("!", "negative lookahead (?!...) is not supported"),
            ("<=", "lookbehind (?<=...) is not supported"),
            ("<!", "negative lookbehind (?<!...) is not supported"),
            (">", "atomic groups (?>...) are not supported"),
            ("(", "conditionals (?(...)...) are not supported"),
            ("#", "comments (?#...) are not supported"),
            ("P=", "backreferences (?P=name) are not supported"),
        ):
            if rest.startswith(prefix):
                raise RegexError(what)
        if rest.startswith("P<") or rest.startswith("<"):
            start = i + (4 if rest.startswith("P<") else 3)
            close = text.find(">", start)
            name = text[start:close] if close >= 0 else ""
            if close < 0 or not name or not all(c in _WORD_CHARS for c in name):
                shown = text[i : close + 1] if close >= 0 else text[i:]
                raise RegexError(f"invalid named capture: `{shown}`")
            return close + 1, True, self.flags
        flags, negate, seen = self.flags, False, False
        j = i + 2
        while j < len(text):
            char = text[j]
            j += 1
            if char in _FLAG_BITS:
                flags = flags & ~_FLAG_BITS[char] if negate else flags | _FLAG_BITS[char]
                seen = True
            elif char == "-" and not negate:
                negate, seen = True, False
            elif char in ":)" and (seen or not negate):
                return j, char == ":", flags
            else:
                if char in _PCRE_FLAGS:
                    raise RegexError(
                        f"unsupported flag {char!r} in `{text[i:j]}` (RE2 has i, m, s and U)"
                    )
                break
        raise RegexError(f"invalid or unsupported Perl syntax: `{text[i:j]}`")

    def escape(self, i: int) -> int:
        """An escape outside a class at ``i``: appends its node, returns its end."""
        text, items = self.text, self.items
        kind = text[i + 1 : i + 2]
        fold = bool(self.flags & _FOLD)
        assertion = {"A": _BEGIN_TEXT, "z": _END_TEXT, "b": _BOUNDARY, "B": _NON_BOUNDARY}
        if kind in assertion:
            items.append(_Assert(assertion[kind]))
            return i + 2
        if kind == "Q":
            close = text.find("\\E", i + 2)
            literal = text[i + 2 :] if close < 0 else text[i + 2 : close]
            items.extend(_Char(_literal(ord(char), fold)) for char in literal)
            return len(text) if close < 0 else close + 2
        if kind == "C":
            raise RegexError("\\C (any byte) is not supported")
        part, j = self.group(i)
        if part is not None:
            items.append(_Char((False, fold, (part,))))
            return j
        code, j = self.single(i)
        items.append(_Char(_literal(code, fold)))
        return j

    def group(self, i: int) -> tuple[_Part | None, int]:
        r"""A Perl (``\d``) or Unicode (``\pL``) class escape at ``i``, if there is one."""
        text = self.text
        kind = text[i + 1 : i + 2]
        if kind and kind.lower() in _PERL:
            return (kind.isupper(), _PERL[kind.lower()], frozenset()), i + 2
        if kind not in ("p", "P"):
            return None, i
        negated = kind == "P"
        if i + 2 >= len(text):
            raise RegexError(f"invalid character class range: `{text[i:]}`")
        if text[i + 2] == "{":
            close = text.find("}", i + 2)
            if close < 0:
                raise RegexError(f"invalid character class range: `{text[i:]}` (missing }})")
            name, end = text[i + 3 : close], close + 1
        else:
            name, end = text[i + 2], i + 3
        if name.startswith("^"):
            negated, name = not negated, name[1:]
        if name == "Any":
            return (negated, ((0, _MAX_RUNE),), frozenset()), end
        if name not in _CATEGORY:
            raise RegexError(
                f"unsupported Unicode class `{text[i:end]}`: Unicode scripts are not supported; "
                "use a general category such as \\pL, \\p{Lu} or \\p{Nd}"
            )
        return (negated, (), _CATEGORY[name]), end

    def single(self, i: int) -> tuple[int, int]:
        """A one-character escape at ``i`` (Go's parseEscape): (code point, end)."""
        text, end = self.text, len(self.text)
        if i + 1 >= end:
            raise RegexError("trailing backslash at end of expression")
        char, j = text[i + 1], i + 2
        if char == "0" or (char in "1234567" and j < end and text[j] in _OCTAL):
            while j < min(i + 4, end) and text[j] in _OCTAL:  # up to three digits
                j += 1
            return int(text[i + 1 : j], 8), j
        if char in "123456789":
            raise RegexError(f"backreferences are not supported: `{text[i:j]}`")
        if char == "x":
            shown = text[i : j + 3]
            if text.startswith("{", j):
                close = text.find("}", j)
                digits = text[j + 1 : close] if close >= 0 else ""
                if digits and all(c in _HEX for c in digits) and int(digits, 16) <= _MAX_RUNE:
                    return int(digits, 16), close + 1
                shown = text[i : close + 1] if close >= 0 else text[i:]
            elif all(c in _HEX for c in text[j : j + 2]) and j + 2 <= end:
                return int(text[j : j + 2], 16), j + 2
            raise RegexError(f"invalid escape sequence: `{shown}`")
        if char in _C_ESCAPES:
            return _C_ESCAPES[char], j
        if char.isascii() and not char.isalnum():
            return ord(char), j
        if char == "Z":
            raise RegexError("\\Z is not supported: RE2 writes the end of the text \\z")
        raise RegexError(f"invalid escape sequence: `{text[i:j]}`")

    def char_class(self, i: int) -> tuple[_Atom, int]:
        """A bracketed class at ``i`` (Go's parseClass): (its atom, its end)."""
        text, end = self.text, len(self.text)
        j = i + 1
        negated = text.startswith("^", j)
        j += negated
        ranges: list[tuple[int, int]] = []
        categories: set[str] = set()
        parts: list[_Part] = []

        def add(part: _Part) -> None:
            if part[0]:
                parts.append(part)
            else:
                ranges.extend(part[1])
                categories.update(part[2])

        first = True
        while j >= end or text[j] != "]" or first:
            if j >= end:
                raise RegexError(f"missing closing ]: `{text[i:]}`")
            first = False
            if text.startswith("[:", j) and (close := text.find(":]", j + 2)) >= 0:
                name = text[j + 2 : close]
                posix = _POSIX.get(name.removeprefix("^"))
                if posix is None:
                    raise RegexError(f"invalid character class range: `{text[j : close + 2]}`")
                add((name.startswith("^"), posix, frozenset()))
                j = close + 2
                continue
            if text[j] == "\\":
                part, k = self.group(j)
                if part is not None:
                    add(part)
                    j = k
                    continue
            start = j
            low, j = self.class_char(j)
            high = low
            if j + 1 < end and text[j] == "-" and text[j + 1] != "]":
                high, j = self.class_char(j + 1)
                if high < low:
                    raise RegexError(f"invalid character class range: `{text[start:j]}`")
            ranges.append((low, high))
        if ranges or categories:
            parts.insert(0, (False, _normalize(ranges), frozenset(categories)))
        return (negated, bool(self.flags & _FOLD), tuple(parts)), j + 1

    def class_char(self, j: int) -> tuple[int, int]:
        """A class character or range end at ``j`` (the caller checked there is one)."""
        if self.text[j] == "\\":
            return self.single(j)
        return ord(self.text[j]), j + 1


# ---------------------------------------------------------------------------------------
# The NFA.

# NFA node kinds.
_CHAR, _SPLIT, _ASSERT, _MATCH = range(4)

# DFA state flags: facts about the position that assertions may ask about.
_STATE_AT_START, _STATE_PREV_WORD, _STATE_PREV_NEWLINE = 1, 2, 4
_FOUND: Final = -1  # a transition target meaning "the pattern matched here"


class _Nfa:
    """A Thompson NFA in parallel lists, plus the single-character atoms it tests."""

    __slots__ = (
        "_atom_ids",
        "args",
        "assertions",
        "atoms",
        "kinds",
        "newline_bit",
        "outs",
        "start",
        "word_bit",
    )

    def __init__(self) -> None:
        self.kinds: list[int] = []
        self.args: list[int] = []  # atom index of a _CHAR node; context bit of an _ASSERT
        self.outs: list[list[int]] = []
        self.atoms: list[Callable[[str], bool]] = []
        self.start = 0
        self.assertions = 0  # the assertion bits the pattern uses
        self.word_bit = 0  # signature bit "is a word char", set only if \b or \B is used
        self.newline_bit = 0  # signature bit "is \n", set only if (?m) ^ or $ is used
        self._atom_ids: dict[_Atom, int] = {}

    def add(self, kind: int, arg: int, outs: list[int]) -> int:
        if len(self.kinds) >= _MAX_NFA_STATES:
            raise RegexError(f"pattern is too large: more than {_MAX_NFA_STATES} NFA states")
        self.kinds.append(kind)
        self.args.append(arg)
        self.outs.append(outs)
        return len(self.kinds) - 1

    def atom(self, atom: _Atom) -> int:
        """Index of the one-character test of ``atom``, shared by equal atoms."""
        index = self._atom_ids.get(atom)
        if index is None:
            index = self._atom_ids[atom] = len(self.atoms)
            self.atoms.append(_atom_test(atom))
        return index


class _Builder:
    """Translates a parse tree into an NFA, back to front: each call gets its successor."""

    def __init__(self, nfa: _Nfa) -> None:
        self.nfa = nfa

    def node(self, node: _Node, out: int) -> int:
        nfa = self.nfa
        if isinstance(node, _Char):
            return nfa.add(_CHAR, nfa.atom(node.atom), [out])
        if isinstance(node, _Assert):
            nfa.assertions |= node.bit
            return nfa.add(_ASSERT, node.bit, [out])
        if isinstance(node, _Concat):
            for item in reversed(node.items):
                out = self.node(item, out)
            return out
        if isinstance(node, _Alt):
            return nfa.add(_SPLIT, 0, [self.node(branch, out) for branch in node.items])
        return self.repeat(node.low, node.high, node.body, out)

    def repeat(self, low: int, high: int | None, body: _Node, out: int) -> int:
        nfa = self.nfa
        if high is None:  # body* : a split looping back through the body
            entry = nfa.add(_SPLIT, 0, [])
            nfa.outs[entry] += [self.node(body, entry), out]
        else:  # (high - low) nested optional copies: body(body(body)?)?
            entry = out
            for _ in range(high - low):
                entry = nfa.add(_SPLIT, 0, [self.node(body, entry), out])
        for _ in range(low):  # then the mandatory copies in front
            entry = self.node(body, entry)
        return entry


def _build_nfa(pattern: str) -> _Nfa:
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise RegexError(f"pattern is longer than {MAX_PATTERN_LENGTH} characters")
    nfa = _Nfa()
    try:
        tree = _Parser(pattern).parse()
        nfa.start = _Builder(nfa).node(tree, nfa.add(_MATCH, 0, []))
    except RecursionError:
        raise RegexError("pattern is nested too deeply") from None
    if nfa.assertions & _WORD_ASSERTIONS:
        nfa.word_bit = 1 << len(nfa.atoms)
    if nfa.assertions & _LINE_ASSERTIONS:
        nfa.newline_bit = 1 << (len(nfa.atoms) + 1)
    return nfa


# ---------------------------------------------------------------------------------------
# The lazy DFA.


class _Dfa:
    """The lazily built DFA of one NFA: a cache that only grows, up to its budget."""

    def __init__(self, nfa: _Nfa) -> None:
        self._nfa = nfa
        self._kernels: list[frozenset[int]] = []  # NFA nodes entered by the last character
        self._flags: list[int] = []
        self._flag_mask = (
            _STATE_AT_START
            | (_STATE_PREV_WORD if nfa.word_bit else 0)
            | (_STATE_PREV_NEWLINE if nfa.newline_bit else 0)
        )
        self._ids: dict[tuple[frozenset[int], int], int] = {}
        self._rows: list[dict[str, int]] = []  # transitions keyed by character
        self._by_signature: list[dict[int, int]] = []  # the same, keyed by signature
        self._accepts_at_end: dict[int, bool] = {}
        self._signatures: dict[str, int] = {}
        self._lock = threading.Lock()  # guards cache misses; hits are lock-free reads
        self.work = 0
        self._initial = self._intern(frozenset(), _STATE_AT_START)

    def search(self, text: str) -> bool:
        state = self._initial
        rows = self._rows
        for char in text:
            target = rows[state].get(char)
            if target is None:
                target = self._miss(state, char)
            if target == _FOUND:
                return True
            state = target
        return self._accepts(state)

    def _miss(self, state: int, char: str) -> int:
        with self._lock:
            self._charge(1)
            signature = self._signature(char)
            target = self._by_signature[state].get(signature)
            if target is None:
                target = self._step(state, signature)
                self._by_signature[state][signature] = target
            self._rows[state][char] = target
            return target

    def _signature(self, char: str) -> int:
        """Bit i set when the char satisfies atom i (plus the word and newline bits)."""
        signature = self._signatures.get(char)
        if signature is None:
            nfa = self._nfa
            signature = sum(1 << i for i, atom in enumerate(nfa.atoms) if atom(char))
            if char in _WORD_CHARS:
                signature |= nfa.word_bit
            if char == "\n":
                signature |= nfa.newline_bit
            self._signatures[char] = signature
        return signature

    def _step(self, state: int, signature: int) -> int:
        """Consume one character of ``signature``: the next state, or ``_FOUND``."""
        nfa = self._nfa
        next_word = bool(signature & nfa.word_bit)
        next_newline = bool(signature & nfa.newline_bit)
        context = self._context(state, next_word) | (_END_LINE if next_newline else 0)
        chars, matched = self._closure(state, context)
        if matched:
            return _FOUND
        kernel = frozenset(nfa.outs[s][0] for s in chars if signature >> nfa.args[s] & 1)
        flags = (_STATE_PREV_WORD if next_word else 0) | (
            _STATE_PREV_NEWLINE if next_newline else 0
        )
        return self._intern(kernel, flags)

    def _accepts(self, state: int) -> bool:
        """Whether the pattern matches at the end of the subject, from ``state``."""
        accepts = self._accepts_at_end.get(state)
        if accepts is None:
            with self._lock:
                context = self._context(state, next_word=False) | _END_TEXT | _END_LINE
                accepts = self._accepts_at_end[state] = self._closure(state, context)[1]
        return accepts

    def _context(self, state: int, next_word: bool) -> int:
        """The assertions that hold before the next character (not counting line ends)."""
        flags = self._flags[state]
        context = (_BEGIN_TEXT | _BEGIN_LINE) if flags & _STATE_AT_START else 0
        if flags & _STATE_PREV_NEWLINE:
            context |= _BEGIN_LINE
        prev_word = bool(flags & _STATE_PREV_WORD)
        return context | (_BOUNDARY if prev_word != next_word else _NON_BOUNDARY)

    def _closure(self, state: int, context: int) -> tuple[list[int], bool]:
        """Character nodes reachable by epsilon moves, and whether the match node is."""
        nfa = self._nfa
        kinds, args, outs = nfa.kinds, nfa.args, nfa.outs
        # Unanchored search: a new match attempt may start at every position.
        stack = [*self._kernels[state], nfa.start]
        seen: set[int] = set()
        chars: list[int] = []
        matched = False
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            kind = kinds[node]
            if kind == _CHAR:
                chars.append(node)
            elif kind == _MATCH:
                matched = True
            elif kind == _SPLIT or context & args[node]:  # an assertion that holds
                stack.extend(outs[node])
        self._charge(len(seen))
        return chars, matched

    def _intern(self, kernel: frozenset[int], flags: int) -> int:
        key = (kernel, flags & self._flag_mask)
        state = self._ids.get(key)
        if state is None:
            if len(self._kernels) >= MAX_DFA_STATES:
                raise _CacheFull(f"its automaton needs more than {MAX_DFA_STATES} states")
            state = self._ids[key] = len(self._kernels)
            self._kernels.append(kernel)
            self._flags.append(key[1])
            self._rows.append({})
            self._by_signature.append({})
        return state

    def _charge(self, work: int) -> None:
        self.work += work
        if self.work > _MAX_DFA_WORK:
            raise _CacheFull(f"its automaton needs more than {_MAX_DFA_WORK} steps to build")


class Pattern:
    """A compiled pattern; immutable apart from its DFA cache. Safe to share across threads."""

    __slots__ = ("_dfa", "_nfa", "_source")

    def __init__(self, source: str, nfa: _Nfa) -> None:
        self._source = source
        self._nfa = nfa
        self._dfa = _Dfa(nfa)

    @property
    def source(self) -> str:
        return self._source

    def __repr__(self) -> str:
        return f"Pattern({self._source!r})"

    def search(self, text: str) -> bool:
        """Whether the pattern matches anywhere in ``text`` (Go's ``MatchString``)."""
        if len(text) > MAX_SUBJECT_LENGTH:
            raise RegexError(f"subject is longer than {MAX_SUBJECT_LENGTH} characters")
        dfa = self._dfa
        if dfa.work:  # a used cache may be nearly full: on overflow, retry on a fresh one
            try:
                return dfa.search(text)
            except _CacheFull:
                dfa = self._dfa = _Dfa(self._nfa)
        try:
            return dfa.search(text)
        except _CacheFull as full:
            raise RegexError(f"pattern {self._source!r} is too complex: {full}") from None


def compile_pattern(pattern: str) -> Pattern:
    """Parse and translate ``pattern``; raises :class:`RegexError` if it is unsupported."""
    return Pattern(pattern, _build_nfa(pattern))
