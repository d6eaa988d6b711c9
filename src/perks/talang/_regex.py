"""Linear-time regular-expression search for Talang's ``~`` function.

Rules are written by tenants, so a pattern must never be able to hang the process the
way ``(a+)+$`` hangs a backtracking engine. This module follows RE2's design:

1. **Parse** with the standard library's own parser (``re._parser``), so the accepted
   syntax and its errors are exactly Python's. Constructs that need backtracking
   (backreferences, lookaround, conditionals, atomic groups, possessive repeats) are
   rejected with :class:`RegexError`, as are inline flags other than a leading ``(?i)``.
2. **Translate** the parse tree into a Thompson NFA: character nodes, epsilon splits,
   zero-width assertions (``^ $ \\A \\Z \\b \\B``) and one match node. Counted repeats
   are unrolled (counts are capped at 1000 and the NFA at ``_MAX_NFA_STATES``).
3. **Match** by running the NFA as a DFA built lazily (subset construction on demand).
   A DFA state is the set of NFA nodes waiting for the next character, plus the two
   facts the assertions need about the position (at the start? previous char a word
   char?). Transitions are cached per state keyed by character; on a miss the
   character is reduced to its signature (which atoms it satisfies), so all
   characters alike to the pattern share one subset computation.

Guarantees: ``search`` reads each character of the subject once; the work per
character is a dict lookup, or on a cache miss one epsilon closure, which is bounded
by the NFA size. Nothing ever backtracks, so time is ``O(len(text) * len(NFA))`` at
worst. The cache is bounded too: when it would exceed ``MAX_DFA_STATES`` states (or
``_MAX_DFA_WORK`` units of construction work) it is flushed and the search retried
once from empty; a search that overflows a fresh cache raises :class:`RegexError`.
So a result never depends on earlier searches, and a hostile pattern fails fast.

Character semantics are Python's (``\\d \\w \\s`` are Unicode-aware, ``.`` does not
match ``\\n``, ``(?i)`` folds case like ``re``): each single-character atom is checked
by ``re`` itself, compiled from that atom alone. An atom matches exactly one character
and contains no repetition, so ``re`` cannot backtrack on it.

One deliberate difference from Python before 3.14: ``\\B`` matches the empty string,
as in RE2 and Python 3.14+.
"""

from __future__ import annotations

import importlib
import re
import threading
from collections.abc import Callable
from typing import Any, Final

__all__ = [
    "MAX_DFA_STATES",
    "MAX_PATTERN_LENGTH",
    "MAX_SUBJECT_LENGTH",
    "Pattern",
    "RegexError",
    "compile_pattern",
]

# ``re._parser`` is the parser ``re`` itself uses (``sre_parse``, which warns on import
# since 3.11, is its deprecated alias). Imported by name because typeshed has no stub.
_parser: Any = importlib.import_module("re._parser")

MAX_PATTERN_LENGTH: Final = 1000
MAX_SUBJECT_LENGTH: Final = 100_000
MAX_DFA_STATES: Final = 10_000
_MAX_REPEAT: Final = 1000
_MAX_NFA_STATES: Final = 20_000
# NFA nodes visited by closures plus transitions cached: bounds a cache's time and memory.
_MAX_DFA_WORK: Final = 2_000_000
_ALLOWED_FLAGS: Final = re.UNICODE | re.IGNORECASE


class RegexError(ValueError):
    """The pattern is invalid or unsupported, or a subject or automaton is too large."""


class _CacheFull(Exception):
    """The lazy DFA outgrew its budget; the search is retried on a fresh cache."""


# NFA node kinds.
_CHAR, _SPLIT, _ASSERT, _MATCH = range(4)

# What holds at a position, as bits of a context mask; an assertion node needs its bit.
_AT_START, _AT_END, _AT_DOLLAR, _AT_BOUNDARY, _AT_NON_BOUNDARY = (1 << i for i in range(5))
_ASSERTIONS: Final = {
    "AT_BEGINNING": _AT_START,  # ``^`` without MULTILINE
    "AT_BEGINNING_STRING": _AT_START,  # ``\A``
    "AT_END": _AT_DOLLAR,  # ``$``: at the end or before a final newline
    "AT_END_STRING": _AT_END,  # ``\Z``
    "AT_BOUNDARY": _AT_BOUNDARY,  # ``\b``
    "AT_NON_BOUNDARY": _AT_NON_BOUNDARY,  # ``\B``
}
_CATEGORIES: Final = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}
_REJECTED: Final = {
    "GROUPREF": "backreferences are not supported",
    "GROUPREF_EXISTS": "conditionals (?(...)...) are not supported",
    "ASSERT": "lookahead and lookbehind are not supported",
    "ASSERT_NOT": "lookahead and lookbehind are not supported",
    "ATOMIC_GROUP": "atomic groups (?>...) are not supported",
    "POSSESSIVE_REPEAT": "possessive quantifiers are not supported",
}
_ATOMS: Final = frozenset({"LITERAL", "NOT_LITERAL", "ANY", "IN"})

