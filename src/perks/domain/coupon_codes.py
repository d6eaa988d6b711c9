"""Coupon codes: generation settings, the code space, generation in chunks, CSV import and export.

Pure: randomness arrives as a ``random.Random`` (``secrets.SystemRandom`` unless a test injects a
seeded one) and storage checks each generated chunk against what it holds.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import string
from collections.abc import (
    Callable,
    Collection,
    Container,
    Generator,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from random import Random
from typing import Any

from perks.domain.applications import CaseSensitivity
from perks.domain.errors import Conflict, InvalidInput, Problem

__all__ = [
    "ASYNC_LIMIT",
    "CHUNK_SIZE",
    "DEFAULT_VALID_CHARACTERS",
    "EXPORT_COLUMNS",
    "IMPORT_COLUMNS",
    "PLACEHOLDER",
    "SYNC_LIMIT",
    "SYNC_LIMIT_WITH_PREFIX",
    "CodeCreation",
    "CodeRequest",
    "CodeSettings",
    "DateFormat",
    "ImportedCoupon",
    "export_coupons_csv",
    "generate_codes",
    "normalized_code",
    "parse_code_request",
    "parse_code_settings",
    "parse_coupon_import",
]

PLACEHOLDER = "#"
# NewCoupons.validCharacters: "by default ... equivalent to the `[A-Z, 0-9]` regular expression".
DEFAULT_VALID_CHARACTERS: tuple[str, ...] = tuple(string.ascii_uppercase + string.digits)
_PATTERN_CHARACTERS = re.compile(r"[A-Za-z0-9._%+@#-]+")  # CodeGeneratorSettings.couponPattern
_PREFIX_CHARACTERS = re.compile(r"[A-Za-z0-9._%+@-]*")  # the pattern's literals, no placeholder
_MIN_PATTERN_LENGTH, _MAX_PATTERN_LENGTH = 3, 100
# Coupon.value has minLength 4 and the official SDK enforces it when parsing responses;
# customer sessions accept coupon codes of at most 100 characters.
_MIN_CODE_LENGTH, _MAX_CODE_LENGTH = 4, 100
# One random byte draws one placeholder, so an alphabet holds at most 256 characters.
_MAX_VALID_CHARACTERS = 256
SYNC_LIMIT = 20_000  # createCoupons without uniquePrefix
SYNC_LIMIT_WITH_PREFIX = 200_000  # createCoupons with uniquePrefix
ASYNC_LIMIT = 5_000_000  # createCouponsAsync, NewCouponCreationJob.numberOfCoupons maximum
CHUNK_SIZE = 10_000
# Rounds of drawing in a row that yield no new code before the space counts as exhausted;
# with at most half the space in use, 200 fruitless rounds happen with probability < 2**-200.
_MAX_FRUITLESS_ROUNDS = 200


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
    if not _MIN_CODE_LENGTH <= length <= _MAX_CODE_LENGTH:
        pointer = "/uniquePrefix" if prefix and length > _MAX_CODE_LENGTH else f"{at}/couponPattern"
        details = (
            f"codes would be {length} characters long (uniquePrefix + couponPattern); "
            f"codes hold {_MIN_CODE_LENGTH} to {_MAX_CODE_LENGTH} characters"
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
    if not 1 <= len(alphabet) <= _MAX_VALID_CHARACTERS:
        details = f"validCharacters needs 1 to {_MAX_VALID_CHARACTERS} distinct characters"
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


def generate_codes(
    settings: CodeSettings,
    count: int,
    *,
    taken: Callable[[str], bool] | Container[str] = (),
    random: Random | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Generator[list[str], Collection[str] | None, None]:
    """Yield ``count`` distinct codes in chunks of ``chunk_size``, none of them ``taken``.

    Storage checks a whole chunk at once; if some codes turn out to exist, it sends them back
    and receives as many replacements (which it checks in turn) before the next chunk::

        codes = generate_codes(settings, count)
        for chunk in codes:
            while clashes := repository.existing(chunk):
                repository.insert(c for c in chunk if c not in clashes)
                chunk = codes.send(clashes)
            repository.insert(chunk)

    A code never comes twice, rejected ones included. Raises ``Conflict`` when the space runs
    out (everything else taken). The default source is ``secrets.SystemRandom``: codes must not
    be guessable from one another.
    """
    if count < 0 or chunk_size < 1:
        raise ValueError("count must be >= 0 and chunk_size >= 1")
    draw = _Drawer(settings, random if random is not None else secrets.SystemRandom())
    is_taken = _taken_predicate(taken)
    seen: set[str] = set()
    remaining = count
    while remaining > 0:
        chunk = _fresh(draw, min(chunk_size, remaining), seen, is_taken)
        remaining -= len(chunk)
        rejected = yield chunk
        while rejected:
            clashes = set(rejected)
            if not clashes <= set(chunk):
                raise ValueError("only codes of the chunk just yielded can be sent back")
            chunk = _fresh(draw, len(clashes), seen, is_taken)
            rejected = yield chunk


def _taken_predicate(taken: Callable[[str], bool] | Container[str]) -> Callable[[str], bool] | None:
    if callable(taken):
        return taken
    if isinstance(taken, Collection) and not taken:
        return None
    return taken.__contains__


def _fresh(
    draw: _Drawer, wanted: int, seen: set[str], is_taken: Callable[[str], bool] | None
) -> list[str]:
    fresh: list[str] = []
    fruitless = 0
    while len(fresh) < wanted:
        codes = draw(wanted - len(fresh))
        if is_taken is None and not fresh:
            # The common case, in C: nothing collides, so the chunk goes out as drawn.
            drawn = set(codes)
            if len(drawn) == len(codes) and seen.isdisjoint(drawn):
                seen |= drawn
                return codes
        before = len(fresh)
        for code in codes:
            if code in seen:
                continue
            seen.add(code)
            if is_taken is None or not is_taken(code):
                fresh.append(code)
        fruitless = 0 if len(fresh) > before else fruitless + 1
        if fruitless > _MAX_FRUITLESS_ROUNDS:
            details = f"no unused code is left for {wanted - len(fresh):,} more codes"
            raise Conflict(details, pointer="/numberOfCoupons")
    return fresh


_LATIN_1 = range(256)


class _Drawer:
    """Draws codes many at a time: random bytes become characters by ``bytes.translate`` and
    fill a buffer of templates by slice assignment, so Python does no per-character work."""

    def __init__(self, settings: CodeSettings, random: Random) -> None:
        characters = settings.characters
        assert 1 <= len(characters) <= _MAX_VALID_CHARACTERS
        template = settings.prefix + settings.pattern
        assert "\n" not in template
        assert "\n" not in characters
        # One byte per character when Latin-1 can hold them, else four (UTF-32).
        narrow = all(ord(c) < len(_LATIN_1) for c in template + "".join(characters))
        self._encoding, self._width = ("latin-1", 1) if narrow else ("utf-32-le", 4)
        self._random = random
        self._record = (template + "\n").encode(self._encoding)
        self._slots = [i for i, c in enumerate(template) if c == PLACEHOLDER]
        # Bytes at or above the largest multiple of the alphabet's size are dropped,
        # so that every character is equally likely.
        accepted = 256 - 256 % len(characters)
        self._acceptance = accepted / 256
        self._reject = bytes(range(accepted, 256))
        encoded = [c.encode(self._encoding) for c in characters]
        self._planes = [
            bytes(encoded[b % len(characters)][plane] for b in range(256))
            for plane in range(self._width)
        ]

    def __call__(self, n: int) -> list[str]:
        needed = n * len(self._slots)
        kept = b""
        while len(kept) < needed:
            extra = int((needed - len(kept)) / self._acceptance * 1.02) + 16
            kept += self._random.randbytes(extra).translate(None, self._reject)
        kept = kept[:needed]
        buffer = bytearray(self._record * n)
        step = len(self._record)
        for plane, table in enumerate(self._planes):
            characters = kept.translate(table)
            for k, slot in enumerate(self._slots):
                buffer[slot * self._width + plane :: step] = characters[k * n : (k + 1) * n]
        codes = buffer.decode(self._encoding).split("\n")
        codes.pop()
        return codes


# --- CSV ---------------------------------------------------------------------------------------

# exportCoupons: the columns its description lists, in its order.
EXPORT_COLUMNS: tuple[str, ...] = (
    "accountid",
    "applicationid",
    "attributes",
    "batchid",
    "campaignid",
    "counter",
    "created",
    "deleted",
    "deleted_changelogid",
    "discount_counter",
    "discount_limitval",
    "expirydate",
    "id",
    "importid",
    "is_reservation_mandatory",
    "limits",
    "limitval",
    "recipientintegrationid",
    "referralid",
    "reservation",
    "reservation_counter",
    "reservation_limitval",
    "startdate",
    "value",
)
# importCoupons: the columns its description lists.
IMPORT_COLUMNS: tuple[str, ...] = (
    "value",
    "expirydate",
    "startdate",
    "recipientintegrationid",
    "limitval",
    "attributes",
    "discountlimit",
)
# exportCoupons names the discount limit discount_limitval; reading it too lets an export be
# imported again. The export's other columns are stored state, ignored on import.
_IMPORT_ALIASES = {"discount_limitval": "discountlimit"}
_MAX_USAGE_LIMIT = 999_999  # CouponConstraints.usageLimit maximum
_MAX_DISCOUNT_LIMIT = Decimal("1E+15")  # CouponConstraints.discountLimit maximum
_MAX_RECIPIENT_LENGTH = 1000  # Coupon.recipientIntegrationId maxLength
_MAX_PROBLEMS = 1000
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)")


class DateFormat(StrEnum):
    """exportCoupons ``dateFormat``."""

    EXCEL = "excel"
    ISO8601 = "ISO8601"


def export_coupons_csv(
    rows: Iterable[Mapping[str, object]],
    *,
    values_only: bool = False,
    date_format: DateFormat = DateFormat.ISO8601,
) -> Iterator[str]:
    """Lines of exportCoupons' CSV: the header, then one line per row (a mapping from column
    name to value; missing columns stay empty). Lazy, so an export streams."""
    columns = ("value",) if values_only else EXPORT_COLUMNS
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        yield _flush(out)
        writer.writerow([_cell(row.get(column), date_format) for column in columns])
    yield _flush(out)


def _flush(out: io.StringIO) -> str:
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text


def _cell(value: object, date_format: DateFormat) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        moment = value.astimezone(UTC)
        if date_format is DateFormat.EXCEL:
            return moment.strftime("%Y-%m-%d %H:%M:%S")
        return moment.isoformat().replace("+00:00", "Z")
    if isinstance(value, Mapping | list | tuple):
        return _json(value)
    return str(value)


def _json(value: object) -> str:
    """Compact JSON that writes a Decimal as the number it is."""
    if isinstance(value, Mapping):
        items = (f"{json.dumps(str(k))}:{_json(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_json(v) for v in value) + "]"
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value)


@dataclass(frozen=True, slots=True)
class ImportedCoupon:
    """One valid row of an importCoupons file, its code normalized."""

    line: int
    value: str
    usage_limit: int = 1
    start_date: datetime | None = None
    expiry_date: datetime | None = None
    recipient_integration_id: str | None = None
    discount_limit: Decimal | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)


def parse_coupon_import(
    text: str,
    *,
    case_sensitivity: CaseSensitivity = CaseSensitivity.SENSITIVE,
    skip_duplicates: bool = False,
) -> list[ImportedCoupon]:
    """An importCoupons CSV file (header first) → its coupons, or ``InvalidInput`` naming the
    line of every bad row (source ``line``). Duplicate codes are an error unless skipped."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    problems: list[Problem] = []
    coupons: list[ImportedCoupon] = []
    line = 1
    try:
        columns = _header(next(reader, None), problems)
        seen: set[str] = set()
        line = reader.line_num + 1
        for record in reader:
            if not columns or len(problems) >= _MAX_PROBLEMS:
                break
            coupon = _row(line, columns, record, case_sensitivity, problems)
            if coupon is not None and coupon.value not in seen:
                seen.add(coupon.value)
                coupons.append(coupon)
            elif coupon is not None and not skip_duplicates:
                problems.append(_line_problem(line, f"the code {coupon.value!r} is a duplicate"))
            line = reader.line_num + 1
    except csv.Error as error:
        problems.append(_line_problem(line, f"malformed CSV: {error}"))
    if problems:
        raise InvalidInput(problems)
    return coupons


