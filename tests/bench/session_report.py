"""The session benchmark's figures: each update load beside its ceiling's, and their ratio."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from perks import __version__
from tests.bench.load import LoadResult


@dataclass(frozen=True)
class Comparison:
    """One case (a cart size on one database): updates and the ceiling, same body, same run."""

    case: str
    database: str
    cart_items: int
    campaigns: int
    effects: int  # in a sample answer: what one update computed
    session: LoadResult
    ceiling: LoadResult
    target_ratio: float | None = None

    @property
    def ratio(self) -> float:
        """Updates per second as a fraction of the ceiling's."""
        return self.session.requests_per_s / self.ceiling.requests_per_s

    def as_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "database": self.database,
            "cart_items": self.cart_items,
            "campaigns": self.campaigns,
            "effects_per_answer": self.effects,
            "ratio": round(self.ratio, 3),
            "target_ratio": self.target_ratio,
            "target_met": None if self.target_ratio is None else self.ratio >= self.target_ratio,
            "session": asdict(self.session),
            "ceiling": asdict(self.ceiling),
        }


@dataclass
class SessionReport:
    comparisons: list[Comparison] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.comparisons

    def record(self, comparison: Comparison) -> None:
        self.comparisons.append(comparison)

    def summary_lines(self) -> list[str]:
        header = (
            f"{'case':<21} {'':<8} {'conns':>5} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9}"
            f" {'requests':>8} {'errors':>6}   ratio"
        )
        lines = [header]
        for each in self.comparisons:
            target = "" if each.target_ratio is None else f" (target {each.target_ratio:.2f})"
            for label, result in (("update", each.session), ("ceiling", each.ceiling)):
                ratio = f"{each.ratio:.3f}{target}" if label == "update" else ""
                lines.append(
                    f"{each.case:<21} {label:<8} {result.connections:>5}"
                    f" {result.requests_per_s:9.1f} {result.latency_p50_ms:9.2f}"
                    f" {result.latency_p99_ms:9.2f} {result.requests:>8} {result.errors:6d}"
                    f"   {ratio}"
                )
        if self.comparisons:
            first = self.comparisons[0].session
            lines.append(
                f"load: {first.generator}, {first.seconds:.0f} s per run; effects per answer: "
                + ", ".join(f"{each.case} {each.effects}" for each in self.comparisons)
            )
        return lines

    def write(self, path: Path, machine: dict[str, Any], exit_status: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "benchmark": "customer_sessions",
            "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "exit_status": exit_status,
            "perks_version": __version__,
            "machine": machine,
            "server": {"host": "127.0.0.1", "workers": 1},
            "comparisons": [each.as_json() for each in self.comparisons],
        }
        path.write_text(json.dumps(document, indent=2) + "\n")