# DFA state flags: facts about the position that assertions may ask about.
_STATE_AT_START, _STATE_PREV_WORD = 1, 2
_FOUND: Final = -1  # a transition target meaning "the pattern matched here"

_is_word_char: Final = re.compile(r"\w").fullmatch


class _Nfa:
    """A Thompson NFA in parallel lists, plus the single-character atoms it tests."""

    __slots__ = (
        "_atom_ids",
        "_flags",
        "args",
        "atoms",
        "kinds",
        "outs",
        "start",
        "uses_dollar",
        "word_bit",
    )

    def __init__(self, ignore_case: bool) -> None:
        self.kinds: list[int] = []
        self.args: list[int] = []  # atom index of a _CHAR node; context bit of an _ASSERT
        self.outs: list[list[int]] = []
        self.atoms: list[Callable[[str], object]] = []
        self.start = 0
        self.uses_dollar = False  # only then does a final newline need special handling
        self.word_bit = 0  # signature bit for "is a word char", set only if \b or \B is used
        self._flags = re.IGNORECASE if ignore_case else 0
        self._atom_ids: dict[str, int] = {}

    def add(self, kind: int, arg: int, outs: list[int]) -> int:
        if len(self.kinds) >= _MAX_NFA_STATES:
            raise RegexError(f"pattern is too large: more than {_MAX_NFA_STATES} NFA states")
        self.kinds.append(kind)
        self.args.append(arg)
        self.outs.append(outs)
        return len(self.kinds) - 1

    def atom(self, source: str) -> int:
        """Index of the one-character test for ``source``, shared by equal atoms."""
        index = self._atom_ids.get(source)
        if index is None:
            index = self._atom_ids[source] = len(self.atoms)
            self.atoms.append(re.compile(source, self._flags).fullmatch)
        return index


def _escape(code: int) -> str:
    # \U escapes are valid inside and outside classes and need no case analysis.
    return f"\\U{code:08x}"


def _atom_source(name: str, av: Any) -> str:
    """The ``re`` source of a one-character parse-tree atom."""
    if name == "LITERAL":
        return _escape(av)
    if name == "NOT_LITERAL":
        return f"[^{_escape(av)}]"
    if name == "ANY":
        return "."
    parts = []
    for op, arg in av:  # IN: a character class
        kind = str(op.name)
        if kind == "NEGATE":
            parts.append("^")
        elif kind == "LITERAL":
            parts.append(_escape(arg))
        elif kind == "RANGE":
            parts.append(f"{_escape(arg[0])}-{_escape(arg[1])}")
        elif kind == "CATEGORY" and str(arg.name) in _CATEGORIES:
            parts.append(_CATEGORIES[str(arg.name)])
        else:
            raise RegexError(f"unsupported character class item {kind}")
    return f"[{''.join(parts)}]"


class _Builder:
    """Translates a parse tree into an NFA, back to front: each call gets its successor."""

    def __init__(self, nfa: _Nfa) -> None:
        self.nfa = nfa

    def sequence(self, items: Any, out: int) -> int:
        for op, av in reversed(list(items)):
            out = self.node(str(op.name), av, out)
        return out

    def node(self, name: str, av: Any, out: int) -> int:
        nfa = self.nfa
        if name in _REJECTED:
            raise RegexError(_REJECTED[name])
        if name in _ATOMS:
            return nfa.add(_CHAR, nfa.atom(_atom_source(name, av)), [out])
        if name == "BRANCH":
            return nfa.add(_SPLIT, 0, [self.sequence(branch, out) for branch in av[1]])
        if name == "SUBPATTERN":
            _group, add_flags, del_flags, body = av
            if add_flags or del_flags:
                raise RegexError("scoped inline flags (?flags:...) are not supported")
            return self.sequence(body, out)
        if name in ("MAX_REPEAT", "MIN_REPEAT"):  # laziness cannot change a boolean search
            low, high, body = av
            return self.repeat(low, None if high == _parser.MAXREPEAT else high, body, out)
        if name == "AT" and str(av.name) in _ASSERTIONS:
            bit = _ASSERTIONS[str(av.name)]
            nfa.uses_dollar |= bit == _AT_DOLLAR
            if bit in (_AT_BOUNDARY, _AT_NON_BOUNDARY):
                nfa.word_bit = 1  # placed above the atom bits once atoms are known
            return nfa.add(_ASSERT, bit, [out])
        raise RegexError(f"unsupported construct {name}")

    def repeat(self, low: int, high: int | None, body: Any, out: int) -> int:
        if max(low, high or 0) > _MAX_REPEAT:
            raise RegexError(f"repeat counts above {_MAX_REPEAT} are not supported")
        nfa = self.nfa
        if high is None:  # body* : a split looping back through the body
            entry = nfa.add(_SPLIT, 0, [])
            nfa.outs[entry] += [self.sequence(body, entry), out]
        else:  # (high - low) nested optional copies: body(body(body)?)?
            entry = out
            for _ in range(high - low):
                entry = nfa.add(_SPLIT, 0, [self.sequence(body, entry), out])
        for _ in range(low):  # then the mandatory copies in front
            entry = self.sequence(body, entry)
        return entry


