"""Prometheus metrics and the structured request log."""

from __future__ import annotations

import structlog
from prometheus_client import CollectorRegistry, Counter, Histogram

__all__ = ["HttpMetrics", "request_logger"]


class HttpMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "perks_http_requests",
            "HTTP requests answered, by operationId and status.",
            ["operation", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "perks_http_request_duration_seconds",
            "Time to answer an HTTP request, by operationId.",
            ["operation"],
            registry=registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
        )

    def observe(self, operation: str, status: int, seconds: float) -> None:
        self.requests.labels(operation, str(status)).inc()
        self.latency.labels(operation).observe(seconds)


def request_logger() -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.get_logger("perks.http")
    return logger
