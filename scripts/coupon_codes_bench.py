"""Time and memory of generating 1,000,000 coupon codes (issue #4).

    .venv/bin/python scripts/coupon_codes_bench.py [count] [pattern]

Two runs: one plain (wall time, growth of the peak resident set), one under tracemalloc (peak
of Python allocations; tracemalloc slows the run, so its time is not the figure to quote).
The consumer keeps nothing, as storage inserting chunk by chunk would not: what remains is the
generator's own set of the codes handed out so far, which keeps the batch free of duplicates.
"""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc

from perks.domain.coupon_codes import (
    CodeCreation,
    generate_codes,
    parse_code_request,
)

MIB = 1024 * 1024


def _run(count: int, pattern: str) -> tuple[float, int]:
    request = parse_code_request(
        coupon_pattern=pattern,
        valid_characters=None,
        number_of_coupons=count,
        creation=CodeCreation.ASYNC,
    )
    started = time.perf_counter()
    produced = 0
    for chunk in generate_codes(request.settings, request.count):
        produced += len(chunk)
    assert produced == count
    return time.perf_counter() - started, produced


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    pattern = sys.argv[2] if len(sys.argv) > 2 else "########"
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    seconds, produced = _run(count, pattern)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"pattern {pattern!r}, {produced:,} codes, secrets.SystemRandom")
    print(f"  time:              {seconds:.2f} s ({produced / seconds:,.0f} codes/s)")
    print(f"  peak RSS growth:   {(rss_after - rss_before) / 1024:.1f} MiB")
    tracemalloc.start()
    traced_seconds, _ = _run(count, pattern)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  tracemalloc peak:  {peak / MIB:.1f} MiB ({peak / produced:.0f} bytes a code)")
    print(f"  (time under tracemalloc: {traced_seconds:.2f} s)")


if __name__ == "__main__":
    main()
