"""CSV: the exportCoupons file, and importCoupons files parsed into coupons."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from perks.domain.applications import CaseSensitivity
from perks.domain.coupon_codes._settings import MAX_CODE_LENGTH, MIN_CODE_LENGTH, normalized_code
from perks.domain.errors import InvalidInput, Problem

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
    if not MIN_CODE_LENGTH <= len(value) <= MAX_CODE_LENGTH:
        report(f"value must be {MIN_CODE_LENGTH} to {MAX_CODE_LENGTH} characters, not {value!r}")
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
