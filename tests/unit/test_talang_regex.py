"""perks.talang._regex: RE2 (Go regexp) syntax and semantics on a linear-time lazy DFA."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from perks.talang._regex import (
    MAX_DFA_STATES,
    MAX_PATTERN_LENGTH,
    MAX_SUBJECT_LENGTH,
    Pattern,
    RegexError,
    compile_pattern,
)


def search(pattern: str, subject: str) -> bool:
    return compile_pattern(pattern).search(subject)


# (a) Agreement with Python's re where RE2 and Python agree (re.ASCII: \d \w \s \b are ASCII).

# Pairs (RE2 source, Python source) of one-character atoms and anchors.
_ATOMS = [
    ("a", "a"),
    ("b", "b"),
    ("c", "c"),
    ("1", "1"),
    (" ", " "),
    ("\\.", "\\."),
    (".", "."),
    ("[ab]", "[ab]"),
    ("[^a]", "[^a]"),
    ("[a-c]", "[a-c]"),
    ("[^\\n]", "[^\\n]"),
    ("\\d", "\\d"),
    ("\\w", "\\w"),
    ("\\s", "\\s"),
    ("\\D", "\\D"),
    ("\\W", "\\W"),
    ("\\S", "\\S"),
    ("[\\d_]", "[\\d_]"),
    ("[[:alpha:]]", "[a-zA-Z]"),
    ("[[:^digit:]]", "[^0-9]"),
    ("\\x61", "a"),
    ("\\x{62}", "b"),
    ("\\n", "\\n"),
    ("\\Q.\\E", "\\."),
    ("\\pN", "[0-9]"),  # the subjects' only numbers are ASCII digits
]
_ANCHORS = [("^", "^"), ("\\A", "\\A"), ("\\z", "\\Z"), ("\\b", "\\b"), ("\\B", "\\B")]
_DOLLAR = {False: ("$", "\\Z"), True: ("$", "$")}  # RE2 $ is \z unless (?m)


def _regexes(multi_line: bool) -> st.SearchStrategy[tuple[str, str]]:
    leaves = st.sampled_from([*_ATOMS, *_ANCHORS, _DOLLAR[multi_line]])

    def extend(inner: st.SearchStrategy[tuple[str, str]]) -> st.SearchStrategy[tuple[str, str]]:
        def join(parts: list[tuple[str, str]], sep: str, wrap: str) -> tuple[str, str]:
            return tuple(wrap.format(sep.join(p[i] for p in parts)) for i in (0, 1))  # type: ignore[return-value]

        quantifier = st.sampled_from(["*", "+", "?", "{2}", "{1,3}", "{0,2}", "{2,}", "*?", "+?"])
        return st.one_of(
            st.lists(inner, min_size=2, max_size=4).map(lambda ps: join(ps, "", "{}")),
            st.lists(inner, min_size=2, max_size=3).map(lambda ps: join(ps, "|", "(?:{})")),
            inner.map(lambda p: (f"({p[0]})", f"({p[1]})")),
            st.tuples(inner, quantifier).map(
                lambda pq: (f"(?:{pq[0][0]}){pq[1]}", f"(?:{pq[0][1]}){pq[1]}")
            ),
        )

    return st.recursive(leaves, extend, max_leaves=8)


@st.composite
def _cases(draw: st.DrawFn) -> tuple[str, str, str]:
    flags = draw(st.sampled_from(["", "(?i)", "(?m)", "(?s)", "(?ms)", "(?U)"]))
    re2, python = draw(_regexes("m" in flags))
    subject = draw(st.text(alphabet="abcAB1_ .\n-é", max_size=12))
    return flags + re2, ("" if flags == "(?U)" else flags) + python, subject


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
@example(("(a|b)*c", "(a|b)*c", "ababx"))
@example(("^a$", "^a\\Z", "a"))
@example(("(?m)^b$", "(?m)^b$", "a\nb\n"))
def test_agrees_with_python_where_re2_and_python_agree(case: tuple[str, str, str]) -> None:
    re2, python, subject = case
    # Python before 3.14 never matches \B in an empty string; RE2 (and we) do.
    assume(not (subject == "" and "\\B" in python))
    expected = re.search(python, subject, re.ASCII) is not None
    assert search(re2, subject) is expected, (re2, python, subject)


_LISTED: list[tuple[str, str]] = [
    ("abc", "xxabcxx"),
    ("abc", "ab"),
    ("^abc", "abcd"),
    ("^abc", "xabc"),
    ("a|b|c", "zzc"),
    ("(a|b)+c", "ababc"),
    ("(a|b)+c", "abab"),
    ("a{3}", "aa"),
    ("a{3}", "aaa"),
    ("a{2,3}b", "aaaab"),
    ("^a{2,3}b", "aaaab"),
    ("a{0}b", "b"),
    ("(ab){2,}", "ababab"),
    ("x*", ""),
    ("^$", ""),
    ("^", "abc"),
    ("\\bfoo\\b", "a foo b"),
    ("\\bfoo\\b", "afoob"),
    ("\\Bo\\B", "foo"),
    ("[^abc]", "abc"),
    ("[a-z]+[0-9]+", "abc123"),
    ("[]a]", "]"),
    ("[a-]", "-"),
    ("[-a]", "-"),
    ("[\\]]", "]"),
    ("(?i)HELLO", "hello"),
    ("(?i)[a-c]+", "ABC"),
    ("(?s).", "\n"),
    ("(?m)^b", "a\nb"),
    ("(?m)a$", "a\nb"),
    ("\\d{3}-\\d{4}", "555-1234"),
    ("^\\w+@\\w+\\.com$", "me@example.com"),
    ("^[A-Z]+-[0-9]+$", "SKU-123"),
    ("a.c", "abc"),
    ("a.c", "a\nc"),
    ("(a*)*b", "aaab"),
    ("(a*)+$", "aaa"),
    ("(|a)b", "b"),
    ("a||b", "b"),
    ("()", "x"),
    ("a*?b", "aab"),
    ("a??b", "b"),
    ("\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\\\", ".*+?()[]{}|^$\\"),
]


@pytest.mark.parametrize(("pattern", "subject"), _LISTED)
def test_agrees_with_python_on_listed_cases(pattern: str, subject: str) -> None:
    expected = re.search(pattern, subject, re.ASCII) is not None
    assert search(pattern, subject) is expected


# (b) RE2-specific behaviour, where Python differs.

RE2_CASES: list[tuple[str, str, bool]] = [
    # \d \w \s \b are ASCII
    ("\\d", "٣", False),  # ARABIC-INDIC DIGIT THREE
    ("\\d", "7", True),
    ("\\D", "٣", True),
    ("\\w", "é", False),
    ("^\\w+$", "abc_XYZ_09", True),
    ("\\W", "é", True),
    ("\\s", "\u00a0", False),  # NO-BREAK SPACE
    ("\\s", "\v", False),  # RE2's \s has no vertical tab
    ("\\s", "\f", True),
    ("\\S", "\u00a0", True),
    ("x\\b", "xé", True),  # é is not a word character
    ("x\\B", "xé", False),
    ("\\B", "", True),
    # $ is the end of the text only; (?m) makes it a line end
    ("^a$", "a\n", False),
    ("a$", "a\n", False),
    ("a$", "ba", True),
    ("a\\z", "a\n", False),
    ("a\\z", "ba", True),
    ("(?m)a$", "a\n", True),
    ("(?m)^b$", "a\nb\nc", True),
    ("^b$", "a\nb\nc", False),
    ("(?m)^$", "a\n", True),
    ("(?m)^c", "a\r\nc", True),
    ("(?m)a$", "a\r\n", False),  # only \n ends a line
    ("(?m:^b)", "a\nb", True),
    ("\\Ab", "a\nb", False),
    ("(?m)\\Ab", "a\nb", False),
    ("(?m)a\\z", "a\n", False),
    # (?s)
    ("a.b", "a\nb", False),
    ("(?s)a.b", "a\nb", True),
    ("(?s:.)", "\n", True),
    ("[^a]", "\n", True),
    # \Q...\E and escapes
    ("\\Qa.b*\\E", "a.b*", True),
    ("\\Qa.b*\\E", "axbb", False),
    ("^\\Q(x)", "(x)", True),  # no \E: literal to the end
    ("\\Qab\\E+", "abbb", True),  # the repeat applies to the last character
    ("\\x{e9}", "é", True),
    ("\\x{1F355}", "🍕", True),
    ("\\x41\\x{000042}", "AB", True),
    ("\\101", "A", True),  # octal
    ("\\12", "\n", True),  # two-digit octal (a backreference in Python)
    ("\\0", "\0", True),
    ("\\_", "_", True),
    ("[\\d-z]", "-", True),  # a Perl class cannot start a range: - is literal
    ("[\\x{41}-\\x{43}]", "B", True),
    # named groups
    ("(?P<sku>[A-Z]{3})-\\d+", "ABC-12", True),
    ("(?<sku>[A-Z]{3})-\\d+", "ABC-12", True),
    ("(?P<x>a)(?P<x>b)", "ab", True),  # Go allows duplicate names
    # flags anywhere, scoped and cleared
    ("(?U)a+b", "aab", True),
    ("(?U)a+?", "a", True),
    ("a(?i)b", "aB", True),
    ("a(?i)b", "AB", False),
    ("(a(?i)b)c", "aBc", True),
    ("(a(?i)b)c", "aBC", False),  # the flag ends with its group
    ("(?i:a)b", "Ab", True),
    ("(?i:a)b", "AB", False),
    ("(?i)a(?-i)b", "Ab", True),
    ("(?i)a(?-i)b", "AB", False),
    ("(?i)(?-i:a)", "A", False),
    ("(?im)^X$", "a\nx", True),
    ("(?i)x|y", "Y", True),  # a flag holds across |
    ("(?)a", "a", True),
    ("(?:)a", "a", True),
    # Unicode general categories
    ("\\pL", "é", True),
    ("\\pL", "1", False),
    ("\\PL", "1", True),
    ("\\p{L}", "ж", True),
    ("\\p{Lu}", "Ж", True),
    ("\\p{Lu}", "ж", False),
    ("\\p{Ll}", "ж", True),
    ("\\p{^Lu}", "ж", True),
    ("\\P{^Lu}", "Ж", True),
    ("\\p{N}", "٣", True),
    ("\\p{Nd}", "Ⅻ", False),
    ("\\p{Nl}", "Ⅻ", True),
    ("\\p{P}", "!", True),
    ("\\p{S}", "€", True),
    ("\\p{Sc}", "€", True),
    ("\\p{Z}", "\u00a0", True),
    ("\\p{Zs}", " ", True),
    ("\\p{M}", "\u0301", True),
    ("\\p{C}", "\u200b", True),  # Cf
    ("\\p{C}", "\u0378", False),  # unassigned: Go's C has no Cn
    ("\\p{Any}", "\n", True),
    ("\\P{Any}", "a", False),
    ("^[\\p{L}\\d]+$", "ab12ü", True),
    ("^[^\\p{L}]+$", "12!", True),
    ("^[\\P{L}]+$", "12!a", False),
    ("(?i)\\p{Lu}", "a", True),  # folding adds the other case
    ("(?i)\\P{Lu}", "a", False),
    ("(?i)\\p{Mn}", "\u03b9", True),  # U+0345 (Mn) folds to GREEK SMALL LETTER IOTA
    # POSIX classes (ASCII)
    ("[[:alpha:]]", "é", False),
    ("^[[:alpha:]]+$", "abcXYZ", True),
    ("[[:^alpha:]]", "1", True),
    ("[[:digit:][:upper:]]", "Q", True),
    ("^[[:punct:]]+$", "!-/:@[`{~", True),
    ("[[:space:]]", "\v", True),
    ("[[:word:]]", "_", True),
    ("[[:xdigit:]]", "g", False),
    ("[:alpha:]", "l", True),  # outside brackets: just a class of : a l p h
    ("(?i)[[:upper:]]", "q", True),
    # { that does not start a count is literal
    ("^a{,2}$", "a{,2}", True),
    ("^a{,2}$", "aa", False),
    ("^x{01}$", "x{01}", True),
    ("^a{x}$", "a{x}", True),
    ("^a{1$", "a{1", True),
    ("^{$", "{", True),
    ("a{2}b", "aab", True),
    # case folding is Unicode simple folding
    ("(?i)k", "\u212a", True),  # KELVIN SIGN
    ("(?i)s", "\u017f", True),  # LATIN SMALL LETTER LONG S
    ("(?i)\u03c3", "\u03c2", True),  # sigma, final sigma
    ("(?i)ß", "ẞ", True),
    ("(?i)ǅ", "ǆ", True),
    ("(?i)[^k]", "K", False),
    ("(?i)\\W", "\u212a", False),  # \w folded includes the Kelvin sign
    ("(?i)ÄÖ", "äö", True),
    ("ÄÖ", "äö", False),
    ("(?i)é", "É", True),
    # repeats of empty-width things and odd but valid syntax
    ("^*a", "a", True),
    ("\\b+a", "a", True),
    ("a(?i)*", "aaa", True),  # Go repeats the item before a flag group
    ("((a{10}){10}){10}", "a" * 1000, True),
    ("a{1000}", "a" * 999, False),
    ("[]a]", "]", True),
    ("[^]a]", "b", True),
    ("]", "]", True),
    ("}", "}", True),
]


@pytest.mark.parametrize(("pattern", "subject", "expected"), RE2_CASES)
def test_re2_semantics(pattern: str, subject: str, expected: bool) -> None:
    assert search(pattern, subject) is expected


def test_dollar_differs_from_python_as_documented() -> None:
    assert re.search("^a$", "a\n") is not None
    assert search("^a$", "a\n") is False


# (c) Rejected constructs: always a RegexError, with a message saying why.

REJECTED: list[tuple[str, str]] = [
    ("(a)\\1", "backreferences are not supported"),
    ("(a)\\9", "backreferences are not supported"),
    ("(?P<n>a)(?P=n)", "backreferences"),
    ("a(?=b)", "lookahead"),
    ("a(?!b)", "lookahead"),
    ("(?<=a)b", "lookbehind"),
    ("(?<!a)b", "lookbehind"),
    ("(a)?(?(1)b|c)", "conditionals"),
    ("(?>a+)b", "atomic groups"),
    ("a++", "possessive quantifiers are not supported"),
    ("a*+", "possessive quantifiers are not supported"),
    ("a{2}+", "possessive quantifiers are not supported"),
    ("a**", "invalid nested repetition operator"),
    ("a*?*", "invalid nested repetition operator"),
    ("a{2}{3}", "invalid nested repetition operator"),
    ("a\\Z", "\\Z is not supported"),
    ("a(?#comment)b", "comments (?#...) are not supported"),
    ("\\p{Greek}", "Unicode scripts are not supported"),
    ("\\p{Latin}", "Unicode scripts are not supported"),
    ("[\\p{Han}]", "Unicode scripts are not supported"),
    ("\\P{Cyrillic}", "Unicode scripts are not supported"),
    ("\\p{Foo}", "unsupported Unicode class"),
    ("\\pX", "unsupported Unicode class"),
    ("\\p{Lu", "missing }"),
    ("\\p", "invalid character class range"),
    ("a{1001}", "invalid repeat count"),
    ("a{0,1001}", "invalid repeat count"),
    ("a{2,1}", "invalid repeat count"),
    ("a{99999999999}", "invalid repeat count"),
    ("(a{100}){20}", "nested counted repeats"),
    ("((a{2}){1000})", "nested counted repeats"),
    ("(?x)a b", "unsupported flag 'x'"),
    ("(?a)\\w", "unsupported flag 'a'"),
    ("(?i-)a", "invalid or unsupported Perl syntax"),
    ("(?-)a", "invalid or unsupported Perl syntax"),
    ("(?i--m)a", "invalid or unsupported Perl syntax"),
    ("(?i", "invalid or unsupported Perl syntax"),
    ("(?P>n)", "invalid or unsupported Perl syntax"),
    ("(?R)", "invalid or unsupported Perl syntax"),
    ("(?<>a)", "invalid named capture"),
    ("(?P<a-b>x)", "invalid named capture"),
    ("(?P<name", "invalid named capture"),
    ("\\C", "\\C (any byte) is not supported"),
    ("\\u00e9", "invalid escape sequence"),
    ("\\N{DIGIT ONE}", "invalid escape sequence"),
    ("\\e", "invalid escape sequence"),
    ("\\é", "invalid escape sequence"),
    ("\\x{110000}", "invalid escape sequence"),
    ("\\x{}", "invalid escape sequence"),
    ("\\x{41", "invalid escape sequence"),
    ("\\xG1", "invalid escape sequence"),
    ("\\x4", "invalid escape sequence"),
    ("[\\b]", "invalid escape sequence"),
    ("[\\Q]", "invalid escape sequence"),
    ("a\\", "trailing backslash"),
    ("[a\\", "trailing backslash"),
    ("(a", "missing closing )"),
    ("a)", "unexpected )"),
    ("[a", "missing closing ]"),
    ("[a-", "missing closing ]"),
    ("[]", "missing closing ]"),
    ("[^", "missing closing ]"),
    ("[z-a]", "invalid character class range"),
    ("[\\x{43}-A]", "invalid character class range"),
    ("[[:foo:]]", "invalid character class range"),
    ("*a", "missing argument to repetition operator"),
    ("a|*", "missing argument to repetition operator"),
    ("(*)", "missing argument to repetition operator"),
    ("{2}", "missing argument to repetition operator"),
    ("(?i)+", "missing argument to repetition operator"),
    ("a" * (MAX_PATTERN_LENGTH + 1), f"longer than {MAX_PATTERN_LENGTH}"),
    ("(abcdefghijklmnopqrstuvwxyz){1000}", "pattern is too large"),
]


@pytest.mark.parametrize(("pattern", "message"), REJECTED)
def test_rejected_patterns_raise_regex_error(pattern: str, message: str) -> None:
    with pytest.raises(RegexError) as caught:
        compile_pattern(pattern)
    assert message in str(caught.value)


def test_longest_pattern_is_accepted() -> None:
    assert search("a" * MAX_PATTERN_LENGTH, "a" * MAX_PATTERN_LENGTH) is True


def test_too_long_subject_raises() -> None:
    pattern = compile_pattern("a")
    assert pattern.search("b" * MAX_SUBJECT_LENGTH) is False
    with pytest.raises(RegexError, match=f"longer than {MAX_SUBJECT_LENGTH}"):
        pattern.search("a" * (MAX_SUBJECT_LENGTH + 1))


def test_deepest_nesting_a_pattern_can_hold_works() -> None:
    depth = MAX_PATTERN_LENGTH // 3
    compiled = compile_pattern("(a" * depth + ")" * depth)
    assert compiled.search("a" * depth) is True
    assert compiled.search("a" * (depth - 1)) is False
    assert compile_pattern("(" * 500 + ")" * 500).search("") is True


_SYNTAX = "ab.\\()[]{}|*+?^$-,:=!<>#PpQEzZdwsDWSbBAxi0123456789LuUm&R "


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=_SYNTAX, max_size=14), st.text(alphabet="ab\n1 -", max_size=8))
def test_arbitrary_patterns_never_raise_anything_but_regex_error(
    pattern: str, subject: str
) -> None:
    try:
        compiled = compile_pattern(pattern)
    except RegexError:
        return
    assert compiled.search(subject) in (True, False)


# (d) Hostile patterns on long subjects end (linear time: no backtracking).

HOSTILE: list[tuple[str, str, bool]] = [
    ("(a+)+$", "a" * 50_000 + "!", False),
    ("(a+)+$", "a" * 50_000, True),
    ("(a|aa)*b", "a" * 50_000, False),
    ("(a|a)*b", "a" * 50_000, False),
    ("(.*a){20}", "a" * 50_000, True),
    ("(.*a){20}$", "b" * 50_000, False),
    ("(x+x+)+y", "x" * 50_000, False),
    ("^(\\w+\\s?)*$", "a" * 49_999 + "!", False),
    ("((a{10}){10}){10}b", "a" * 50_000, False),
    ("(a{2,5}){3,7}c", "a" * 50_000, False),
    ("((ab)*|(ba)*)*c$", "ab" * 25_000, False),
    ("(?i)(\\p{L}+)+\\d", "é" * 50_000, False),
    ("(?m)^(a|b)*$", "ab" * 25_000 + "\nc", True),
    ("\\b(\\w+\\b\\s*)+!", "word " * 10_000, False),
]


@pytest.mark.parametrize(("pattern", "subject", "expected"), HOSTILE)
def test_hostile_patterns_finish(pattern: str, subject: str, expected: bool) -> None:
    assert search(pattern, subject) is expected


# (e) The DFA cache overflow path.


def _random_ab(length: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice("ab") for _ in range(length))


def _nth_from_end_is_a(subject: str, n: int) -> bool:
    """What ``(a|b)*a(a|b){n-1}$`` means (Python's backtracking re is too slow on it)."""
    return len(subject) >= n and subject[-n] == "a"


def test_dfa_that_fits_answers_correctly() -> None:
    compiled = compile_pattern("(a|b)*a(a|b){12}$")  # 2**13 subsets: within MAX_DFA_STATES
    for seed in range(4):
        subject = _random_ab(20_000, seed)
        for end in (len(subject), len(subject) - 1):
            expected = _nth_from_end_is_a(subject[:end], 13)
            assert compiled.search(subject[:end]) is expected


def test_dfa_overflow_on_a_fresh_cache_raises() -> None:
    assert MAX_DFA_STATES < 2**15
    compiled = compile_pattern("(a|b)*a(a|b){14}$")
    with pytest.raises(RegexError, match="too complex"):
        compiled.search(_random_ab(50_000, 7))


def test_dfa_overflow_on_a_used_cache_is_flushed_and_retried() -> None:
    compiled = compile_pattern("(a|b)*a(a|b){13}$")  # 2**14 subsets: over MAX_DFA_STATES
    first, second = _random_ab(6_000, 1), _random_ab(9_000, 2)
    assert compiled.search(first) is _nth_from_end_is_a(first, 14)
    # The second search overflows the cache the first one filled, then succeeds from empty.
    assert compiled.search(second) is _nth_from_end_is_a(second, 14)
    assert compiled.search(first + "b") is _nth_from_end_is_a(first + "b", 14)
    # A subject that overflows even a fresh cache is an error, not a wrong answer.
    with pytest.raises(RegexError, match="too complex"):
        compiled.search(_random_ab(60_000, 3))


def test_results_do_not_depend_on_earlier_searches() -> None:
    compiled = compile_pattern("(?m)^\\w+\\b$")
    subjects = ["abc", "ab c", "x\ny", "", "é", "a\n", "!"]
    expected = [search("(?m)^\\w+\\b$", s) for s in subjects]
    assert [compiled.search(s) for s in subjects * 3] == expected * 3


def test_pattern_api() -> None:
    compiled = compile_pattern("a+")
    assert isinstance(compiled, Pattern)
    assert compiled.source == "a+"
    assert repr(compiled) == "Pattern('a+')"
    assert issubclass(RegexError, ValueError)
