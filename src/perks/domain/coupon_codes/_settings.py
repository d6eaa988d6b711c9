"""Code settings: the pattern, the valid characters and the prefix, checked; the code space."""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from perks.domain.applications import CaseSensitivity
from perks.domain.errors import InvalidInput, Problem

PLACEHOLDER = "#"
# NewCoupons.validCharacters: "by default ... equivalent to the `[A-Z, 0-9]` regular expression".
DEFAULT_VALID_CHARACTERS: tuple[str, ...] = tuple(string.ascii_uppercase + string.digits)
_PATTERN_CHARACTERS = re.compile(r"[A-Za-z0-9._%+@#-]+")  # CodeGeneratorSettings.couponPattern
_PREFIX_CHARACTERS = re.compile(r"[A-Za-z0-9._%+@-]*")  # the pattern's literals, no placeholder
_MIN_PATTERN_LENGTH, _MAX_PATTERN_LENGTH = 3, 100
# Coupon.value has minLength 4 and the official SDK enforces it when parsing responses;
# customer sessions accept coupon codes of at most 100 characters.
MIN_CODE_LENGTH, MAX_CODE_LENGTH = 4, 100
# One random byte draws one placeholder, so an alphabet holds at most 256 characters.
MAX_VALID_CHARACTERS = 256
SYNC_LIMIT = 20_000  # createCoupons without uniquePrefix
SYNC_LIMIT_WITH_PREFIX = 200_000  # createCoupons with uniquePrefix
ASYNC_LIMIT = 5_000_000  # createCouponsAsync, NewCouponCreationJob.numberOfCoupons maximum


def normalized_code(code: str, sensitivity: CaseSensitivity) -> str:
    """The form a code is stored and compared in: two codes clash when these are equal."""
    if sensitivity is CaseSensitivity.INSENSITIVE_UPPERCASE:
        return code.upper()
    if sensitivity is CaseSensitivity.INSENSITIVE_LOWERCASE:
        return code.lower()
    return code


class CodeCreation(StrEnum):
    """The operation creating codes; each has its own limit on numberOfCoupons."""

    SYNC = "createCoupons"
    ASYNC = "createCouponsAsync"


@dataclass(frozen=True, slots=True)
class CodeSettings:
    """Validated settings. A code is ``prefix + pattern`` with each ``#`` drawn from
    ``characters``; all three are folded to the application's case, so codes come out normalized.
    """

    pattern: str
    characters: tuple[str, ...]
    prefix: str = ""

    @property
    def placeholders(self) -> int:
        return self.pattern.count(PLACEHOLDER)

    @property
    def space(self) -> int:
        """How many distinct codes the settings can produce."""
        return int(len(self.characters) ** self.placeholders)


@dataclass(frozen=True, slots=True)
class CodeRequest:
    settings: CodeSettings
    count: int


def parse_code_settings(
    coupon_pattern: str | None,
    valid_characters: Sequence[str] | None = None,
    *,
    unique_prefix: str = "",
    case_sensitivity: CaseSensitivity = CaseSensitivity.SENSITIVE,
    at: str = "",
) -> CodeSettings:
    """``CodeGeneratorSettings`` (plus ``uniquePrefix``); ``at`` is the settings' JSON pointer."""
    settings, problems = _settings(
        coupon_pattern, valid_characters, unique_prefix, at, case_sensitivity
    )
    if settings is None:
        raise InvalidInput(problems)
    return settings


def parse_code_request(
    *,
    coupon_pattern: str | None,
    valid_characters: Sequence[str] | None,
    number_of_coupons: int,
    creation: CodeCreation,
    unique_prefix: str = "",
    case_sensitivity: CaseSensitivity = CaseSensitivity.SENSITIVE,
    settings_at: str = "",
) -> CodeRequest:
    """NewCoupons (``settings_at=""``) or NewCouponCreationJob (``"/couponSettings"``):
    every problem at once, the code space checked only when the settings are valid."""
    settings, problems = _settings(
        coupon_pattern, valid_characters, unique_prefix, settings_at, case_sensitivity
    )
    problems += _count_problems(number_of_coupons, creation, prefixed=bool(unique_prefix))
    if settings is not None and not problems:
        problems += _space_problems(settings, number_of_coupons)
    if problems or settings is None:
        raise InvalidInput(problems)
    return CodeRequest(settings=settings, count=number_of_coupons)