def _line_problem(line: int, details: str) -> Problem:
    return Problem("invalid row", details, str(line), kind="line")


def _header(record: list[str] | None, problems: list[Problem]) -> list[str]:
    """The column names, or none when the header is wrong."""
    if record is None:
        problems.append(_line_problem(1, "the file is empty; its first line names the columns"))
        return []
    columns = [_IMPORT_ALIASES.get(name, name) for name in (c.strip().lower() for c in record)]
    before = len(problems)
    problems += [
        _line_problem(1, f"unknown column {name!r}; columns: {', '.join(IMPORT_COLUMNS)}")
        for name in columns
        if name not in IMPORT_COLUMNS and name not in EXPORT_COLUMNS
    ]
    problems += [
        _line_problem(1, f"column {name!r} appears more than once")
        for name in dict.fromkeys(columns)
        if columns.count(name) > 1
    ]
    if "value" not in columns:
        problems.append(_line_problem(1, "the column 'value' is required"))
    return columns if len(problems) == before else []


def _row(
    line: int,
    columns: list[str],
    record: list[str],
    sensitivity: CaseSensitivity,
    problems: list[Problem],
) -> ImportedCoupon | None:
    if not any(cell.strip() for cell in record):
        return None  # a blank line
    if len(record) != len(columns):
        details = f"{len(record)} fields where the header names {len(columns)} columns"
        problems.append(_line_problem(line, details))
        return None
    cells = {c: v.strip() for c, v in zip(columns, record, strict=True) if c in IMPORT_COLUMNS}
    before = len(problems)

    def report(details: str) -> None:
        problems.append(_line_problem(line, details))

    value = cells["value"]
    if not _MIN_CODE_LENGTH <= len(value) <= _MAX_CODE_LENGTH:
        report(f"value must be {_MIN_CODE_LENGTH} to {_MAX_CODE_LENGTH} characters, not {value!r}")
    coupon = ImportedCoupon(
        line=line,
        value=normalized_code(value, sensitivity),
        usage_limit=_usage_limit(cells.get("limitval", ""), report),
        start_date=_time(cells.get("startdate", ""), "startdate", report),
        expiry_date=_time(cells.get("expirydate", ""), "expirydate", report),
        recipient_integration_id=_recipient(cells.get("recipientintegrationid", ""), report),
        discount_limit=_discount_limit(cells.get("discountlimit", ""), report),
        attributes=_attributes(cells.get("attributes", ""), report),
    )
    if coupon.start_date and coupon.expiry_date and coupon.expiry_date < coupon.start_date:
        report("expirydate is before startdate")
    return coupon if len(problems) == before else None


