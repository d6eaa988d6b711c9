"""Dates and times. "Now" is the binding ``Now`` (the request's time), never the wall clock.
Calendar parts (year, month, ...) are read in the time zone bound as ``Timezone`` (an IANA
name), else in UTC. Layouts use Joda-Time letters (yyyy-MM-dd'T'HH:mm:ss): an unquoted ASCII
letter is a field, text in single quotes is literal, and ``''`` is one quote (inside quotes
too). A letter the layout cannot use is an error, never printed as it stands."""

from __future__ import annotations

import functools
import re
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_EVEN, Decimal, localcontext

from perks.talang.errors import TalangRuntimeError
from perks.talang.kinds import Kind, format_time, parse_time
from perks.talang.registry import FunctionRegistry
from perks.talang.runtime import Context

__all__ = ["format_layout", "parse_layout", "register"]

FAMILY = "dates"
_T = Kind.TIME
_S = Kind.STRING
_SECONDS_PER_DAY = Decimal(86400)
_UNITS = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}
_TIMEZONE = "Timezone"
_MAX_LAYOUT = 100
_TWO_DIGITS, _SHORT_TEXT, _FULL_TEXT = 2, 3, 4  # Joda widths: yy, MMM/EEE, MMMM/EEEE
_NOON = 12
_MICROS = 1_000_000
_MICROS_PER_DAY = 86400 * _MICROS
_MAX_AMOUNT_DIGITS = 16  # beyond 10**16 of any unit no timedelta fits
_CENTURY_PIVOT = 69  # two-digit years as strptime's %y: 69-99 are 1969-1999, 00-68 2000-2068
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_FORMAT_LETTERS = frozenset("GCYxwyMDdEeaKhHkmsSzZ")
_PARSE_LETTERS = frozenset("GYxwyMDdEeaKhHkmsSZ")
_UNPARSABLE = {
    "C": "the century (C) cannot be read; use y",
    "z": "zone names (z) cannot be read; use Z, ZZ or ZZZ",
}


def _names(names: tuple[str, ...]) -> str:
    """Full and three-letter names, longest first (so "March" wins over "Mar")."""
    choices = {*names, *(name[:3] for name in names)}
    return "|".join(sorted(choices, key=lambda name: (-len(name), name)))


_PARSE_PATTERNS = {
    "M": r"1[0-2]|0[1-9]|[1-9]",
    "MMM": _names(_MONTHS),
    "d": r"3[01]|[12]\d|0[1-9]|[1-9]| [1-9]",
    "D": r"36[0-6]|3[0-5]\d|[12]\d\d|0[1-9]\d|00[1-9]|[1-9]\d|0[1-9]|[1-9]",
    "w": r"5[0-3]|[0-4]\d|\d",
    "E": _names(_WEEKDAYS),
    "e": r"[1-7]",
    "H": r"2[0-3]|[01]\d|\d",
    "k": r"2[0-4]|1\d|0[1-9]|[1-9]",
    "h": r"1[0-2]|0[1-9]|[1-9]",
    "K": r"1[01]|0\d|\d",
    "a": r"am|pm",
    "m": r"[0-5]\d|\d",
    "s": r"[0-5]\d|\d",
    "S": r"\d{1,9}",
    "G": r"ad|bc",
    "Z": r"[+-]\d\d:?[0-5]\d(?::?[0-5]\d(?:\.\d{1,6})?)?|(?-i:Z)",
    "ZZZ": r"(?>[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*)",
}


