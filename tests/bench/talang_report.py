"""The Talang benchmark's figures: per rule and cart size, each engine's compile and run times."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ENGINES = ("hand-written", "perks", "perks interpreter", "zen-engine", "json-logic")
REPEATS = 7
TARGET_SECONDS_PER_REPEAT = 0.04
MAX_LOOPS = 100_000


def seconds_per_call(call: Callable[[], object]) -> float:
    """The best of ``REPEATS`` runs of one call's wall time, each run a calibrated loop: the
    minimum, as timeit advises, because noise on a shared machine only ever adds time."""
    loops = _calibrated_loops(call)
    samples = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        for _ in range(loops):
            call()
        samples.append((time.perf_counter() - started) / loops)
    return min(samples)


def _calibrated_loops(call: Callable[[], object]) -> int:
    loops = 1
    while loops < MAX_LOOPS:
        started = time.perf_counter()
        for _ in range(loops):
            call()
        if time.perf_counter() - started >= TARGET_SECONDS_PER_REPEAT / 4:
            break
        loops *= 4
    return max(1, loops)


@dataclass(frozen=True)
class Row:
    """One rule over one cart: seconds per evaluation and per compilation, by engine."""

    rule: str
    items: int
    run_s: dict[str, float]
    compile_s: dict[str, float]

    def ratio(self, engine: str, to: str) -> float:
        return self.run_s[engine] / self.run_s[to]


@dataclass
class TalangReport:
    rows: list[Row] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.rows

    def summary_lines(self) -> list[str]:
        header = (
            f"{'rule':<18}{'items':>6}  {'hand':>9}  {'perks':>9}  {'interp':>9}"
            f"  {'zen':>9}  {'jsonlogic':>9}   {'perks/hand':>10}  {'zen/perks':>9}"
            f"  {'jl/perks':>8}"
        )
        lines = [f"evaluation, µs per call (best of {REPEATS} calibrated loops):", header]
        for row in self.rows:
            times = "  ".join(f"{row.run_s[engine] * 1e6:9.1f}" for engine in ENGINES)
            lines.append(
                f"{row.rule:<18}{row.items:>6}  {times}   {row.ratio('perks', 'hand-written'):9.1f}x"
                f"  {row.ratio('zen-engine', 'perks'):8.1f}x"
                f"  {row.ratio('json-logic', 'perks'):7.1f}x"
            )
        lines.append("compilation, µs per rule (json-logic interprets its JSON on every call):")
        for rule in dict.fromkeys(row.rule for row in self.rows):
            row = next(row for row in self.rows if row.rule == rule)
            compiled = "  ".join(
                f"{engine} {seconds * 1e6:.1f}" for engine, seconds in row.compile_s.items()
            )
            lines.append(f"{rule:<18}  {compiled}")
        return lines

    def as_json(self, machine: dict[str, Any]) -> dict[str, Any]:
        return {"machine": machine, "rows": [asdict(row) for row in self.rows]}

    def write(self, path: Path, machine: dict[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.as_json(machine), indent=2) + "\n")
