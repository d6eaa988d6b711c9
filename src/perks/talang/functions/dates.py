"""Dates and times. "Now" is the binding ``Now`` (the request's time), never the wall clock.
Calendar parts (year, month, ...) are read in the time zone bound as ``Timezone`` (an IANA
name), else in UTC. Layouts use Joda-Time letters (yyyy-MM-dd'T'HH:mm:ss)."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal

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
_TOKEN = re.compile(r"'[^']*'|y+|M+|d+|H+|h+|m+|s+|S+|E+|a|Z+|e")
_MAX_LAYOUT = 100
_TWO_DIGITS, _SHORT_TEXT, _FULL_TEXT = 2, 3, 4  # Joda widths: yy, MMM/EEE, MMMM/EEEE
_NOON = 12
_STRPTIME = {
    "yyyy": "%Y",
    "yy": "%y",
    "MMMM": "%B",
    "MMM": "%b",
    "MM": "%m",
    "M": "%m",
    "dd": "%d",
    "d": "%d",
    "HH": "%H",
    "H": "%H",
    "hh": "%I",
    "h": "%I",
    "mm": "%M",
    "m": "%M",
    "ss": "%S",
    "s": "%S",
    "SSS": "%f",
    "EEEE": "%A",
    "EEE": "%a",
    "a": "%p",
    "Z": "%z",
    "ZZ": "%z",
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


def _tokens(layout: str) -> list[str]:
    if len(layout) > _MAX_LAYOUT:
        raise TalangRuntimeError(f"layouts are at most {_MAX_LAYOUT} characters")
    parts: list[str] = []
    position = 0
    for match in _TOKEN.finditer(layout):
        parts.extend(layout[position : match.start()])
        parts.append(match.group())
        position = match.end()
    parts.extend(layout[position:])
    return parts


def format_layout(moment: datetime, layout: str) -> str:
    """Format with a Joda-Time layout (the subset listed in docs/talang.md)."""
    return "".join(_format_token(moment, token) for token in _tokens(layout))


def _format_token(moment: datetime, token: str) -> str:  # noqa: PLR0911
    letter, width = token[0], len(token)
    if token.startswith("'"):
        return token[1:-1] or "'"
    if letter == "y":
        return f"{moment.year % 100:02d}" if width == _TWO_DIGITS else f"{moment.year:0{width}d}"
    if letter == "M":
        if width < _SHORT_TEXT:
            return f"{moment.month:0{width}d}"
        return moment.strftime("%B" if width >= _FULL_TEXT else "%b")
    numbers = {
        "d": moment.day,
        "H": moment.hour,
        "h": (moment.hour % 12) or 12,
        "m": moment.minute,
        "s": moment.second,
        "e": moment.isoweekday(),
    }
    if letter in numbers:
        return f"{numbers[letter]:0{width}d}"
    if letter == "S":
        return f"{moment.microsecond:06d}"[:width].ljust(width, "0")
    if letter == "E":
        return moment.strftime("%A" if width >= _FULL_TEXT else "%a")
    if letter == "a":
        return "AM" if moment.hour < _NOON else "PM"
    if letter == "Z":
        offset = moment.strftime("%z")
        return f"{offset[:3]}:{offset[3:]}" if width >= _TWO_DIGITS else offset
    return token


def parse_layout(text: str, layout: str) -> datetime:
    """Parse with a Joda-Time layout; without an offset in it, the time is UTC."""
    directives: list[str] = []
    for token in _tokens(layout):
        if token.startswith("'"):
            directives.append((token[1:-1] or "'").replace("%", "%%"))
        elif token in _STRPTIME:
            directives.append(_STRPTIME[token])
        elif token[0].isalpha() and token[0] in "yMdHhmsSEaZe":
            raise TalangRuntimeError(f"unsupported layout letters {token!r}")
        else:
            directives.append(token.replace("%", "%%"))
    try:
        parsed = datetime.strptime(text, "".join(directives))
    except ValueError:
        raise TalangRuntimeError(f"{text!r} does not match the layout {layout!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


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
    seconds = _UNITS.get(unit)
    if seconds is None:
        raise TalangRuntimeError(f"unknown unit {unit!r}: use one of {', '.join(_UNITS)}")
    return timedelta(seconds=float(amount * seconds))


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
        return moment + _duration(amount, unit)

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
        return moment - _duration(amount, unit)
