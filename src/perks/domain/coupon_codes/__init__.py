"""Coupon codes: generation settings, the code space, generation in chunks, CSV import and export.

Pure: randomness arrives as a ``random.Random`` (``secrets.SystemRandom`` unless a test injects a
seeded one) and storage checks each generated chunk against what it holds.
"""

from __future__ import annotations

from perks.domain.coupon_codes._csv import (
    EXPORT_COLUMNS,
    IMPORT_COLUMNS,
    DateFormat,
    ImportedCoupon,
    export_coupons_csv,
    parse_coupon_import,
)
from perks.domain.coupon_codes._generation import CHUNK_SIZE, generate_codes
from perks.domain.coupon_codes._settings import (
    ASYNC_LIMIT,
    DEFAULT_VALID_CHARACTERS,
    MAX_CODE_LENGTH,
    MIN_CODE_LENGTH,
    PLACEHOLDER,
    SYNC_LIMIT,
    SYNC_LIMIT_WITH_PREFIX,
    CodeCreation,
    CodeRequest,
    CodeSettings,
    normalized_code,
    parse_code_request,
    parse_code_settings,
)

__all__ = [
    "ASYNC_LIMIT",
    "CHUNK_SIZE",
    "DEFAULT_VALID_CHARACTERS",
    "EXPORT_COLUMNS",
    "IMPORT_COLUMNS",
    "MAX_CODE_LENGTH",
    "MIN_CODE_LENGTH",
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