def _settings(
    pattern: str | None,
    characters: Sequence[str] | None,
    prefix: str,
    at: str,
    sensitivity: CaseSensitivity,
) -> tuple[CodeSettings | None, list[Problem]]:
    problems = _pattern_problems(pattern, f"{at}/couponPattern")
    alphabet, alphabet_problems = _alphabet(
        DEFAULT_VALID_CHARACTERS if characters is None else characters,
        f"{at}/validCharacters",
        sensitivity,
    )
    problems += alphabet_problems
    if not _PREFIX_CHARACTERS.fullmatch(prefix):
        problems.append(
            Problem(
                "invalid value",
                "uniquePrefix may hold only A-Z a-z 0-9 . _ % + @ -",
                "/uniquePrefix",
            )
        )
    if problems or pattern is None:
        return None, problems
    length = len(prefix) + len(pattern)
    if not MIN_CODE_LENGTH <= length <= MAX_CODE_LENGTH:
        pointer = "/uniquePrefix" if prefix and length > MAX_CODE_LENGTH else f"{at}/couponPattern"
        details = (
            f"codes would be {length} characters long (uniquePrefix + couponPattern); "
            f"codes hold {MIN_CODE_LENGTH} to {MAX_CODE_LENGTH} characters"
        )
        return None, [Problem("invalid value", details, pointer)]
    fold = normalized_code
    return CodeSettings(fold(pattern, sensitivity), alphabet, fold(prefix, sensitivity)), []


def _pattern_problems(pattern: str | None, pointer: str) -> list[Problem]:
    if pattern is None:
        return [Problem("missing value", "couponPattern is required", pointer)]
    if not _MIN_PATTERN_LENGTH <= len(pattern) <= _MAX_PATTERN_LENGTH:
        details = f"couponPattern must be 3 to 100 characters long, not {len(pattern)}"
        return [Problem("invalid value", details, pointer)]
    if not _PATTERN_CHARACTERS.fullmatch(pattern):
        details = "couponPattern may hold only A-Z a-z 0-9 . _ % + @ - and the placeholder #"
        return [Problem("invalid value", details, pointer)]
    if PLACEHOLDER not in pattern:
        details = "couponPattern needs at least one # to stand for a random character"
        return [Problem("invalid value", details, pointer)]
    return []


def _alphabet(
    characters: Sequence[str], pointer: str, sensitivity: CaseSensitivity
) -> tuple[tuple[str, ...], list[Problem]]:
    problems: list[Problem] = []
    for index, character in enumerate(characters):
        folded = normalized_code(character, sensitivity) if isinstance(character, str) else ""
        if len(folded) != 1 or not character.isprintable() or character.isspace():
            details = f"each valid character is one visible character, not {character!r}"
            problems.append(Problem("invalid value", details, f"{pointer}/{index}"))
    if problems:
        return (), problems
    # With a case-insensitive application 'a' and 'A' are one code character.
    alphabet = tuple(dict.fromkeys(normalized_code(c, sensitivity) for c in characters))
    if not 1 <= len(alphabet) <= MAX_VALID_CHARACTERS:
        details = f"validCharacters needs 1 to {MAX_VALID_CHARACTERS} distinct characters"
        problems.append(Problem("invalid value", f"{details}, not {len(alphabet)}", pointer))
    return alphabet, problems


def _count_problems(count: int, creation: CodeCreation, *, prefixed: bool) -> list[Problem]:
    if creation is CodeCreation.ASYNC:
        limit, why = ASYNC_LIMIT, "createCouponsAsync"
    elif prefixed:
        limit, why = SYNC_LIMIT_WITH_PREFIX, "createCoupons with a uniquePrefix"
    else:
        limit, why = SYNC_LIMIT, "createCoupons without a uniquePrefix (use createCouponsAsync)"
    if 1 <= count <= limit:
        return []
    details = f"numberOfCoupons must be from 1 to {limit:,} for {why}, not {count:,}"
    return [Problem("invalid value", details, "/numberOfCoupons")]


def _space_problems(settings: CodeSettings, count: int) -> list[Problem]:
    # Random drawing stays fast while at most half the codes are in use: each draw is
    # then new with probability at least 1/2.
    if count * 2 <= settings.space:
        return []
    details = (
        f"{count:,} codes cannot be generated from couponPattern {settings.pattern!r}: "
        f"{len(settings.characters)} valid characters and {settings.placeholders} placeholders "
        f"make {settings.space:,} possible codes, and at most half of them "
        f"({settings.space // 2:,}) can be requested; add placeholders or valid characters"
    )
    return [Problem("code space too small", details, "/numberOfCoupons")]