def _zone(context: Context) -> tzinfo:
    try:
        name = context.scope.resolve((_TIMEZONE,))
    except TalangRuntimeError:
        return UTC
    try:
        return zoneinfo.ZoneInfo(str(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise TalangRuntimeError(f"unknown time zone {name!r} in `{_TIMEZONE}`") from None


def _local(context: Context, moment: datetime) -> datetime:
    return moment.astimezone(_zone(context))


def _is_letter(char: str) -> bool:
    return "A" <= char <= "Z" or "a" <= char <= "z"


@functools.lru_cache(maxsize=256)
def _tokens(layout: str) -> tuple[str, ...]:
    """Joda's tokens: a run of one letter (a field), or literal text marked by a leading quote.

    Quotes toggle literal text on and off; ``''`` is one quote, inside quotes or not.
    """
    if len(layout) > _MAX_LAYOUT:
        raise TalangRuntimeError(f"layouts are at most {_MAX_LAYOUT} characters")
    tokens: list[str] = []
    position, end = 0, len(layout)
    while position < end:
        char = layout[position]
        if _is_letter(char):
            start = position
            while position < end and layout[position] == char:
                position += 1
            tokens.append(layout[start:position])
            continue
        text = ["'"]
        quoted = False
        while position < end:
            char = layout[position]
            if char == "'":
                if layout.startswith("''", position):
                    text.append("'")
                    position += 1
                else:
                    quoted = not quoted
            elif _is_letter(char) and not quoted:
                break
            else:
                text.append(char)
            position += 1
        tokens.append("".join(text))
    return tuple(tokens)


def _unsupported(letter: str, layout: str, reason: str = "") -> TalangRuntimeError:
    detail = reason or "quote literal text, as in 'T'"
    return TalangRuntimeError(f"unsupported layout letter {letter!r} in {layout!r}: {detail}")


def format_layout(moment: datetime, layout: str) -> str:
    """Format with a Joda-Time layout (the letters listed in docs/talang.md)."""
    parts: list[str] = []
    for token in _tokens(layout):
        letter = token[0]
        if letter == "z" and len(token) >= _FULL_TEXT:
            raise _unsupported(
                letter, layout, "long zone names (zzzz) are unavailable; use z or ZZZ"
            )
        if letter != "'" and letter not in _FORMAT_LETTERS:
            raise _unsupported(letter, layout)
        parts.append(_format_token(moment, token))
    return "".join(parts)


def _format_token(moment: datetime, token: str) -> str:  # noqa: PLR0911
    letter, width = token[0], len(token)
    if letter == "'":
        return token[1:]
    if letter in "yYx":
        year = moment.isocalendar().year if letter == "x" else moment.year
        return f"{year % 100:02d}" if width == _TWO_DIGITS else f"{year:0{width}d}"
    if letter == "M" and width >= _SHORT_TEXT:
        return _MONTHS[moment.month - 1] if width >= _FULL_TEXT else _MONTHS[moment.month - 1][:3]
    if letter == "E":
        name = _WEEKDAYS[moment.weekday()]
        return name if width >= _FULL_TEXT else name[:3]
    if letter == "a":
        return "AM" if moment.hour < _NOON else "PM"
    if letter == "G":
        return "AD"  # datetime holds years 1 to 9999 only
    if letter == "S":
        return f"{moment.microsecond:06d}"[:width].ljust(width, "0")
    if letter == "z":
        return moment.tzname() or _offset(moment, colon=True)
    if letter == "Z":
        if width > _TWO_DIGITS:
            return _zone_id(moment)
        return _offset(moment, colon=width == _TWO_DIGITS)
    numbers = {
        "C": moment.year // 100,
        "M": moment.month,
        "w": moment.isocalendar().week,
        "D": moment.timetuple().tm_yday,
        "d": moment.day,
        "e": moment.isoweekday(),
        "H": moment.hour,
        "k": moment.hour or 24,
        "K": moment.hour % 12,
        "h": (moment.hour % 12) or 12,
        "m": moment.minute,
        "s": moment.second,
    }
    return f"{numbers[letter]:0{width}d}"


def _offset(moment: datetime, *, colon: bool) -> str:
    offset = moment.strftime("%z")
    return f"{offset[:3]}:{offset[3:]}" if colon else offset


def _zone_id(moment: datetime) -> str:
    zone = moment.tzinfo
    if isinstance(zone, zoneinfo.ZoneInfo):
        return zone.key
    if moment.utcoffset() == timedelta(0):
        return "UTC"
    return _offset(moment, colon=True)


def _parse_key(letter: str, width: int) -> str:
    """The reading of a field: two-digit years, month names and zone ids differ by width."""
    if letter in "yYx":
        return letter + "2" if width == _TWO_DIGITS else letter
    if letter == "M":
        return "MMM" if width >= _SHORT_TEXT else "M"
    if letter == "Z":
        return "ZZZ" if width > _TWO_DIGITS else "Z"
    return letter


def _parse_pattern(key: str, width: int) -> str:
    if key in ("y", "Y", "x"):  # a full year: exactly four digits for yyyy, as strptime's %Y
        return rf"\d{{{width}}}" if width >= _FULL_TEXT else rf"\d{{{width},4}}"
    if key in ("y2", "Y2", "x2"):
        return r"\d\d"
    return _PARSE_PATTERNS[key]


def _literal(text: str) -> str:
    return "".join(
        r"\s+" if part.isspace() else re.escape(part) for part in re.split(r"(\s+)", text) if part
    )


@functools.lru_cache(maxsize=256)
def _parser(layout: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    pattern: list[str] = []
    keys: list[str] = []
    for token in _tokens(layout):
        letter, width = token[0], len(token)
        if letter == "'":
            pattern.append(_literal(token[1:]))
            continue
        if letter not in _PARSE_LETTERS:
            raise _unsupported(letter, layout, _UNPARSABLE.get(letter, ""))
        key = _parse_key(letter, width)
        keys.append(key)
        pattern.append(f"({_parse_pattern(key, width)})")
    return re.compile("".join(pattern), re.IGNORECASE), tuple(keys)


class _Fields:
    """The values a text gives, by meaning; two tokens that disagree are an error."""

    def __init__(self, text: str, layout: str) -> None:
        self.text, self.layout = text, layout
        self.values: dict[str, object] = {}

    def set(self, name: str, value: object) -> None:
        if self.values.setdefault(name, value) != value:
            raise self.error(f"it gives two values for the {name}")

    def get(self, name: str) -> int | None:
        value = self.values.get(name)
        return value if isinstance(value, int) else None

    def error(self, reason: str) -> TalangRuntimeError:
        return TalangRuntimeError(f"{self.text!r} read with the layout {self.layout!r}: {reason}")


def _two_digit_year(digits: str) -> int:
    value = int(digits)
    return value + (2000 if value < _CENTURY_PIVOT else 1900)


def _name_index(names: tuple[str, ...], text: str) -> int:
    folded = text.casefold()
    return next(
        i for i, name in enumerate(names) if folded in (name.casefold(), name[:3].casefold())
    )


def _read(fields: _Fields, key: str, raw: str, hours: list[tuple[str, int]]) -> None:  # noqa: PLR0912
    if key in ("y", "Y"):
        fields.set("year", int(raw))
    elif key in ("y2", "Y2"):
        fields.set("year", _two_digit_year(raw))
    elif key == "x":
        fields.set("weekyear", int(raw))
    elif key == "x2":
        fields.set("weekyear", _two_digit_year(raw))
    elif key == "M":
        fields.set("month", int(raw))
    elif key == "MMM":
        fields.set("month", _name_index(_MONTHS, raw) + 1)
    elif key == "E":
        fields.set("day of the week", _name_index(_WEEKDAYS, raw) + 1)
    elif key == "e":
        fields.set("day of the week", int(raw))
    elif key == "a":
        fields.set("half day", raw.upper())
    elif key == "S":
        fields.set("fraction of a second", int(raw[:6].ljust(6, "0")))
    elif key == "G":
        if raw.upper() != "AD":
            raise fields.error("only years AD (1 to 9999) are supported")
    elif key == "Z":
        fields.set("zone", _parse_offset(fields, raw))
    elif key == "ZZZ":
        fields.set("zone", _parse_zone_id(fields, raw))
    elif key in ("H", "k", "h", "K"):
        hours.append((key, int(raw)))
    else:
        names = {"d": "day", "D": "day of the year", "w": "week", "m": "minute", "s": "second"}
        fields.set(names[key], int(raw))


def _parse_offset(fields: _Fields, raw: str) -> tzinfo:
    if raw == "Z":
        return UTC
    digits = raw[1:].replace(":", "")
    seconds = int(digits[:2]) * 3600 + int(digits[2:4]) * 60 + int(digits[4:6] or 0)
    micros = int(digits[7:].ljust(6, "0") or 0)
    offset = timedelta(seconds=seconds, microseconds=micros)
    try:
        return timezone(-offset if raw[0] == "-" else offset)
    except ValueError:
        raise fields.error(f"{raw!r} is not an offset") from None


def _parse_zone_id(fields: _Fields, raw: str) -> tzinfo:
    if raw.upper() == "UTC":
        return UTC
    try:
        return zoneinfo.ZoneInfo(raw)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise fields.error(f"unknown time zone {raw!r}") from None


def _date(fields: _Fields) -> date:
    """Joda's defaults: 1970-01-01 without date fields, year 2000 for a month or day alone."""
    year, month, day = fields.get("year"), fields.get("month"), fields.get("day")
    day_of_year, week = fields.get("day of the year"), fields.get("week")
    weekyear = fields.get("weekyear")
    if weekyear is not None or week is not None:
        if weekyear is None:
            raise fields.error("the week of the weekyear (w) needs the weekyear (x)")
        if any(value is not None for value in (year, month, day, day_of_year)):
            raise fields.error("week fields (x, w) cannot be mixed with y, Y, M, d or D")
        weekday = fields.get("day of the week") or 1
        return date.fromisocalendar(weekyear, week or 1, weekday)
    if year is None:
        year = 1970 if month is None and day is None and day_of_year is None else 2000
    if day_of_year is not None:
        if month is not None or day is not None:
            raise fields.error("the day of the year (D) cannot be mixed with M or d")
        moment = date(year, 1, 1) + timedelta(days=day_of_year - 1)
        if moment.year != year:
            raise fields.error(f"{year} has no day {day_of_year}")
        return moment
    return date(year, month or 1, day or 1)


def _hour(fields: _Fields, hours: list[tuple[str, int]]) -> int:
    afternoon = 12 if fields.values.get("half day") == "PM" else 0
    for key, value in hours:
        hour = {
            "H": value,
            "k": value % 24,
            "h": value % 12 + afternoon,
            "K": value + afternoon,
        }[key]
        fields.set("hour", hour)
    return fields.get("hour") or 0


def parse_layout(text: str, layout: str) -> datetime:
    """Parse with a Joda-Time layout; without an offset or zone in it, the time is UTC."""
    pattern, keys = _parser(layout)
    match = pattern.fullmatch(text)
    if match is None:
        raise TalangRuntimeError(f"{text!r} does not match the layout {layout!r}")
    fields = _Fields(text, layout)
    hours: list[tuple[str, int]] = []
    for key, raw in zip(keys, match.groups(), strict=True):
        _read(fields, key, raw, hours)
    hour = _hour(fields, hours)
    zone = fields.values.get("zone", UTC)
    assert isinstance(zone, tzinfo)
    try:
        clock = time(
            hour,
            fields.get("minute") or 0,
            fields.get("second") or 0,
            fields.get("fraction of a second") or 0,
        )
        return datetime.combine(_date(fields), clock, tzinfo=zone)
    except ValueError as error:
        raise fields.error(str(error)) from None


def _parse_any(text: str) -> datetime:
    moment = parse_time(text)
    if moment is not None:
        return moment
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise TalangRuntimeError(f"{text!r} is not a date or time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _duration(amount: Decimal, unit: str) -> timedelta:
    """Exactly ``amount`` units: microseconds rounded half-even, never through a float."""
    seconds = _UNITS.get(unit)
    if seconds is None:
        raise TalangRuntimeError(f"unknown unit {unit!r}: use one of {', '.join(_UNITS)}")
    too_long = TalangRuntimeError(f"{amount} {unit} is too long a duration")
    if not amount.is_finite() or (amount and amount.adjusted() >= _MAX_AMOUNT_DIGITS):
        raise too_long
    with localcontext() as exact:
        exact.prec = len(amount.as_tuple().digits) + 40
        exact.Emax, exact.Emin = MAX_EMAX, MIN_EMIN
        micros = amount * (seconds * _MICROS)
        total = int(micros.to_integral_value(rounding=ROUND_HALF_EVEN))
    days, rest = divmod(total, _MICROS_PER_DAY)
    whole, micro = divmod(rest, _MICROS)
    try:
        return timedelta(days=days, seconds=whole, microseconds=micro)
    except OverflowError:
        raise too_long from None


def _shift(moment: datetime, delta: timedelta, *, back: bool = False) -> datetime:
    try:
        return moment - delta if back else moment + delta
    except OverflowError:
        raise TalangRuntimeError("the time falls outside the years 1 to 9999") from None


def _days(delta: timedelta) -> Decimal:
    return (
        Decimal(delta.days)
        + (Decimal(delta.seconds) + Decimal(delta.microseconds) / 1_000_000) / _SECONDS_PER_DAY
    )


def _calendar(registry: FunctionRegistry, name: str, part: str, example: str) -> None:
    @registry.function(
        name,
        (_T,),
        _S,
        family=FAMILY,
        pure=False,
        doc=f"The {part} of a time, as a string without leading zeros, in the time zone of "
        "`Timezone` (UTC when unbound).",
        examples=(([name, "2026-03-05T09:07:00Z"], example),),
    )
    def calendar(context: Context, moment: datetime) -> str:
        local = _local(context, moment)
        values = {
            "year": local.year,
            "month": local.month,
            "monthDay": local.day,
            "hour": local.hour,
            "minute": local.minute,
            "weekday": local.isoweekday(),
        }
        return str(values[name])


def register(registry: FunctionRegistry) -> None:
    for name, part, example in (
        ("year", "year", "2026"),
        ("month", "month (1-12)", "3"),
        ("monthDay", "day of the month", "5"),
        ("hour", "hour (0-23)", "9"),
        ("minute", "minute", "7"),
        ("weekday", "ISO weekday (1 = Monday ... 7 = Sunday)", "4"),
    ):
        _calendar(registry, name, part, example)

    @registry.function(
        "after",
        (_T, _T),
        Kind.BOOLEAN,
        family=FAMILY,
        doc="True when the first time is strictly after the second.",
        examples=((["after", "2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z"], True),),
    )
    def after(_: Context, first: datetime, second: datetime) -> bool:
        return first > second

    @registry.function(
        "before",
        (_T, _T),
        Kind.BOOLEAN,
        family=FAMILY,
        doc="True when the first time is strictly before the second.",
        examples=((["before", "2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z"], False),),
    )
    def before(_: Context, first: datetime, second: datetime) -> bool:
        return first < second

    @registry.function(
        "betweenTimes",
        (_T, _T, _T),
        Kind.BOOLEAN,
        family=FAMILY,
        doc="True when the first time lies strictly between the second and third.",
        examples=(
            (["betweenTimes", [".", "Now"], "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"], True),
        ),
    )
    def between_times(_: Context, moment: datetime, start: datetime, end: datetime) -> bool:
        return start < moment < end

    @registry.function(
        "parseTime",
        (_S,),
        _T,
        family=FAMILY,
        doc="A time from RFC 3339 or ISO 8601 (a date alone is midnight UTC).",
        examples=((["formatTime", ["parseTime", "2026-01-02"]], "2026-01-02T00:00:00Z"),),
    )
    def parse_time_any(_: Context, text: str) -> datetime:
        return _parse_any(text)

    @registry.function(
        "parseTime",
        (_S, _S),
        _T,
        family=FAMILY,
        doc="A time read with a Joda-Time layout; UTC unless the layout has Z.",
        examples=(
            (
                ["formatTime", ["parseTime", "02/01/2026 10:30", "dd/MM/yyyy HH:mm"]],
                "2026-01-02T10:30:00Z",
            ),
        ),
    )
    def parse_time_layout(_: Context, text: str, layout: str) -> datetime:
        return parse_layout(text, layout)

    @registry.function(
        "formatTime",
        (_T,),
        _S,
        family=FAMILY,
        doc="RFC 3339 in UTC.",
        examples=((["formatTime", "2026-01-02T03:04:05+02:00"], "2026-01-02T01:04:05Z"),),
    )
    def format_rfc3339(_: Context, moment: datetime) -> str:
        return format_time(moment)

    @registry.function(
        "formatTime",
        (_T, _S),
        _S,
        family=FAMILY,
        pure=False,
        doc="The time written with a Joda-Time layout, in the `Timezone` zone.",
        examples=((["formatTime", "2026-01-02T03:04:05Z", "yyyy/MM/dd HH'h'"], "2026/01/02 03h"),),
    )
    def format_with_layout(context: Context, moment: datetime, layout: str) -> str:
        return format_layout(_local(context, moment), layout)

    @registry.function(
        "date",
        (_T,),
        _S,
        family=FAMILY,
        pure=False,
        doc="The calendar date, yyyy-MM-dd, in the `Timezone` zone.",
        examples=((["date", "2026-01-02T23:04:05Z"], "2026-01-02"),),
    )
    def date(context: Context, moment: datetime) -> str:
        return _local(context, moment).strftime("%Y-%m-%d")

    @registry.function(
        "matchTime",
        (_T, _T, _S),
        Kind.BOOLEAN,
        family=FAMILY,
        pure=False,
        doc="True when both times read the same through the layout: "
        '["matchTime", birthday, now, "MM-dd"] is an anniversary.',
        examples=((["matchTime", "1990-03-05T10:00:00Z", "2026-03-05T18:00:00Z", "MM-dd"], True),),
    )
    def match_time(context: Context, first: datetime, second: datetime, layout: str) -> bool:
        return format_layout(_local(context, first), layout) == format_layout(
            _local(context, second), layout
        )

    @registry.function(
        "days",
        (_T,),
        Kind.DECIMAL,
        family=FAMILY,
        pure=False,
        doc="Days (fractional) from `Now` to the time; negative when it is past.",
        examples=((["days", "2026-01-02T00:00:00Z"], Decimal("0.5")),),
    )
    def days(context: Context, moment: datetime) -> Decimal:
        return _days(moment - context.now())

    @registry.function(
        "daysBetween",
        (_T, _T),
        Kind.DECIMAL,
        family=FAMILY,
        doc="Days (fractional) from the first time to the second.",
        examples=(
            (["daysBetween", "2026-01-01T00:00:00Z", "2026-01-03T12:00:00Z"], Decimal("2.5")),
        ),
    )
    def days_between(_: Context, first: datetime, second: datetime) -> Decimal:
        return _days(second - first)

    @registry.function(
        "addDuration",
        (_T, Kind.DECIMAL, _S),
        _T,
        family=FAMILY,
        doc=f"The time plus an amount of {', '.join(_UNITS)}.",
        examples=(
            (
                ["formatTime", ["addDuration", "2026-01-01T00:00:00Z", 36, "hours"]],
                "2026-01-02T12:00:00Z",
            ),
        ),
    )
    def add_duration(_: Context, moment: datetime, amount: Decimal, unit: str) -> datetime:
        return _shift(moment, _duration(amount, unit))

    @registry.function(
        "subDuration",
        (_T, Kind.DECIMAL, _S),
        _T,
        family=FAMILY,
        doc=f"The time minus an amount of {', '.join(_UNITS)}.",
        examples=(
            (
                ["formatTime", ["subDuration", "2026-01-01T00:00:00Z", 1, "days"]],
                "2025-12-31T00:00:00Z",
            ),
        ),
    )
    def sub_duration(_: Context, moment: datetime, amount: Decimal, unit: str) -> datetime:
        return _shift(moment, _duration(amount, unit), back=True)