def _parse(pattern: str) -> tuple[Any, bool]:
    """The parse tree and whether ``(?i)`` is on; rejects invalid patterns and flags."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise RegexError(f"pattern is longer than {MAX_PATTERN_LENGTH} characters")
    try:
        tree = _parser.parse(pattern)
    except re.error as exc:
        raise RegexError(f"invalid pattern: {exc}") from None
    flags = int(tree.state.flags)
    if flags & ~_ALLOWED_FLAGS:
        # Python only accepts global flags at the start, so (?i) is necessarily leading.
        raise RegexError("inline flags other than a leading (?i) are not supported")
    return tree, bool(flags & re.IGNORECASE)


def _build_nfa(pattern: str) -> _Nfa:
    tree, ignore_case = _parse(pattern)
    nfa = _Nfa(ignore_case)
    try:
        nfa.start = _Builder(nfa).sequence(tree, nfa.add(_MATCH, 0, []))
    except RecursionError:
        raise RegexError("pattern is nested too deeply") from None
    nfa.word_bit <<= len(nfa.atoms)
    return nfa


class _Dfa:
    """The lazily built DFA of one NFA: a cache that only grows, up to its budget."""

    def __init__(self, nfa: _Nfa) -> None:
        self._nfa = nfa
        self._kernels: list[frozenset[int]] = []  # NFA nodes entered by the last character
        self._flags: list[int] = []
        self._ids: dict[tuple[frozenset[int], int], int] = {}
        self._rows: list[dict[str, int]] = []  # transitions keyed by character
        self._by_signature: list[dict[int, int]] = []  # the same, keyed by signature
        self._accepts_at_end: dict[int, bool] = {}
        self._signatures: dict[str, int] = {}
        self._lock = threading.Lock()  # guards cache misses; hits are lock-free reads
        self.work = 0
        self._initial = self._intern(frozenset(), _STATE_AT_START)

    def search(self, text: str) -> bool:
        final_newline = self._nfa.uses_dollar and text.endswith("\n")
        state = self._initial
        rows = self._rows
        for char in text[:-1] if final_newline else text:
            target = rows[state].get(char)
            if target is None:
                target = self._miss(state, char)
            if target == _FOUND:
                return True
            state = target
        if final_newline:  # ``$`` also holds just before it, so it is not cached
            with self._lock:
                state = self._step(state, self._signature("\n"), _AT_DOLLAR)
            if state == _FOUND:
                return True
        return self._accepts(state)

    def _miss(self, state: int, char: str) -> int:
        with self._lock:
            self._charge(1)
            signature = self._signature(char)
            target = self._by_signature[state].get(signature)
            if target is None:
                target = self._step(state, signature, 0)
                self._by_signature[state][signature] = target
            self._rows[state][char] = target
            return target

    def _signature(self, char: str) -> int:
        """Bit i set when the char satisfies atom i (plus ``word_bit`` for \\b, \\B)."""
        signature = self._signatures.get(char)
        if signature is None:
            nfa = self._nfa
            signature = sum(1 << i for i, atom in enumerate(nfa.atoms) if atom(char))
            if nfa.word_bit and _is_word_char(char):
                signature |= nfa.word_bit
            self._signatures[char] = signature
        return signature

    def _step(self, state: int, signature: int, extra: int) -> int:
        """Consume one character of ``signature``: the next state, or ``_FOUND``."""
        nfa = self._nfa
        next_word = bool(signature & nfa.word_bit)
        chars, matched = self._closure(state, self._context(state, next_word) | extra)
        if matched:
            return _FOUND
        kernel = frozenset(nfa.outs[s][0] for s in chars if signature >> nfa.args[s] & 1)
        return self._intern(kernel, _STATE_PREV_WORD if next_word else 0)

    def _accepts(self, state: int) -> bool:
        """Whether the pattern matches at the end of the subject, from ``state``."""
        accepts = self._accepts_at_end.get(state)
        if accepts is None:
            with self._lock:
                context = self._context(state, next_word=False) | _AT_END | _AT_DOLLAR
                accepts = self._accepts_at_end[state] = self._closure(state, context)[1]
        return accepts

    def _context(self, state: int, next_word: bool) -> int:
        """The assertions that hold before the next character (not counting the end)."""
        flags = self._flags[state]
        context = _AT_START if flags & _STATE_AT_START else 0
        prev_word = bool(flags & _STATE_PREV_WORD)
        return context | (_AT_BOUNDARY if prev_word != next_word else _AT_NON_BOUNDARY)

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
        key = (kernel, flags if self._nfa.word_bit else flags & _STATE_AT_START)
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
        """Whether the pattern matches anywhere in ``text`` (``re.search`` semantics)."""
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