def _usage_limit(text: str, report: Callable[[str], None]) -> int:
    if not text:
        return 1  # importCoupons: limitval "defaults to 1 when not provided"
    if text.isascii() and text.isdigit() and int(text) <= _MAX_USAGE_LIMIT:
        return int(text)
    report(f"limitval must be a whole number from 0 to {_MAX_USAGE_LIMIT}, not {text!r}")
    return 1


def _discount_limit(text: str, report: Callable[[str], None]) -> Decimal | None:
    if not text:
        return None
    try:
        limit = Decimal(text)
    except InvalidOperation:
        limit = Decimal("NaN")
    if limit.is_finite() and 0 <= limit <= _MAX_DISCOUNT_LIMIT:
        return limit
    report(f"discountlimit must be a number from 0 to 1E+15, not {text!r}")
    return None


def _time(text: str, column: str, report: Callable[[str], None]) -> datetime | None:
    if not text:
        return None
    if _RFC3339.fullmatch(text):
        try:
            return datetime.fromisoformat(text.upper().replace("Z", "+00:00")).astimezone(UTC)
        except ValueError:
            pass
    report(f"{column} must be an RFC3339 timestamp such as 2018-07-01T04:00:00Z, not {text!r}")
    return None


def _recipient(text: str, report: Callable[[str], None]) -> str | None:
    if len(text) > _MAX_RECIPIENT_LENGTH:
        report(f"recipientintegrationid is longer than {_MAX_RECIPIENT_LENGTH} characters")
    return text or None


def _attributes(text: str, report: Callable[[str], None]) -> Mapping[str, Any]:
    if not text:
        return {}
    try:
        attributes = json.loads(text, parse_float=Decimal)
    except ValueError:
        attributes = None
    if isinstance(attributes, dict):
        return attributes
    report(f"attributes must be a JSON object, not {text!r}")
    return {}
