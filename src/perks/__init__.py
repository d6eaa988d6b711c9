"""perks: a self-hosted promotion, coupon, referral and loyalty engine."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("perks")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without metadata
    __version__ = "0.0.0"

__all__ = ["__version__"]
